"""`fengkong reconcile`: the AR reconciliation report (docs/reconciliation.md) in the terminal and as files."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from fengkong.core.console import DATE, console, user_or_system
from fengkong.core.money import format_amount

from .exports import write_reconciliation_csv, write_reconciliation_workbook
from .queries import reconciliation

SHOWN = 20


@click.command("reconcile")
@click.option("--as-of", "as_of", type=DATE, default=None, help="The date to reconcile (default: today).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every difference to this CSV.")
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the differences and the sums per customer to this Excel workbook.")
@click.option("--user", "username", default=None, help="Only what this user may see (default: the whole book).")
def reconcile_cmd(as_of, csv_out: Path | None, xlsx_out: Path | None, username: str | None) -> None:
    """List every invoice whose ERP open amount differs from amount − allocations − credit notes."""
    report = reconciliation(user_or_system(username), as_of.date() if as_of else None)
    if report.rows:
        console.print(_rows_table(report))
    if csv_out:
        write_reconciliation_csv(report, csv_out)
    if xlsx_out:
        write_reconciliation_workbook(report, xlsx_out)
    console.print(f"Reconciliation as of {report.as_of}: {report.invoices_checked:,} invoices with an ERP open "
                  f"amount, {report.count:,} differ from their allocations (difference "
                  f"{report.currency} {format_amount(report.difference)}, {len(report.by_customer):,} customers)."
                  + "".join(f" Written to {p}." for p in (csv_out, xlsx_out) if p))


def _rows_table(report) -> Table:
    table = Table(show_header=True, header_style="bold")
    for name in ("invoice", "customer", "amount", "ERP open", "derived open", "difference"):
        table.add_column(name, justify="left" if name in {"invoice", "customer"} else "right")
    for r in report.rows[:SHOWN]:
        table.add_row(r.number, r.customer_code, format_amount(r.amount), format_amount(r.erp_open),
                      format_amount(r.derived_open), format_amount(r.difference))
    if report.count > SHOWN:
        table.caption = f"… and {report.count - SHOWN:,} more (--csv FILE writes them all)"
    return table
