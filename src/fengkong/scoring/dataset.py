"""The training table of the ledger models, read from the database as of observation dates.

Design decisions:
- Bulk: per observation date one query per table (invoices, receipts, credit notes, statements), each
  cut at the date's outcome horizon (D + 12 months; statements at D), as polars frames of integers; the
  customers are read once. Nothing loops over customers. The pure code in
  `fengkong.engine.modelling.ledger` then cuts again at D for the features, so a row after D cannot
  reach them even if a read were wider.
- An observation date whose 12 months are not complete (D + 12 months after the ledger's last business
  date) has no known outcome: it is skipped and counted, never guessed.
- The danger zone starts where the monitoring policy's default puts it (90 days overdue).
- Money is in the functional currency at ONE set of rates, the latest known (receivables.fx, the rates on
  the later of `end` and today): a model compares amounts across years, and a rate that moved must not
  look like a customer that changed. An amount in a currency without any rate stops the read (MissingRate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from fengkong.core.dates import business_today
from fengkong.credit.features import date_sql as _lit
from fengkong.credit.features import days_sql as _days
from fengkong.credit.features import fen_sql as _fen
from fengkong.credit.features import read_all as _read_all
from fengkong.engine.modelling import ledger
from fengkong.integrations import db
from fengkong.monitoring.policy import defaults
from fengkong.receivables.fx import Rates, rates_on

Progress = Callable[[str, int, int], None]
DAY = pl.Int64


@dataclass
class Dataset:
    frame: pl.DataFrame                                   # customer_code, observation_date, features, bad
    dates: list[date] = field(default_factory=list)       # observation dates used
    incomplete: list[date] = field(default_factory=list)  # skipped: their 12 months are not complete
    in_danger: int = 0                                    # rows left out: already in the danger zone
    last_date: date | None = None

    def summary(self) -> str:
        bad = int(self.frame["bad"].sum()) if self.frame.height else 0
        skipped = (f"; {len(self.incomplete)} date(s) skipped, their 12 months not complete "
                   f"(data end {self.last_date})" if self.incomplete else "")
        return (f"{self.frame.height:,} rows over {len(self.dates)} observation date(s), {bad:,} bad "
                f"({bad / max(self.frame.height, 1):.1%}); {self.in_danger:,} customer-dates left out, already "
                f"in the danger zone{skipped}")


def danger_days() -> int:
    return int(defaults()["zones"]["danger"])


def build_dataset(dates: list[date], progress: Progress | None = None) -> Dataset:
    """The training rows of every observation date in `dates` whose 12-month outcome is complete."""
    last = last_date()
    dataset = Dataset(pl.DataFrame(), last_date=last)
    complete = sorted(d for d in set(dates) if last is not None and ledger.horizon_end(d) <= last)
    dataset.incomplete = sorted(d for d in set(dates) if d not in complete)
    customers = read_customers()
    threshold = danger_days()
    parts = []
    for done, as_of in enumerate(complete):
        if progress:
            progress("observation dates", done, len(complete))
        observation = ledger.observe(read_ledger(as_of, customers), as_of, threshold)
        parts.append(observation.rows)
        dataset.in_danger += observation.in_danger
        dataset.dates.append(as_of)
    if progress:
        progress("observation dates", len(complete), len(complete))
    dataset.frame = pl.concat(parts) if parts else pl.DataFrame()
    return dataset


def last_date() -> date | None:
    """The latest business date in the ledger (invoice, receipt or credit note)."""
    days = [db.fetch(f"SELECT MAX({_days(column)}) FROM {table}", schema={"day": DAY})["day"][0]  # noqa: S608 - only our column names and date literals made from date objects are formatted in  # nosec B608
            for table, column in (("receivables_invoice", "issue_date"), ("receivables_payment", "payment_date"),
                                  ("receivables_creditnote", "issue_date"))]
    days = [d for d in days if d is not None]
    return pl.Series([max(days)], dtype=pl.Int32).cast(pl.Date)[0] if days else None


def read_customers() -> pl.DataFrame:
    frame = db.fetch(f"SELECT id, code, industry, {_days('cooperation_start')} FROM customers_customer",  # noqa: S608 - only our column names and date literals made from date objects are formatted in  # nosec B608
                     schema={"customer_id": pl.Int64, "customer_code": pl.String, "industry": pl.String,
                             "cooperation_start": DAY})
    return _dates(frame, "cooperation_start")


def read_ledger(as_of: date, customers: pl.DataFrame) -> ledger.LedgerFrames:
    """The ledger up to the outcome horizon of `as_of` (statements up to `as_of`), one query per table."""
    return read_ledger_through(ledger.horizon_end(as_of), as_of, customers)


def read_ledger_through(end: date, statements_until: date, customers: pl.DataFrame) -> ledger.LedgerFrames:
    """Invoices, receipts and credit notes dated up to `end`, statements up to `statements_until`."""
    end_sql, statements_sql = _lit(end), _lit(statements_until)
    rates = rates_on(max(end, business_today()))
    read = _read_all({
        "invoices": lambda: _invoices(end_sql, rates), "receipts": lambda: _receipts(end_sql, rates),
        "credit_notes": lambda: _credit_notes(end_sql, rates), "statements": lambda: _statements(statements_sql)})
    return ledger.LedgerFrames.of(customers=customers, **read)


def _converted(rates: Rates, table: str, column: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as read; MissingRate when `column` came back NULL (a currency of `table` without a rate)."""
    if frame.get_column(column).null_count():
        rates.refuse_unconverted(table)
    return frame


