"""Property: snapshot buckets add up to the open total, per customer and for the book, to the fen."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring import policy as policy_module
from fengkong.monitoring.models import BUCKET_FIELDS, ZONE_FIELDS, BookSnapshot, CustomerSnapshot
from fengkong.monitoring.zoning import zone_book
from fengkong.receivables.models import Invoice

AS_OF = date(2026, 11, 28)
EPOCH_DAY = (AS_OF - date(1970, 1, 1)).days

items_strategy = st.lists(st.tuples(st.integers(1, 30), st.integers(-400, 900), st.integers(1, 10**12)),
                          max_size=300)
orders_strategy = st.lists(st.tuples(st.integers(1, 40), st.integers(1, 10**10)), max_size=30)


def frames(items, orders):
    item_frame = pl.DataFrame({"invoice_id": list(range(1, len(items) + 1)), "customer_id": [c for c, _, _ in items],
                               "due_day": [EPOCH_DAY - d for _, d, _ in items], "open_fen": [f for _, _, f in items]},
                              schema={"invoice_id": pl.Int64, "customer_id": pl.Int64, "due_day": pl.Int32,
                                      "open_fen": pl.Int64})
    order_frame = (pl.DataFrame({"customer_id": [c for c, _ in orders], "order_fen": [f for _, f in orders]},
                                schema={"customer_id": pl.Int64, "order_fen": pl.Int64})
                   .group_by("customer_id").agg(pl.col("order_fen").sum()))
    customer_frame = pl.DataFrame({"customer_id": list(range(1, 41)), "portfolio_id": [i % 3 or None for i in range(40)],
                                   "industry": ["C", "E", ""] * 13 + ["K"], "region": ["500103", "510100"] * 20,
                                   "group_id": [None] * 40})
    return item_frame, order_frame, customer_frame


@settings(max_examples=150, deadline=None)
@given(items_strategy, orders_strategy, st.integers(0, 1_000_000))
def test_bucket_and_zone_sums_equal_the_open_total_per_customer_and_for_the_book(items, orders, materiality):
    policy = policy_module.parse({"materiality_cny": f"{materiality / 100:.2f}"})
    item_frame, order_frame, customer_frame = frames(items, orders)
    result = zone_book(item_frame, order_frame, customer_frame, policy, AS_OF)
    customers = result.customers

    expected = item_frame.group_by("customer_id").agg(pl.col("open_fen").sum(), pl.len().alias("n"))
    got = customers.filter(pl.col("open_items") > 0).select("customer_id", "open_amount", "open_items")
    assert sorted(got.iter_rows()) == sorted(expected.iter_rows())
    assert (customers.select(pl.sum_horizontal(*BUCKET_FIELDS)).to_series() == customers["open_amount"]).all()
    assert (customers.select(pl.sum_horizontal(*ZONE_FIELDS)).to_series() == customers["open_amount"]).all()
    assert (customers["exposure"] == customers["open_amount"] + customers["open_orders"]).all()
    for dimension in ("total", "portfolio", "industry", "region", "region_industry"):
        part = result.book.filter(pl.col("dimension") == dimension)
        assert part["open_amount"].sum() == sum(f for _, _, f in items)
        assert sum(part[b].sum() for b in BUCKET_FIELDS) == sum(f for _, _, f in items)
        assert part["customers"].sum() == customers.height


@pytest.mark.django_db
def test_stored_snapshots_add_up_to_the_open_invoices(book, users):
    run_cycle(as_of=AS_OF)
    for snapshot in CustomerSnapshot.objects.filter(as_of=AS_OF):
        assert sum(snapshot.buckets()) == snapshot.open_amount
        assert snapshot.open_amount == Invoice.objects.open().filter(customer=snapshot.customer).totals()["open"]
    total = BookSnapshot.objects.get(as_of=AS_OF, dimension="total", key="")
    assert sum(total.buckets()) == total.open_amount == Invoice.objects.open().totals()["open"]
    assert total.zone_normal + total.zone_attention + total.zone_warning + total.zone_danger == total.open_amount


@pytest.mark.django_db
def test_an_empty_book_still_gets_a_zero_total_snapshot(users):
    run_cycle(as_of=AS_OF)
    total = BookSnapshot.objects.get(as_of=AS_OF, dimension="total", key="")
    assert total.open_amount == 0 and total.customers == 0
