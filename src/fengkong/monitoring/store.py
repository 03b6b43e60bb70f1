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
from datetime import date

import polars as pl
from django.db import connection

from fengkong.integrations import db
from fengkong.integrations.db import DATE, INT, MONEY, TEXT, Target

from .models import BUCKET_FIELDS, ZONE_FIELDS, BookSnapshot, CustomerSnapshot, ItemZone

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


def _day_number(column: str) -> str:
    if db.is_postgres():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def open_items() -> pl.DataFrame:
    """Every open item: invoice_id, customer_id, due_day (days since 1970-01-01), open_fen."""
    sql = (f"SELECT id, customer_id, {_day_number('due_date')}, CAST(ROUND(open_amount * 100) AS BIGINT) "  # noqa: S608
           "FROM receivables_invoice WHERE open_amount > 0")
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


def open_orders() -> pl.DataFrame:
    """Open (not yet invoiced) sales orders summed per customer: customer_id, order_fen."""
    return db.fetch("SELECT customer_id, SUM(CAST(ROUND(open_amount * 100) AS BIGINT)) FROM receivables_salesorder "
                    "WHERE open_amount > 0 AND status IN ('open', 'partial') GROUP BY customer_id",
                    schema={"customer_id": pl.Int64, "order_fen": pl.Int64})


def customers() -> pl.DataFrame:
    return db.fetch("SELECT id, portfolio_id, industry, region, group_id FROM customers_customer",
                    schema={"customer_id": pl.Int64, "portfolio_id": pl.Int64, "industry": pl.String,
                            "region": pl.String, "group_id": pl.Int64})


def item_zones() -> pl.DataFrame:
    """The zones stored by the last run: invoice_id, zone_before, since_before."""
    frame = db.fetch(f"SELECT invoice_id, zone, CAST(since AS TEXT) FROM {ITEM_ZONES.table}",  # noqa: S608
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