def _dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(pl.Int32).cast(pl.Date) for c in columns)


def _invoices(end: str, rates: Rates) -> pl.DataFrame:
    """Invoices issued by `end`, with what was settled without any dated record (amount less every
    receipt, every credit note and today's open amount): an undated settlement, not a dated fact."""
    def fen(amount: str) -> str:
        return rates.sql_fen(amount, "i.currency")

    frame = _converted(rates, "receivables_invoice", "amount_fen", db.fetch(
        f"SELECT i.id, i.customer_id, {_days('i.issue_date')}, {_days('i.due_date')}, {fen('i.amount')}, "  # noqa: S608 - only our column names, Decimal rates and date literals made from date objects are formatted in  # nosec B608
        f"CASE WHEN i.disputed THEN 1 ELSE 0 END, {fen('(i.amount - i.open_amount)')}, "
        f"{fen('COALESCE(pa.paid, 0)')}, {fen('COALESCE(cn.credited, 0)')} FROM receivables_invoice i "
        "LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid FROM receivables_paymentallocation "
        "GROUP BY invoice_id) pa ON pa.invoice_id = i.id "
        "LEFT JOIN (SELECT invoice_id, SUM(amount) AS credited FROM receivables_creditnote "
        "WHERE invoice_id IS NOT NULL GROUP BY invoice_id) cn ON cn.invoice_id = i.id "
        f"WHERE i.issue_date <= {end}",
        schema={"invoice_id": pl.Int64, "customer_id": pl.Int64, "issue_date": DAY, "due_date": DAY,
                "amount_fen": pl.Int64, "disputed": pl.Int8, "settled_fen": pl.Int64, "paid_fen": pl.Int64,
                "credited_fen": pl.Int64}))
    undated = (pl.col("settled_fen") - pl.col("paid_fen") - pl.col("credited_fen")).clip(lower_bound=0)
    return _dates(frame, "issue_date", "due_date").with_columns(
        pl.col("disputed").cast(pl.Boolean), undated.alias("undated_settled_fen"))


def _receipts(end: str, rates: Rates) -> pl.DataFrame:
    # an allocation is in its receipt's currency, which is its invoice's (cross-currency ones are refused)
    frame = _converted(rates, "receivables_payment", "amount_fen", db.fetch(
        f"SELECT a.invoice_id, {_days('p.payment_date')}, {rates.sql_fen('a.amount', 'p.currency')} "  # noqa: S608 - only our column names, Decimal rates and date literals made from date objects are formatted in  # nosec B608
        "FROM receivables_paymentallocation a JOIN receivables_payment p ON p.id = a.payment_id "
        f"WHERE p.payment_date <= {end}",
        schema={"invoice_id": pl.Int64, "payment_date": DAY, "amount_fen": pl.Int64}))
    return _dates(frame, "payment_date")


def _credit_notes(end: str, rates: Rates) -> pl.DataFrame:
    frame = _converted(rates, "receivables_creditnote", "amount_fen", db.fetch(
        f"SELECT customer_id, invoice_id, {_days('issue_date')}, {rates.sql_fen('amount', 'currency')}, reason "  # noqa: S608 - only our column names, Decimal rates and date literals made from date objects are formatted in  # nosec B608
        f"FROM receivables_creditnote WHERE issue_date <= {end}",
        schema={"customer_id": pl.Int64, "invoice_id": pl.Int64, "issue_date": DAY, "amount_fen": pl.Int64,
                "reason": pl.String}))
    return _dates(frame, "issue_date")


def _statements(as_of: str) -> pl.DataFrame:
    money = ("current_assets", "current_liabilities", "total_assets", "total_liabilities", "revenue")
    frame = db.fetch(
        f"SELECT customer_id, {_days('period_end')}, {', '.join(_fen(c) for c in money)} "  # noqa: S608 - only our column names and date literals made from date objects are formatted in  # nosec B608
        f"FROM customers_financialstatement WHERE period_end <= {as_of}",
        schema={"customer_id": pl.Int64, "period_end": DAY, **{f"{c}_fen": pl.Int64 for c in money}})
    return _dates(frame, "period_end")
