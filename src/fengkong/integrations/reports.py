"""Showing an import's outcome: a rich table for the terminal and the full problem list as CSV.

The CSV is UTF-8 with a BOM so that Excel (the tool the person fixing the ERP export has open) shows
Chinese headers and values correctly; it lists every problem, not only the first 200 kept on the batch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _
from rich.table import Table

from .importer import write_problems_csv
from .models import ImportBatch
from .validation import PROBLEM_SCHEMA

SHOWN = 20
STATUS_STYLE = {"done": "green", "partial": "yellow", "dry_run": "cyan", "rejected": "red", "failed": "red"}


def print_batch(batch: ImportBatch, console) -> None:
    style = STATUS_STYLE.get(batch.status, "white")
    console.print(f"[bold]{batch.get_kind_display()}[/bold] {batch.file_name}: "
                  f"[{style}]{batch.get_status_display()}[/{style}]  {batch.message}")
    console.print(_counts_table(batch))
    if batch.errors:
        console.print(_problems_table(batch))
    if batch.error_count > SHOWN:
        console.print(_("… and %(n)d more; see %(file)s") % {"n": batch.error_count - SHOWN,
                                                            "file": batch.errors_file})


def _counts_table(batch: ImportBatch) -> Table:
    table = Table(show_header=True, header_style="bold")
    labels = [_("rows"), _("valid rows"), _("rows created"), _("rows updated"), _("rows unchanged"), _("rows rejected"),
              _("problems")]
    for label in labels:
        table.add_column(label, justify="right")
    table.add_row(*(f"{n:,}" for n in (batch.rows_total, batch.rows_valid, batch.rows_created, batch.rows_updated,
                                        batch.rows_unchanged, batch.rows_rejected, batch.error_count)))
    return table


def _problems_table(batch: ImportBatch) -> Table:
    table = Table(show_header=True, header_style="bold", title=_("Problems"))
    for label in (_("row"), _("column"), _("value"), _("problem")):
        table.add_column(label)
    for problem in batch.errors[:SHOWN]:
        row = problem.get("row")
        table.add_row("" if row is None else str(row), problem.get("column") or "",
                      problem.get("value") or "", problem.get("message") or "")
    return table


def write_errors_csv(batch: ImportBatch, path: Path) -> None:
    """Every problem of the batch (row, column, value, problem) as a UTF-8-with-BOM CSV at `path`."""
    stored = Path(batch.errors_file) if batch.errors_file else None
    if stored and stored.is_file():
        shutil.copyfile(stored, path)
        return
    problems = pl.DataFrame(batch.errors or [], schema=PROBLEM_SCHEMA)
    write_problems_csv(problems, Path(path))
