"""`fengkong contracts analyze FILE [--grade A|B|C] [--json]`: the clauses of one contract document and its
flags against a grade, read locally (nothing is stored)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from django.conf import settings
from django.utils.translation import gettext as _

from fengkong.core.console import console, refuse

from . import reading
from .exceptions import DocumentUnreadable
from .wording import CLAUSE_NAMES


@click.group()
def contracts() -> None:
    """Contracts: clause analysis of a document against the customer's grade (article §3, §7)."""


@contracts.command("analyze")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--grade", type=click.Choice(["A", "B", "C"]), default=None, help="Flag the contract against this grade.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON on standard output.")
def analyze_cmd(path: Path, grade: str | None, as_json: bool) -> None:
    """Read FILE (PDF, DOCX or TXT, Chinese or English): which clauses it has, what they set, the flags."""
    size = path.stat().st_size
    if size > settings.CONTRACTS_MAX_UPLOAD_BYTES:
        refuse(_("%(file)s is larger than %(limit)s MB.") % {
            "file": path.name, "limit": settings.CONTRACTS_MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        analysis = reading.analyze(path.read_bytes(), path.name)
    except DocumentUnreadable as refused:
        refuse(f"{path.name}: {refused}")
    result = reading.report(analysis, grade)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    found = [c for c in result["clauses"] if c["present"]]
    missing = [str(CLAUSE_NAMES[c["type"]]) for c in result["clauses"] if not c["present"]]
    console.print(_("%(file)s: %(found)s of %(total)s clause types found.") % {
        "file": path.name, "found": len(found), "total": len(result["clauses"])})
    for clause in found:
        values = {k: v for k, v in clause["values"].items() if v not in (None, [], {})}
        console.print(f"  [green]✓[/green] {CLAUSE_NAMES[clause['type']]}"
                      + (f"  {json.dumps(values, ensure_ascii=False)}" if values else ""), highlight=False)
    if missing:
        console.print("  " + _("Not found: %(clauses)s") % {"clauses": ", ".join(missing)}, highlight=False)
    for flag in result["flags"]:
        console.print(f"  [red]![/red] {flag['message']}", highlight=False)
    if analysis.converted_from_traditional:
        console.print("  " + _("The text was in traditional characters and was converted to simplified for the "
                               "analysis."), highlight=False)
