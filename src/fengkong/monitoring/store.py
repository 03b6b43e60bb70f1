"""Bulk reads and writes of the risk cycle, as polars frames, on Django's own connection.

Design decisions:
- The book comes out of the database in three queries: every open item as four integer columns
  (invoice id, customer id, due date as days since 1970, open amount in fen), open orders summed per
  customer, and the customers' portfolio / industry / region / group. Integers travel fastest; on
  PostgreSQL the items come through COPY … TO STDOUT.
- Snapshot and item-zone writes reuse the importer's bulk writer (integrations.db.upsert: executemany
  on SQLite, COPY + INSERT … ON CONFLICT on PostgreSQL). A day's snapshots are deleted and rewritten in
  one transaction, so rewriting a day is idempotent.
"""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
from django.db import connection
from django.utils import timezone

from fengkong.integrations import db
from fengkong.integrations.db import DATE, INT, MONEY, TEXT, Target
from fengkong.receivables.fx import Rates, rates_on
from fengkong.receivables.ledger import settled_after_sql

from .models import BUCKET_FIELDS, ZONE_FIELDS, ActionItem, Alert, BookSnapshot, CustomerSnapshot, ItemZone

ITEM_SCHEMA = {"invoice_id": pl.Int64, "customer_id": pl.Int64, "due_day": pl.Int32, "open_fen": pl.Int64}
_MONEY_COLUMNS = {f: MONEY for f in (*BUCKET_FIELDS, "open_amount", "overdue_amount", "open_orders", "exposure")}

CUSTOMER_SNAPSHOTS = Target(CustomerSnapshot._meta.db_table, ("as_of", "customer_id"), {
    "as_of": DATE, "customer_id": INT, **_MONEY_COLUMNS, "open_items": INT, "max_days_overdue": INT, "zone": INT,
}, batch_column=None)
BOOK_SNAPSHOTS = Target(BookSnapshot._meta.db_table, ("as_of", "dimension", "key"), {
    "as_of": DATE, "dimension": TEXT, "key": TEXT, **_MONEY_COLUMNS, "customers": INT, "overdue_customers": INT,
    **{f: MONEY for f in ZONE_FIELDS},
}, batch_column=None)
ITEM_ZONES = Target(ItemZone._meta.db_table, ("invoice_id",), {
    "invoice_id": INT, "customer_id": INT, "zone": INT, "since": DATE, "days_overdue": INT,
}, batch_column=None)

ALERTS = Target(Alert._meta.db_table, ("dedup_key",), {
    "dedup_key": TEXT, "kind": TEXT, "level": INT, "customer_id": INT, "invoice_id": INT, "as_of": DATE,
    "status": TEXT, "resolution": TEXT, "title": TEXT, "details": TEXT, "policy_version": INT,
}, stamps=("raised_at",), batch_column=None)
ACTION_ITEMS = Target(ActionItem._meta.db_table, ("alert_id", "kind"), {
    "kind": TEXT, "customer_id": INT, "alert_id": INT, "assigned_to_id": INT, "status": TEXT, "due_date": DATE,
    "document": TEXT, "note": TEXT,
}, stamps=("created_at",), batch_column=None)


def _day_number(column: str) -> str:
    if db.is_postgres():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def open_items(as_of: date, rates: Rates | None = None) -> pl.DataFrame:
    """Every item open at the end of `as_of`: invoice_id, customer_id, due_day (days since 1970-01-01), open_fen.

    open_fen is in the functional currency, converted at `as_of`'s rates (receivables.fx) in the query; an
    item in a currency without a rate stops the read with MissingRate naming it and the date.

    The book as it stood that day, from today's ledger: invoices issued after `as_of` are left out, and
    what was paid (allocations of receipts dated after it), credited (credit notes issued after it) or
    written off (after it) is added back to today's open amount, capped at the invoice amount
    (receivables.ledger.settled_after_sql). For today nothing is added back, so a cycle for a past date and a cycle run on that date see the same open items.
    """
    rates = rates or rates_on(as_of)
    day = f"'{as_of.isoformat()}'"  # a date object's ISO form: digits and dashes only
    cap = "LEAST" if db.is_postgres() else "MIN"
    joins, later = settled_after_sql(day)
    open_then = f"{cap}(i.amount, i.open_amount + {later})"
    sql = (f"SELECT i.id, i.customer_id, {_day_number('i.due_date')}, {rates.sql_fen(open_then, 'i.currency')} "  # noqa: S608 - only our table and column names and an int() limit are formatted in; values are parameters  # nosec B608
           f"FROM receivables_invoice i {joins} "
           f"WHERE i.issue_date <= {day} AND {open_then} > 0")
    items = _read_items(sql)
    if items.get_column("open_fen").null_count():
        rates.refuse_unconverted("receivables_invoice")
    return items


def _read_items(sql: str) -> pl.DataFrame:
    if not db.is_postgres():
        return db.fetch(sql, schema=ITEM_SCHEMA)
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(ITEM_SCHEMA), schema_overrides=ITEM_SCHEMA)


def open_orders(as_of: date | None = None, rates: Rates | None = None) -> pl.DataFrame:
    """Open (not yet invoiced) sales orders summed per customer in the functional currency: customer_id,
    order_fen (converted at `as_of`'s rates, default today's)."""
    rates = rates or rates_on(as_of or timezone.localdate())
    orders = db.fetch(f"SELECT customer_id, SUM({rates.sql_fen('open_amount', 'currency')}), "  # noqa: S608 - only codes and Decimal rates are formatted in (receivables.fx)  # nosec B608
                      "COUNT(*) - COUNT(" + rates.sql_fen('open_amount', 'currency') + ") FROM receivables_salesorder "
                      "WHERE open_amount > 0 AND status IN ('open', 'partial') GROUP BY customer_id",
                      schema={"customer_id": pl.Int64, "order_fen": pl.Int64, "~unconverted": pl.Int64})
    if orders.get_column("~unconverted").sum():
        rates.refuse_unconverted("receivables_salesorder")
    return orders.drop("~unconverted")


