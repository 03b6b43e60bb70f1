"""Showing an import's outcome: a rich table for the terminal and the full problem list as CSV.

The CSV is written by core.spreadsheets: UTF-8 with a BOM so that Excel (the tool the person fixing the
ERP export has open) shows Chinese headers and values correctly, and every value that starts like a
formula escaped. It lists every problem, not only the first 200 kept on the batch: the importer's full file,
read only from the importer's own problems folder (core.files.resolve_inside) and rewritten through the
escape on its way out, so a file written before values were escaped, or altered since, leaves safe too.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _
from rich.table import Table

from fengkong.core.files import resolve_inside
from fengkong.core.spreadsheets import copy_csv, write_frame_csv

from .importer import problems_folder
from .models import ImportBatch

log = logging.getLogger(__name__)
SHOWN = 20
PROBLEM_COLUMNS = ("row", "column", "value", "problem")
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
              _("problems"), _("held for review")]
    for label in labels:
        table.add_column(label, justify="right")
    table.add_row(*(f"{n:,}" for n in (batch.rows_total, batch.rows_valid, batch.rows_created, batch.rows_updated,
                                        batch.rows_unchanged, batch.rows_rejected, batch.error_count,
                                        batch.rows_held)))
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


def problem_row(problem) -> dict:
    """One problem as {row, column, value, problem}, whatever shape the importer stored it in."""
    if isinstance(problem, dict):
        return {"row": problem.get("row", ""), "column": problem.get("column", ""),
                "value": problem.get("value", ""),
                "problem": problem.get("problem") or problem.get("reason") or problem.get("message", "")}
    if isinstance(problem, list | tuple):
        return dict(zip(PROBLEM_COLUMNS, [*problem, "", "", "", ""][:4], strict=True))
    return {"row": "", "column": "", "value": "", "problem": str(problem)}


def stored_problems_file(batch: ImportBatch) -> Path | None:
    """The importer's full problems file of `batch`, if its stored path names a file in the problems folder."""
    return resolve_inside(problems_folder(), batch.errors_file)


def write_errors_csv(batch: ImportBatch, path: Path) -> None:
    """Every problem of the batch (row, column, value, problem) as a CSV at `path`: the importer's full file
    if there is one, else the problems kept on the batch."""
    if stored := stored_problems_file(batch):
        try:
            copy_csv(stored, path)
            return
        except pl.exceptions.PolarsError:
            log.warning("the problems file of import %s cannot be read; writing the kept problems", batch.pk,
                        exc_info=True)
    rows = [problem_row(p) for p in batch.errors or []]
    columns = {c: ["" if r[c] is None else str(r[c]) for r in rows] for c in PROBLEM_COLUMNS}
    write_frame_csv(pl.DataFrame(columns, schema=dict.fromkeys(PROBLEM_COLUMNS, pl.String)), path)
