"""The inputs of the credit assessment, per customer, as they stood at the end of a date (point in time).

Design decisions:
- Bulk: one query per table, as polars frames of integers (dates as days since 1970, money as fen);
  nothing loops over ORM objects per customer. The assessment of the whole book reads each table once.
- Point in time, so an assessment for a past date sees only what was known then and a back-test
  cannot leak the future: statements with period_end <= as_of (the latest), invoices issued <= as_of,
  allocations of receipts dated <= as_of; an invoice's open amount at the date is today's plus what was
  paid (receipts dated after it) or credited (credit notes issued after it), as the risk cycle computes
  it; orders dated <= as_of; credit checks reserved on or before it; guarantees valid on it.
- Payment history over the 12 months (365 days) before `as_of`: an invoice due in the window counts as
  paid late when it is still open after its due date, or its last receipt came after the due date;
  days to pay are amount-weighted over receipts in the window (issue → receipt); the maximum days
  overdue takes both receipts in the window (how late they came) and items still open.
  An invoice settled without a recorded receipt (an ERP export of open amounts only) has no known
  payment date and is not counted late.
- A dormant customer (nothing due, received or open in the 12 months) is not "no history": its payment
  metrics fall back to its whole history up to `as_of` (`payment_whole_history` true), so a good payer
  who was quiet for a year keeps its record and a dormant book keeps its grades (no storm of downgrades).
  Only a customer with no invoice ever has no payment history (the policy's missing rule applies).
  Sales stay those of the last 12 months (the limit on our sales follows what we sell now).
- The reads are independent: outside a transaction they run side by side, each on its own connection.
- A missing input is null, never zero: no statement, no payment history in the window, no outlook for
  the industry, no exposure to cover, no cooperation start. The assessment applies the policy's rule.
- Money is in the functional currency, each amount converted at `as_of`'s rate in the query
  (receivables.fx); an amount in a currency without a rate stops the read with MissingRate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import polars as pl
from django.db import connection, connections
from django.utils import timezone

from fengkong.industry.queries import outlook_frame
from fengkong.integrations import db
from fengkong.receivables.fx import Rates, rates_on
from fengkong.receivables.ledger import settled_after_sql

from .choices import ACTIVE_CHECK_STATUSES

WINDOW_DAYS = 365
EPOCH = date(1970, 1, 1)
COVERAGE_CAP = 999.0  # coverage when there is security but no exposure (JSON cannot store infinity)
SECURED = ("collateral", "third_party")
READ_THREADS = min(3, os.cpu_count() or 1)


@dataclass(frozen=True)
class Features:
    as_of: date
    frame: pl.DataFrame  # one row per customer, see COLUMNS

    @property
    def height(self) -> int:
        return self.frame.height


COLUMNS = {
    "customer_id": pl.Int64, "industry": pl.String, "statement_date": pl.Date,
    "current_ratio": pl.Float64, "debt_to_asset": pl.Float64, "revenue_fen": pl.Int64, "equity_fen": pl.Int64,
    "overdue_count_12m": pl.Float64, "avg_days_to_pay": pl.Float64, "max_days_overdue_12m": pl.Float64,
    "industry_outlook": pl.String, "alarm": pl.Boolean, "guarantee_coverage": pl.Float64,
    "guarantee_fen": pl.Int64, "secured_fen": pl.Int64, "cooperation_years": pl.Float64,
    "sales_12m_fen": pl.Int64, "receivables_fen": pl.Int64, "orders_fen": pl.Int64, "reserved_fen": pl.Int64,
    "exposure_fen": pl.Int64, "payment_whole_history": pl.Boolean,
    # knock-outs as they stand now (flags and monitoring's zones are current state, not point in time)
    "ko_danger_zone": pl.Boolean, "ko_stop_supply": pl.Boolean, "ko_litigation": pl.Boolean,
    "ko_blacklist": pl.Boolean,
}
KNOCKOUT_COLUMNS = ("ko_danger_zone", "ko_stop_supply", "ko_litigation", "ko_blacklist")


def day(value: date) -> int:
    return (value - EPOCH).days


def days_sql(column: str) -> str:
    """SQL for the date `column` as whole days since 1970-01-01 (how the frames hold dates), on either database."""
    if db.is_postgres():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def fen_sql(column: str) -> str:
    """SQL for the money `column` (yuan, two decimals) as integer fen."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def date_sql(value: date) -> str:
    """The date `value` as an SQL literal, safe to format into a query: its ISO form is digits and dashes only."""
    return f"'{value.isoformat()}'"


