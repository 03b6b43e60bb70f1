"""A provision's downloads: journal lines, the IFRS 7.35N disclosure and the lines per customer, as CSV or
XLSX through the one spreadsheet writer (core.spreadsheets: every text cell escaped)."""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from fengkong.core.spreadsheets import write_frame_csv, write_text

from .models import ProvisionLine, ProvisionRun
from .queries import bucket_labels, journal_rows, matrix_rows

MONEY = pl.Decimal(20, 2)


def journal_frame(run: ProvisionRun) -> pl.DataFrame:
    rows = journal_rows(run)
    return pl.DataFrame({
        _("Date"): [r["date"] for r in rows], _("Description"): [r["description"] for r in rows],
        _("Account"): [r["account"] for r in rows],
        _("Debit"): pl.Series([r["debit"] for r in rows], dtype=MONEY),
        _("Credit"): pl.Series([r["credit"] for r in rows], dtype=MONEY)})


def disclosure_frame(run: ProvisionRun) -> pl.DataFrame:
    """IFRS 7.35N: per aging bucket, the expected loss rate, the gross carrying amount and the lifetime ECL."""
    rows = matrix_rows(run)
    return pl.DataFrame({
        _("Days past due"): [r["label"] for r in rows],
        _("Expected loss rate"): [round(r["adjusted_rate"], 6) for r in rows],
        _("Gross carrying amount"): pl.Series([r["balance"] for r in rows], dtype=MONEY),
        _("Lifetime expected credit loss"): pl.Series([r["provision"] for r in rows], dtype=MONEY)})


def lines_frame(run: ProvisionRun) -> pl.DataFrame:
    labels = bucket_labels(run.matrix["edges"])
    rows = list(ProvisionLine.objects.filter(run=run).order_by("customer__code", "bucket")
                .values_list("customer__code", "customer__name", "bucket", "balance", "rate", "provision",
                             "individual"))
    return pl.DataFrame({
        _("Customer code"): [r[0] for r in rows], _("Customer"): [r[1] for r in rows],
        _("Days past due"): [labels[r[2]] for r in rows],
        _("Gross carrying amount"): pl.Series([r[3] for r in rows], dtype=MONEY),
        _("Expected loss rate"): [float(r[4]) for r in rows],
        _("Provision"): pl.Series([r[5] for r in rows], dtype=MONEY),
        _("Individual provision"): [_("yes") if r[6] else "" for r in rows]})


FRAMES = {"journal": journal_frame, "disclosure": disclosure_frame, "lines": lines_frame}


def as_csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    write_frame_csv(frame, buffer)
    return buffer.getvalue()


def as_xlsx(frame: pl.DataFrame, sheet_name: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name[:31])
    money = book.add_format({"num_format": "#,##0.00"})
    for col, name in enumerate(frame.columns):
        write_text(sheet, 0, col, name)
        sheet.set_column(col, col, 18)
    for row, values in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                write_text(sheet, row, col, value)
            else:
                sheet.write_number(row, col, float(value), money)
    book.close()
    return buffer.getvalue()
