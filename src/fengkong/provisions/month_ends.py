"""The ledger as the engine needs it for a provision: every invoice that was open at one of the month-ends,
and every settlement after the first of them (receipts, credit notes, write-offs — the last marked, so the
roll rates count them as rolled), in two queries (docs/provisions.md).

Design decisions:
- The point-in-time rule is monitoring's (monitoring.store.open_items): today's open amount plus what was
  paid (allocations of receipts dated after the month-end), credited (credit notes issued after it) or
  written off after it, capped
  at the invoice amount. Here the engine applies it to all month-ends at once from the settlements.
- Amounts are converted to the functional currency at the provision date's rates (receivables.fx), the rates
  the balance sheet uses; an item in a currency without a rate stops the run with MissingRate.
- Dates travel as ISO text and become day numbers in polars, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from fengkong.engine import provisions as engine
from fengkong.integrations import db
from fengkong.receivables.fx import Rates

RAW_ITEMS = {"invoice_id": pl.Int64, "customer_id": pl.Int64, "issue": pl.String, "due": pl.String,
             "amount_fen": pl.Int64, "open_fen": pl.Int64}
RAW_EVENTS = {"invoice_id": pl.Int64, "day": pl.String, "amount_fen": pl.Int64, "written_off": pl.Int64}
EPOCH_DAY = pl.date(1970, 1, 1)


def _days(column: str) -> pl.Expr:
    return (pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d") - EPOCH_DAY).dt.total_days().cast(pl.Int32)


def ledger(first: date, last: date, rates: Rates) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(items, events) in the engine's schemas for the month-ends from `first` to `last`."""
    since, until = f"'{first.isoformat()}'", f"'{last.isoformat()}'"  # ISO dates: digits and dashes only
    allocations = ("SELECT a.invoice_id, CAST(p.payment_date AS TEXT) AS day, a.amount, 0 AS written_off "  # noqa: S608 - an ISO date only  # nosec B608
                   "FROM receivables_paymentallocation a "
                   f"JOIN receivables_payment p ON p.id = a.payment_id WHERE p.payment_date > {since}")
    credits = ("SELECT invoice_id, CAST(issue_date AS TEXT) AS day, amount, 0 AS written_off "  # noqa: S608 - an ISO date only  # nosec B608
               f"FROM receivables_creditnote WHERE issue_date > {since} AND invoice_id IS NOT NULL "
               "UNION ALL SELECT invoice_id, CAST(written_off_on AS TEXT), amount, 1 FROM receivables_writeoff "
               f"WHERE written_off_on > {since}")
    items_sql = (f"SELECT i.id, i.customer_id, CAST(i.issue_date AS TEXT), CAST(i.due_date AS TEXT), "  # noqa: S608 - only our table and column names, ISO dates and Decimal rates are formatted in  # nosec B608
                 f"{rates.sql_fen('i.amount', 'i.currency')}, {rates.sql_fen('i.open_amount', 'i.currency')} "
                 f"FROM receivables_invoice i WHERE i.issue_date <= {until} AND (i.open_amount > 0 "
                 f"OR i.id IN (SELECT invoice_id FROM ({allocations}) s1) "
                 f"OR i.id IN (SELECT invoice_id FROM ({credits}) s2))")
    events_sql = (f"SELECT e.invoice_id, e.day, {rates.sql_fen('e.amount', 'i.currency')}, e.written_off "  # noqa: S608 - as above  # nosec B608
                  f"FROM ({allocations} UNION ALL {credits}) e JOIN receivables_invoice i ON i.id = e.invoice_id "
                  f"WHERE i.issue_date <= {until}")
    items = db.fetch(items_sql, schema=RAW_ITEMS)
    events = db.fetch(events_sql, schema=RAW_EVENTS)
    if items.get_column("amount_fen").null_count() or events.get_column("amount_fen").null_count():
        rates.refuse_unconverted("receivables_invoice")
    items = items.select("invoice_id", "customer_id", _days("issue").alias("issue_day"),
                         _days("due").alias("due_day"), "amount_fen", "open_fen")
    events = events.select("invoice_id", _days("day").alias("day"), "amount_fen",
                           (pl.col("written_off") == 1).alias("written_off"))
    return items.cast(engine.ITEMS_SCHEMA), events.cast(engine.EVENTS_SCHEMA)
