"""Generate the demo company: a Chongqing manufacturer's receivables book as ERP-export CSV files.

Design:
- The customer book (master data and hidden behaviour, one row per customer) is drawn in memory from
  one seeded numpy Generator; so are the small side files (open orders, financial statements, truth).
- The ledger (invoices, payments, credit notes: ~20 invoices per customer-year) is streamed: customers
  are cut into chunks of about `chunk_rows` invoices, each chunk is simulated with vectorised numpy
  and appended to the files with polars. Memory stays bounded whatever the book size.
- Ledger random numbers are counter-based (a pure function of seed, purpose and invoice position) and
  document numbers are handed out in file order, so the output is byte-identical for the same
  (customers, years, seed, as_of) whatever the chunk size.
- Files are written under temporary names and renamed at the end: an interrupted run leaves no
  half-written export that looks complete.
See docs/demo.md for the files and the hidden business logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from fengkong.demo import erp_files
from fengkong.demo.financials import annual_statements
from fengkong.demo.ledger import Ledger, simulate_ledger
from fengkong.demo.orders import open_orders
from fengkong.demo.population import Calendar, CustomerBook, build_customer_book

Progress = Callable[[str, int, int], None]
DEFAULT_CHUNK_ROWS = 250_000
FILES = tuple(erp_files.HEADERS)


@dataclass(frozen=True)
class DemoSummary:
    """What `generate` wrote: data rows per file, money totals in yuan, and where."""

    as_of: dt.date
    customers: int
    invoices: int
    payment_rows: int            # allocation rows in payments.csv
    payments: int                # distinct 收款单号
    credit_notes: int
    orders: int
    financial_statements: int
    invoiced: Decimal            # sum of 金额
    open_amount: Decimal         # sum of 未核销金额
    paths: tuple[Path, ...]

    def rows_per_file(self) -> dict[str, int]:
        counts = (self.customers, self.invoices, self.payment_rows, self.credit_notes, self.orders,
                  self.financial_statements, self.customers)
        return dict(zip(FILES, counts, strict=True))

    def __str__(self) -> str:
        """The one-line summary a command prints at the end."""
        return (f"{self.customers:,} customers, {self.invoices:,} invoices (CNY {self.invoiced:,} invoiced, "
                f"{self.open_amount:,} open), {self.payments:,} payments in {self.payment_rows:,} rows, "
                f"{self.credit_notes:,} credit notes, {self.orders:,} open orders, "
                f"{self.financial_statements:,} financial statements as of {self.as_of.isoformat()}")


@dataclass
class LedgerTotals:
    invoices: int = 0
    payment_rows: int = 0
    payments: int = 0
    credit_notes: int = 0
    invoiced_fen: int = 0
    open_fen: int = 0


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def generate(out_dir: Path, *, customers: int = 1000, years: int = 3, seed: int = 7,
             as_of: dt.date | None = None, progress: Progress | None = None,
             chunk_rows: int = DEFAULT_CHUNK_ROWS) -> DemoSummary:
    """Write the demo company's ERP exports into `out_dir` and say what was written."""
    if customers < 1 or years < 1 or chunk_rows < 1:
        raise ValueError("customers, years and chunk_rows must be at least 1")
    calendar = Calendar(as_of or today_in_shanghai(), years)
    report = progress or (lambda stage, done, total: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    drafts = {name: out_dir / f".{name}.part" for name in FILES}

    book = build_customer_book(customers, calendar, seed)
    erp_files.write_customers(drafts["customers.csv"], book)
    report("customers", customers, customers)
    totals = write_ledger(book, calendar, seed, drafts, chunk_rows, report)
    orders = open_orders(book, calendar, seed)
    erp_files.write_frame(drafts["orders.csv"], "orders.csv", erp_files.orders_frame(book, orders))
    report("orders", len(orders.day), len(orders.day))
    statements = annual_statements(book, calendar, seed)
    erp_files.write_frame(drafts["financials.csv"], "financials.csv", erp_files.financials_frame(book, statements))
    report("financials", len(statements.year), len(statements.year))
    erp_files.write_frame(drafts["truth.csv"], "truth.csv", erp_files.truth_frame(book))

    paths = tuple(draft.replace(out_dir / name) for name, draft in drafts.items())
    return DemoSummary(
        as_of=calendar.as_of, customers=customers, invoices=totals.invoices, payment_rows=totals.payment_rows,
        payments=totals.payments, credit_notes=totals.credit_notes, orders=len(orders.day),
        financial_statements=len(statements.year), invoiced=_yuan(totals.invoiced_fen),
        open_amount=_yuan(totals.open_fen), paths=paths,
    )


def write_ledger(book: CustomerBook, calendar: Calendar, seed: int, paths: dict[str, Path],
                 chunk_rows: int, report: Progress) -> LedgerTotals:
    """Simulate and append the ledger chunk by chunk; memory is one chunk's worth."""
    expected = int(book.invoice_offset[-1])
    totals = LedgerTotals()
    files = erp_files.LedgerFiles(book, paths)
    try:
        report("invoices", 0, expected)
        for start, stop in customer_chunks(book.invoice_offset, chunk_rows):
            ledger = simulate_ledger(book, calendar, seed, start, stop)
            files.append(ledger)
            _count(totals, ledger)
            report("invoices", totals.invoices, expected)
    finally:
        files.close()
    return totals


def customer_chunks(invoice_offset: np.ndarray, chunk_rows: int) -> Iterator[tuple[int, int]]:
    """Consecutive customer ranges holding about `chunk_rows` invoices each (at least one customer)."""
    customers = len(invoice_offset) - 1
    start = 0
    while start < customers:
        limit = invoice_offset[start] + chunk_rows
        stop = int(np.searchsorted(invoice_offset, limit, side="right")) - 1
        stop = min(max(stop, start + 1), customers)
        yield start, stop
        start = stop


def _count(totals: LedgerTotals, ledger: Ledger) -> None:
    totals.invoices += len(ledger.invoices.amount)
    totals.payment_rows += len(ledger.allocations.amount)
    totals.payments += len(ledger.payments.day)
    totals.credit_notes += len(ledger.credit_notes.day)
    totals.invoiced_fen += int(ledger.invoices.amount.sum())
    totals.open_fen += int(ledger.invoices.open_amount.sum())


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)
