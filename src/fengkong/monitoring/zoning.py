"""From the book's columns to what the cycle writes: per-item zones, per-customer and per-slice snapshots.

Pure (no database): frames in, frames out, so it can be tested on its own. The engine does the aging
(engine.book.age_book), the zones (item_zones) and the exposure; this module adds the policy's
materiality rule and cuts the book by portfolio, industry, province and province × industry.

Materiality: an item whose open amount is below the policy's tolerance (a residue left by a short
payment, bank charges) keeps its money in the aging buckets but counts as normal for zones, so it
neither raises alerts nor keeps a customer in a zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from fengkong.engine.book import age_book, exposure, item_zones

from .choices import Dimension
from .models import BUCKET_FIELDS, ZONE_FIELDS
from .policy import Policy

EPOCH = np.datetime64("1970-01-01", "D")
MONEY = [*BUCKET_FIELDS, "open_amount", "overdue_amount", "open_orders", "exposure"]


@dataclass(frozen=True)
class ZonedBook:
    as_of: date
    items: pl.DataFrame       # invoice_id, customer_id, open_fen, days_overdue, zone, raw_zone
    customers: pl.DataFrame   # one row per customer with open items or orders: snapshot columns (fen) + zones
    book: pl.DataFrame        # one row per (dimension, key): book snapshot columns (fen)


def zone_book(items: pl.DataFrame, orders: pl.DataFrame, customers: pl.DataFrame, policy: Policy,
              as_of: date) -> ZonedBook:
    """Age and zone the book's open items (store.open_items) with the policy's thresholds and materiality."""
    due = items.get_column("due_day").to_numpy().astype("int64").astype("datetime64[D]")
    cids = items.get_column("customer_id").to_numpy()
    open_fen = items.get_column("open_fen").to_numpy()
    thresholds = policy.thresholds()
    days, raw_zone = item_zones(due, as_of, thresholds)
    zone = np.where(open_fen >= policy.materiality_fen, raw_zone, 0).astype(np.int8)
    aging = age_book(cids, due, open_fen, as_of, policy.report_edges, thresholds)
    frame = _customer_frame(aging, cids, open_fen, zone, raw_zone)
    frame = _with_orders(frame, aging, orders, as_of)
    item_frame = items.select("invoice_id", "customer_id", "open_fen").with_columns(
        pl.Series("days_overdue", days), pl.Series("zone", zone), pl.Series("raw_zone", raw_zone))
    return ZonedBook(as_of, item_frame, frame, _book(frame, customers, as_of))


def _customer_frame(aging, cids, open_fen, zone, raw_zone) -> pl.DataFrame:
    n = aging.customer_ids.size
    slot = np.searchsorted(aging.customer_ids, cids)
    customer_zone = np.zeros(n, dtype=np.int8)
    np.maximum.at(customer_zone, slot, zone)
    customer_raw_zone = np.zeros(n, dtype=np.int8)
    np.maximum.at(customer_raw_zone, slot, raw_zone)
    zone_fen = np.zeros(n * 4, dtype=np.int64)
    np.add.at(zone_fen, slot * 4 + zone, open_fen)
    zone_fen = zone_fen.reshape(n, 4)
    columns = {"customer_id": aging.customer_ids}
    columns |= {name: aging.bucket_fen[:, i] for i, name in enumerate(BUCKET_FIELDS)}
    columns |= {"open_amount": aging.open_fen, "overdue_amount": aging.overdue_fen,
                "open_items": aging.items.astype(np.int64), "max_days_overdue": aging.max_days_overdue.astype(np.int64),
                "zone": customer_zone, "raw_zone": customer_raw_zone}
    columns |= {name: zone_fen[:, i] for i, name in enumerate(ZONE_FIELDS)}
    return pl.DataFrame(columns)


def _with_orders(frame: pl.DataFrame, aging, orders: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Add open orders and exposure; customers with orders but no open item get a row of zeros."""
    ids, fen = exposure(aging.customer_ids, aging.open_fen, orders.get_column("customer_id").to_numpy(),
                        orders.get_column("order_fen").to_numpy())
    both = pl.DataFrame({"customer_id": ids, "exposure": fen}).join(
        orders.select("customer_id", pl.col("order_fen").alias("open_orders")), on="customer_id", how="left")
    out = both.join(frame, on="customer_id", how="left")
    zero_fill = [c for c in out.columns if c != "customer_id"]
    return out.with_columns([pl.col(c).fill_null(0) for c in zero_fill]).with_columns(
        pl.lit(as_of, pl.Date).alias("as_of")).sort("customer_id")


def _book(frame: pl.DataFrame, customers: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Sums per slice of the book: the whole book, each portfolio, industry, province, province × industry."""
    keyed = frame.join(customers, on="customer_id", how="left").with_columns(
        pl.lit("").alias(Dimension.TOTAL.value),
        pl.col("portfolio_id").cast(pl.String).fill_null("").alias(Dimension.PORTFOLIO.value),
        pl.col("industry").fill_null("").alias(Dimension.INDUSTRY.value),
        pl.col("region").fill_null("").str.slice(0, 2).alias(Dimension.REGION.value),
    ).with_columns((pl.col(Dimension.REGION.value) + "/" + pl.col(Dimension.INDUSTRY.value))
                   .alias(Dimension.REGION_INDUSTRY.value))
    sums = [pl.col(c).sum() for c in (*MONEY, *ZONE_FIELDS)]
    counts = [pl.len().cast(pl.Int64).alias("customers"),
              (pl.col("overdue_amount") > 0).sum().cast(pl.Int64).alias("overdue_customers")]
    parts = [keyed.group_by(pl.col(d.value).alias("key")).agg(*sums, *counts).with_columns(
        pl.lit(d.value).alias("dimension")) for d in Dimension]
    columns = ["dimension", "key", *MONEY, *ZONE_FIELDS, "customers", "overdue_customers"]
    book = pl.concat([p.select(columns) for p in parts])
    if book.is_empty():  # an empty book still has its (zero) total, so the trend has no gap
        book = pl.DataFrame({c: [0] for c in columns[2:]}).select(
            pl.lit(Dimension.TOTAL.value).alias("dimension"), pl.lit("").alias("key"), pl.all())
    return book.sort("dimension", "key").with_columns(pl.lit(as_of, pl.Date).alias("as_of"))