def customers() -> pl.DataFrame:
    return db.fetch("SELECT id, portfolio_id, industry, region, group_id FROM customers_customer",
                    schema={"customer_id": pl.Int64, "portfolio_id": pl.Int64, "industry": pl.String,
                            "region": pl.String, "group_id": pl.Int64})


def item_zones() -> pl.DataFrame:
    """The zones stored by the last run: invoice_id, zone_before, since_before."""
    frame = db.fetch(f"SELECT invoice_id, zone, CAST(since AS TEXT) FROM {ITEM_ZONES.table}",  # noqa: S608 - only our table and column names and an int() limit are formatted in; values are parameters  # nosec B608
                     schema={"invoice_id": pl.Int64, "zone_before": pl.Int8, "since_before": pl.String})
    return frame.with_columns(pl.col("since_before").str.slice(0, 10).str.to_date("%Y-%m-%d"))


def write_customer_snapshots(as_of: date, frame: pl.DataFrame) -> None:
    CustomerSnapshot.objects.filter(as_of=as_of).delete()
    db.upsert(CUSTOMER_SNAPSHOTS, frame.select(list(CUSTOMER_SNAPSHOTS.columns)), [], None)


def write_book_snapshots(as_of: date, frame: pl.DataFrame) -> None:
    BookSnapshot.objects.filter(as_of=as_of).delete()
    db.upsert(BOOK_SNAPSHOTS, frame.select(list(BOOK_SNAPSHOTS.columns)), [], None)


def replace_item_zones(frame: pl.DataFrame) -> None:
    """Make ItemZone hold exactly `frame` (invoice_id, customer_id, zone, since, days_overdue)."""
    ItemZone.objects.all().delete()
    db.upsert(ITEM_ZONES, frame.select(list(ITEM_ZONES.columns)), [], None)


def insert_alerts(alerts: list[Alert]) -> None:
    """Insert alerts in bulk; an alert whose dedup key is already stored is skipped (ON CONFLICT DO NOTHING)."""
    if not alerts:
        return
    frame = pl.DataFrame({
        "dedup_key": [a.dedup_key for a in alerts], "kind": [str(a.kind) for a in alerts],
        "level": [int(a.level) for a in alerts], "customer_id": [a.customer_id for a in alerts],
        "invoice_id": [a.invoice_id for a in alerts], "as_of": [a.as_of for a in alerts],
        "status": [str(a.status) for a in alerts], "resolution": ["" for _ in alerts],
        "title": [a.title for a in alerts], "details": [json.dumps(a.details, ensure_ascii=False) for a in alerts],
        "policy_version": [a.policy_version for a in alerts],
    }, schema={"dedup_key": pl.String, "kind": pl.String, "level": pl.Int64, "customer_id": pl.Int64,
               "invoice_id": pl.Int64, "as_of": pl.Date, "status": pl.String, "resolution": pl.String,
               "title": pl.String, "details": pl.String, "policy_version": pl.Int64})
    db.upsert(ALERTS, frame, [], None)


def insert_action_items(items: list[ActionItem]) -> None:
    """Insert action items in bulk; one already stored for the same alert and kind is skipped."""
    if not items:
        return
    frame = pl.DataFrame({
        "kind": [str(i.kind) for i in items], "customer_id": [i.customer_id for i in items],
        "alert_id": [i.alert_id for i in items], "assigned_to_id": [i.assigned_to_id for i in items],
        "status": [str(i.status) for i in items], "due_date": [i.due_date for i in items],
        "document": ["" for _ in items], "note": ["" for _ in items],
    }, schema={"kind": pl.String, "customer_id": pl.Int64, "alert_id": pl.Int64, "assigned_to_id": pl.Int64,
               "status": pl.String, "due_date": pl.Date, "document": pl.String, "note": pl.String})
    db.upsert(ACTION_ITEMS, frame, [], None)


def claim(column: str, where: str = "", limit: int | None = None) -> list[int]:
    """Set `column` to now on alerts where it is NULL (and `where`), returning the ids claimed.

    One conditional UPDATE … RETURNING: on PostgreSQL a concurrent claimer waits on the locked rows and
    then finds them taken; on SQLite the IMMEDIATE transaction already holds the write lock.
    """
    condition = f"{column} IS NULL" + (f" AND {where}" if where else "")
    picked = ""
    if limit:
        # The ids are picked once, in a materialised CTE: as a subquery of the UPDATE's WHERE, PostgreSQL may run
        # `LIMIT … FOR UPDATE SKIP LOCKED` once per row, and claim every row (tests/monitoring/test_store_claim.py).
        locking = " FOR UPDATE SKIP LOCKED" if db.is_postgres() else ""
        picked = (f"WITH picked AS MATERIALIZED (SELECT id FROM {ALERTS.table} WHERE {condition} ORDER BY id "  # noqa: S608 - only our table and column names and an int() limit are formatted in; values are parameters  # nosec B608
                  f"LIMIT {int(limit)}{locking}) ")
        condition = f"id IN (SELECT id FROM picked) AND {column} IS NULL"  # noqa: S608 - our column name only  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(f"{picked}UPDATE {ALERTS.table} SET {column} = %s WHERE {condition} RETURNING id",  # noqa: S608 - only our table and column names and an int() limit are formatted in; values are parameters  # nosec B608
                       [connection.ops.adapt_datetimefield_value(timezone.now())])
        return sorted(row[0] for row in cursor.fetchall())