class _Filter:
    """`AND <column> IN (the customers)` with its parameter, or nothing for the whole book."""

    def __init__(self, customer_ids: list[int] | None):
        self.ids = customer_ids

    def __call__(self, column: str) -> tuple[str, list]:
        if self.ids is None:
            return "", []
        where, params = db.key_filter(column, pl.Series(self.ids, dtype=pl.Int64))
        return f" AND {where}", params


def compute(customer_ids: list[int] | None, as_of: date) -> Features:
    """The inputs of every customer in `customer_ids` (None: the whole book) at the end of `as_of`."""
    only, rates = _Filter(customer_ids), rates_on(as_of)
    read = read_all({
        "customers": lambda: _customers(only), "statements": lambda: _statements(only, as_of),
        "invoices": lambda: _invoices(only, as_of, rates), "receipts": lambda: _receipts(only, as_of, rates),
        "exposure": lambda: _exposure(only, as_of, rates), "guarantees": lambda: _guarantees(only, as_of),
        "outlooks": outlook_frame, "knockouts": lambda: _knockouts(only)})
    frame = (read["customers"]
             .join(read["statements"], on="customer_id", how="left")
             .join(_history_with_fallback(read["customers"], read["invoices"], read["receipts"], only, as_of, rates),
                   on="customer_id", how="left")
             .join(read["exposure"], on="customer_id", how="left")
             .join(read["guarantees"], on="customer_id", how="left")
             .join(read["outlooks"], on="industry", how="left")
             .join(read["knockouts"], on="customer_id", how="left"))
    frame = frame.with_columns(pl.col("payment_whole_history").fill_null(False))
    money = ["sales_12m_fen", "receivables_fen", "orders_fen", "reserved_fen", "guarantee_fen", "secured_fen"]
    frame = frame.with_columns([pl.col(c).fill_null(0) for c in money]).with_columns(
        pl.col("alarm").fill_null(False), *[pl.col(c).fill_null(False) for c in KNOCKOUT_COLUMNS],
        (pl.col("receivables_fen") + pl.col("orders_fen") + pl.col("reserved_fen")).alias("exposure_fen"),
        pl.when(pl.col("start_day").is_null()).then(None)
        .otherwise((day(as_of) - pl.col("start_day")).clip(lower_bound=0) / 365.25)
        .alias("cooperation_years"),
    ).with_columns(
        pl.when(pl.col("exposure_fen") > 0)
        .then(pl.min_horizontal(pl.col("guarantee_fen") / pl.col("exposure_fen"), pl.lit(COVERAGE_CAP)))
        .when(pl.col("guarantee_fen") > 0).then(pl.lit(COVERAGE_CAP))
        .otherwise(None).alias("guarantee_coverage"),
    )
    return Features(as_of, frame.select([pl.col(c).cast(t) for c, t in COLUMNS.items()]).sort("customer_id"))


