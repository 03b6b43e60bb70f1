"""The AR reconciliation report as files for finance: CSV (every difference) and an Excel workbook (the
differences, and the sums per customer).

Both are written through core.spreadsheets: text cells escaped so that an invoice number or a customer
name starting like a formula is shown, never run; amounts are numbers (a negative difference stays a number).
The report is read by queries.reconciliation, so a file holds exactly what the page shows its reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from fengkong.core.spreadsheets import write_frame_csv, write_text

from .queries import Reconciliation


def headers() -> list[str]:
    return [_("Invoice"), _("Customer code"), _("Customer"), _("Currency"), _("Amount"), _("ERP open amount"),
            _("Derived open amount"), _("Difference"), _("Difference in the functional currency")]


def _values(report: Reconciliation) -> list[list]:
    return [[r.number, r.customer_code, r.customer_name, r.currency, r.amount, r.erp_open, r.derived_open,
             r.difference, r.functional_difference] for r in report.rows]


def write_reconciliation_csv(report: Reconciliation, target: str | Path | IO[bytes]) -> None:
    names = headers()
    frame = pl.DataFrame([[str(v) for v in row] for row in _values(report)], schema=names, orient="row")
    amounts = names[4:]
    write_frame_csv(frame.with_columns(pl.col(amounts).cast(pl.Float64).round(2)), target)


def write_reconciliation_workbook(report: Reconciliation, target: str | Path | IO[bytes]) -> None:
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    money = book.add_format({"num_format": "#,##0.00"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Differences")[:31])
    _table(sheet, headers(), _values(report), money, bold, text_columns=4)
    summary = book.add_worksheet(_("By customer")[:31])
    rows = [[c.customer_code, c.customer_name, c.invoices, c.difference] for c in report.by_customer]
    rows.append([_("Total"), "", report.count, report.difference])
    _table(summary, [_("Customer code"), _("Customer"), _("Invoices"),
                     _("Difference in %(currency)s") % {"currency": report.currency}], rows, money, bold,
           text_columns=2)
    book.close()


def _table(sheet, names: list[str], rows: list[list], money, bold, text_columns: int) -> None:
    for col, name in enumerate(names):
        write_text(sheet, 0, col, name, bold)
    for r, values in enumerate(rows, 1):
        for col, value in enumerate(values):
            if col < text_columns:
                write_text(sheet, r, col, value)
            else:
                sheet.write_number(r, col, float(value), money if not isinstance(value, int) else None)
    sheet.set_column(0, len(names) - 1, 16)