def read_all(reads: dict[str, Callable[[], pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    """Run the reads, side by side on their own connections when no transaction is open (each sees the
    committed book; the database works on several queries at once). Inside a transaction they run in
    turn on its connection, so they see what it wrote."""
    if connection.in_atomic_block or READ_THREADS < 2:
        return {name: read() for name, read in reads.items()}
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        futures = {name: pool.submit(_on_own_connection, read) for name, read in reads.items()}
        return {name: future.result() for name, future in futures.items()}


def _on_own_connection(read: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    try:
        return read()
    finally:
        connections.close_all()  # this worker thread's connections only


def _customers(only: _Filter) -> pl.DataFrame:
    where, params = only("id")
    return db.fetch(f"SELECT id, industry, {days_sql('cooperation_start')} FROM customers_customer "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
                    f"WHERE 1 = 1{where}", params,
                    schema={"customer_id": pl.Int64, "industry": pl.String, "start_day": pl.Int64})


def _statements(only: _Filter, as_of: date) -> pl.DataFrame:
    """The latest statement with period_end <= as_of: ratios, revenue and equity."""
    where, params = only("customer_id")
    money = ("current_assets", "current_liabilities", "total_assets", "total_liabilities", "revenue", "equity")
    rows = db.fetch(
        f"SELECT customer_id, {days_sql('period_end')}, {', '.join(fen_sql(c) for c in money)} "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"FROM customers_financialstatement WHERE period_end <= {date_sql(as_of)}{where}", params,
        schema={"customer_id": pl.Int64, "period_day": pl.Int64, **{c: pl.Int64 for c in money}})
    latest = rows.sort("customer_id", "period_day").group_by("customer_id").last()
    return latest.select(
        "customer_id",
        (pl.lit(EPOCH, pl.Date) + pl.duration(days=pl.col("period_day"))).cast(pl.Date).alias("statement_date"),
        pl.when(pl.col("current_liabilities") > 0)
        .then(pl.col("current_assets") / pl.col("current_liabilities")).alias("current_ratio"),
        pl.when(pl.col("total_assets") > 0)
        .then(pl.col("total_liabilities") / pl.col("total_assets")).alias("debt_to_asset"),
        pl.col("revenue").alias("revenue_fen"), pl.col("equity").alias("equity_fen"),
    )


def _diff(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (SQL dates)."""
    if db.is_postgres():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _invoices(only: _Filter, as_of: date, rates: Rates, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """Per customer, over invoices issued by `as_of`: paid late / due in the window, the most days an open
    item was overdue, receivables then, sales in the window and open items, in functional fen at
    `as_of`'s rates. Aggregated in SQL: a whole book's invoices never cross into Python."""
    where, params = only("i.customer_id")
    lit, start = date_sql(as_of), date_sql(as_of - timedelta(days=window_days))
    day_lit = f"DATE {lit}" if db.is_postgres() else lit
    cap = "LEAST" if db.is_postgres() else "MIN"
    joins, later = settled_after_sql(lit)
    open_then = f"{cap}(i.amount, i.open_amount + {later})"
    receipts = ("FROM receivables_paymentallocation a JOIN receivables_payment p ON p.id = a.payment_id "
                f"WHERE p.payment_date > {start} AND p.payment_date <= {lit}")
    if db.is_postgres():  # a hash join on the last receipt of each invoice
        last_join = (f"LEFT JOIN (SELECT a.invoice_id, MAX(p.payment_date) AS last_paid {receipts} "
                     "GROUP BY a.invoice_id) lp ON lp.invoice_id = i.id")
        last_column, paid_late = ", lp.last_paid", "t.last_paid > t.due_date"
    else:  # SQLite: an indexed probe, only for settled invoices due in the window
        last_join, last_column = "", ""
        paid_late = (f"EXISTS (SELECT 1 {receipts} AND a.invoice_id = t.id AND p.payment_date > t.due_date)")
    inner = (
        f"SELECT i.id, i.customer_id, i.issue_date, i.due_date, {rates.sql_fen('i.amount', 'i.currency')} AS amount_fen, "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"{rates.sql_fen(open_then, 'i.currency')} AS open_fen, {rates.sql_unconverted('i.currency')} AS unconverted"
        f"{last_column} FROM receivables_invoice i {joins} "
        f"{last_join} WHERE i.issue_date <= {lit} AND (i.due_date > {start} OR {open_then} > 0){where}")
    overdue = f"t.open_fen > 0 AND t.due_date < {lit}"
    return _converted(rates, "receivables_invoice", db.fetch(
        "SELECT t.customer_id, "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"SUM(CASE WHEN t.due_date > {start} AND (({overdue}) OR (t.open_fen = 0 AND {paid_late})) "
        "THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.due_date > {start} AND t.due_date <= {lit} THEN 1 ELSE 0 END), "
        f"MAX(CASE WHEN {overdue} THEN {_diff(day_lit, 't.due_date')} END), "
        "CAST(SUM(t.open_fen) AS BIGINT), "
        f"CAST(SUM(CASE WHEN t.issue_date > {start} THEN t.amount_fen ELSE 0 END) AS BIGINT), "
        "SUM(CASE WHEN t.open_fen > 0 THEN 1 ELSE 0 END), SUM(t.unconverted) "
        f"FROM ({inner}) t GROUP BY t.customer_id", params,
        schema={"customer_id": pl.Int64, "late": pl.Int64, "due_in_window": pl.Int64,
                "open_days_overdue": pl.Int64, "receivables_fen": pl.Int64, "sales_12m_fen": pl.Int64,
                "open_items": pl.Int64, UNCONVERTED: pl.Int64}))


def _receipts(only: _Filter, as_of: date, rates: Rates, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """Per customer, over receipts dated in the window (to invoices issued by `as_of`): amount-weighted
    days from issue to receipt, the amount, and the most days a receipt came after its due date."""
    where, params = only("i.customer_id")
    lit, start = date_sql(as_of), date_sql(as_of - timedelta(days=window_days))
    fen = rates.sql_fen("a.amount", "i.currency")  # an allocation is in its invoice's currency
    return _converted(rates, "receivables_invoice", db.fetch(
        f"SELECT i.customer_id, CAST(SUM({fen} * {_diff('p.payment_date', 'i.issue_date')}) AS BIGINT), "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"CAST(SUM({fen}) AS BIGINT), MAX({_diff('p.payment_date', 'i.due_date')}), "
        f"SUM({rates.sql_unconverted('i.currency')}) "
        "FROM receivables_paymentallocation a JOIN receivables_payment p ON p.id = a.payment_id "
        "JOIN receivables_invoice i ON i.id = a.invoice_id "
        f"WHERE p.payment_date > {start} AND p.payment_date <= {lit} AND i.issue_date <= {lit}{where} "
        "GROUP BY i.customer_id", params,
        schema={"customer_id": pl.Int64, "weighted_days": pl.Int64, "paid_fen": pl.Int64,
                "paid_days_late": pl.Int64, UNCONVERTED: pl.Int64}))


PAYMENT_METRICS = ("overdue_count_12m", "avg_days_to_pay", "max_days_overdue_12m")


def _history_with_fallback(customers: pl.DataFrame, invoices: pl.DataFrame, receipts: pl.DataFrame,
                           only: _Filter, as_of: date, rates: Rates) -> pl.DataFrame:
    """The 12 months' payment history; a dormant customer's payment metrics over its whole history."""
    history = _payment_history(invoices, receipts).with_columns(pl.lit(False).alias("payment_whole_history"))
    known = history.filter(pl.col("overdue_count_12m").is_not_null()).select("customer_id")
    dormant = customers.select("customer_id").join(known, on="customer_id", how="anti").get_column("customer_id")
    if dormant.is_empty():
        return history
    whole = _Filter(dormant.to_list())
    days = day(as_of) + 1  # back to 1970: every invoice issued by as_of
    older = _payment_history(_invoices(whole, as_of, rates, days), _receipts(whole, as_of, rates, days)).filter(
        pl.col("overdue_count_12m").is_not_null()).select("customer_id", *PAYMENT_METRICS)
    if older.is_empty():
        return history
    return (history.join(older, on="customer_id", how="full", coalesce=True, suffix="_all")
            .with_columns(pl.col(f"{m}_all").is_not_null().alias("payment_whole_history") for m in PAYMENT_METRICS[:1])
            .with_columns(pl.coalesce(m, f"{m}_all").alias(m) for m in PAYMENT_METRICS)
            .drop(f"{m}_all" for m in PAYMENT_METRICS))


UNCONVERTED = "~unconverted"


def _converted(rates: Rates, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` without its count of rows whose currency had no rate; MissingRate when there were any."""
    if frame.get_column(UNCONVERTED).sum():
        rates.refuse_unconverted(table)
    return frame.drop(UNCONVERTED)


def _payment_history(invoices: pl.DataFrame, receipts: pl.DataFrame) -> pl.DataFrame:
    joined = invoices.join(receipts, on="customer_id", how="full", coalesce=True)
    has_history = ((pl.col("due_in_window").fill_null(0) > 0) | (pl.col("open_items").fill_null(0) > 0)
                   | (pl.col("paid_fen").fill_null(0) > 0))
    return joined.select(
        "customer_id", "receivables_fen", "sales_12m_fen",
        pl.when(has_history).then(pl.col("late").fill_null(0)).cast(pl.Float64).alias("overdue_count_12m"),
        pl.when(pl.col("paid_fen") > 0).then(pl.col("weighted_days") / pl.col("paid_fen")).alias("avg_days_to_pay"),
        pl.when(has_history).then(pl.max_horizontal(pl.col("open_days_overdue").fill_null(0),
                                                    pl.col("paid_days_late").fill_null(0).clip(lower_bound=0)))
        .cast(pl.Float64).alias("max_days_overdue_12m"),
    )


def _exposure(only: _Filter, as_of: date, rates: Rates) -> pl.DataFrame:
    """Open orders dated by `as_of` and credit checks holding a reservation then, per customer, in
    functional fen (a check holds its amount converted when it was made)."""
    where, params = only("customer_id")
    orders = _converted(rates, "receivables_salesorder", db.fetch(
        f"SELECT customer_id, SUM({rates.sql_fen('open_amount', 'currency')}), "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"SUM({rates.sql_unconverted('currency')}) FROM receivables_salesorder "
        f"WHERE open_amount > 0 AND status IN ('open', 'partial') AND order_date <= {date_sql(as_of)}{where} "
        "GROUP BY customer_id", params,
        schema={"customer_id": pl.Int64, "orders_fen": pl.Int64, UNCONVERTED: pl.Int64}))
    reserved = _reserved(only, as_of)
    return orders.join(reserved, on="customer_id", how="full", coalesce=True)


def _reserved(only: _Filter, as_of: date) -> pl.DataFrame:
    where, params = only("customer_id")
    end = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
    statuses = ", ".join(f"'{s}'" for s in ACTIVE_CHECK_STATUSES)
    return db.fetch(
        f"SELECT customer_id, SUM({fen_sql('functional_amount')}) FROM credit_creditcheck "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"WHERE status IN ({statuses}) AND created_at < %s{where} GROUP BY customer_id",
        [connection.ops.adapt_datetimefield_value(end), *params],
        schema={"customer_id": pl.Int64, "reserved_fen": pl.Int64})


def _guarantees(only: _Filter, as_of: date) -> pl.DataFrame:
    """Eligible value (value x eligible %) of guarantees valid on `as_of`: all kinds, and the secured kinds."""
    where, params = only("customer_id")
    lit = date_sql(as_of)
    rows = db.fetch(
        f"SELECT customer_id, kind, {fen_sql('value')}, eligible_percent FROM credit_guarantee "  # noqa: S608 - only our column names, SQL expressions and date literals made from date objects are formatted in; values are parameters  # nosec B608
        f"WHERE valid_from <= {lit} AND (valid_until IS NULL OR valid_until >= {lit}){where}", params,
        schema={"customer_id": pl.Int64, "kind": pl.String, "value_fen": pl.Int64, "percent": pl.Int64})
    eligible = pl.col("value_fen") * pl.col("percent") // 100
    return rows.group_by("customer_id").agg(
        eligible.sum().alias("guarantee_fen"),
        pl.when(pl.col("kind").is_in(SECURED)).then(eligible).otherwise(0).sum().alias("secured_fen"))


def knockouts(customer_ids: list[int] | None = None) -> pl.DataFrame:
    """customer_id and the ko_* columns (true where a knock-out applies now) of every customer under one."""
    return _knockouts(_Filter(customer_ids))


def _knockouts(only: _Filter) -> pl.DataFrame:
    """Customers under a knock-out now: an open item in the danger zone (monitoring's zone 3, as the last
    cycle left it), an active stop-supply flag, litigation or the blacklist (the credit profile's flags)."""
    where, params = only("customer_id")
    schema = {"customer_id": pl.Int64, "kind": pl.String}
    rows = db.fetch(
        f"SELECT customer_id, 'ko_danger_zone' FROM monitoring_itemzone WHERE zone >= 3{where} "  # noqa: S608 - only our column names and a customer filter are formatted in; values are parameters  # nosec B608
        f"UNION SELECT customer_id, 'ko_stop_supply' FROM monitoring_stopsupply WHERE active = %s{where} "
        f"UNION SELECT customer_id, 'ko_litigation' FROM credit_creditprofile WHERE litigation = %s{where} "
        f"UNION SELECT customer_id, 'ko_blacklist' FROM credit_creditprofile WHERE blacklisted = %s{where}",
        [*params, True, *params, True, *params, True, *params], schema=schema)
    frame = rows.with_columns(pl.lit(True).alias("on")).pivot(on="kind", index="customer_id", values="on",
                                                              aggregate_function="first")
    return frame.with_columns([pl.lit(None, pl.Boolean).alias(c) for c in KNOCKOUT_COLUMNS
                               if c not in frame.columns]).select("customer_id", *KNOCKOUT_COLUMNS)
