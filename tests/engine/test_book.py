"""Aging of the whole book: zones, per-customer buckets, sums by key, exposure.

Worked examples first, then configuration errors, then properties checked against a plain Python
reference that ages one item at a time.
"""

from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.engine.aging import DEFAULT_EDGES
from fengkong.engine.book import (
    ZONES,
    ZoneThresholds,
    age_book,
    exposure,
    group_exposure,
    item_zones,
    sum_by,
)

AS_OF = date(2026, 11, 28)


def dates(*days_overdue: int) -> np.ndarray:
    return np.array([AS_OF - timedelta(days=d) for d in days_overdue], dtype="datetime64[D]")


def book(rows: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer id, days overdue, open fen) rows as the three columns."""
    ids, days, fen = zip(*rows, strict=True) if rows else ((), (), ())
    return np.array(ids, dtype=np.int64), dates(*days), np.array(fen, dtype=np.int64)


# --- worked examples ---------------------------------------------------------------------------------

def test_an_invoice_walking_through_29_to_90_days_overdue_changes_zone_at_30_60_and_90():
    days, zones = item_zones(dates(29, 30, 59, 60, 89, 90), AS_OF)
    assert days.dtype == np.int32 and zones.dtype == np.int8
    assert days.tolist() == [29, 30, 59, 60, 89, 90]
    assert [ZONES[z] for z in zones] == ["normal", "attention", "attention", "warning", "warning", "danger"]


def test_items_not_yet_due_have_negative_days_and_are_normal():
    days, zones = item_zones(dates(-15, 0, 1), AS_OF)
    assert days.tolist() == [-15, 0, 1] and zones.tolist() == [0, 0, 0]


def test_custom_thresholds_move_the_zones():
    _, zones = item_zones(dates(14, 15, 45, 100), AS_OF, ZoneThresholds(attention=15, warning=45, danger=120))
    assert [ZONES[z] for z in zones] == ["normal", "attention", "warning", "warning"]


def test_a_small_book_is_aged_by_customer():
    ids, due, fen = book([(7, -10, 100), (3, 45, 200), (7, 0, 50), (3, 100, 400), (7, 31, 25), (9, 400, 1)])
    aging = age_book(ids, due, fen, AS_OF)
    assert aging.customer_ids.tolist() == [3, 7, 9]
    #                         current 1-30 31-60 61-90 91-180 181-365 >365
    assert aging.bucket_fen.tolist() == [[0, 0, 200, 0, 400, 0, 0],
                                         [150, 0, 25, 0, 0, 0, 0],
                                         [0, 0, 0, 0, 0, 0, 1]]
    assert aging.open_fen.tolist() == [600, 175, 1]
    assert aging.overdue_fen.tolist() == [600, 25, 1]
    assert aging.max_days_overdue.tolist() == [100, 31, 400]
    assert [ZONES[z] for z in aging.zone] == ["danger", "attention", "danger"]
    assert aging.items.tolist() == [2, 3, 1]
    assert aging.totals().tolist() == [150, 0, 225, 0, 400, 0, 1]


def test_a_customer_with_nothing_overdue_has_zero_worst_days_and_is_normal():
    aging = age_book(*book([(1, -30, 500), (1, 0, 500)]), AS_OF)
    assert aging.max_days_overdue.tolist() == [0] and aging.zone.tolist() == [0]
    assert aging.overdue_fen.tolist() == [0]


def test_paid_and_credit_rows_are_not_open_items():
    aging = age_book(*book([(1, 50, 0), (1, 95, -300), (2, 10, 80)]), AS_OF)
    assert aging.customer_ids.tolist() == [2]
    assert aging.open_fen.tolist() == [80] and aging.items.tolist() == [1]


def test_an_empty_book_has_no_customers_but_the_right_shape():
    aging = age_book(*book([]), AS_OF)
    assert aging.bucket_fen.shape == (0, len(DEFAULT_EDGES) + 1)
    assert aging.totals().tolist() == [0] * (len(DEFAULT_EDGES) + 1)
    assert aging.to_frame().height == 0


def test_the_frame_has_one_row_per_customer_with_named_bucket_columns():
    aging = age_book(*book([(5, 10, 100), (6, 70, 300)]), AS_OF, edges=(0, 30, 60))
    frame = aging.to_frame()
    assert frame.columns == ["customer_id", "b0", "b1", "b2", "b3", "open_fen", "overdue_fen",
                             "max_days_overdue", "zone", "items"]
    assert frame.row(1) == (6, 0, 0, 0, 300, 300, 300, 70, 2, 1)


def test_edges_not_starting_at_zero_still_split_off_the_overdue_amount():
    aging = age_book(*book([(1, -5, 10), (1, 5, 20), (1, 40, 40)]), AS_OF, edges=(30, 90))
    assert aging.bucket_fen.tolist() == [[30, 40, 0]]
    assert aging.overdue_fen.tolist() == [60]


def test_sums_are_exact_beyond_float_precision():
    big = 2**53 + 1
    aging = age_book(*book([(1, 5, big), (1, 6, 1), (2, 5, 1)]), AS_OF)
    assert aging.bucket_fen[0, 1] == big + 1


def test_a_book_too_large_for_int64_is_refused():
    huge = 2**62
    with pytest.raises(ValueError, match="more than int64"):
        age_book(*book([(1, 5, huge), (2, 5, huge)]), AS_OF)


def test_sums_by_portfolio_add_up_customer_buckets():
    aging = age_book(*book([(1, 10, 100), (2, 40, 200), (3, 10, 400)]), AS_OF)
    keys, sums = sum_by(aging, np.array(["cq", "sc", "cq"]))
    assert keys.tolist() == ["cq", "sc"]
    assert sums[:, :3].tolist() == [[0, 500, 0], [0, 0, 200]]


def test_exposure_adds_receivables_open_orders_and_reserved_orders():
    ids, fen = exposure(np.array([1, 2]), np.array([100, 200]), np.array([2, 3, 3]), np.array([10, 20, 30]),
                        np.array([1]), np.array([5]))
    assert ids.tolist() == [1, 2, 3] and fen.tolist() == [105, 210, 50]


def test_group_exposure_leaves_out_customers_without_a_group():
    groups, fen = group_exposure(np.array([1, 2, 3, 4]), np.array([100, 200, 300, 400]),
                                 np.array([20, -1, 20, 10]))
    assert groups.tolist() == [10, 20] and fen.tolist() == [400, 400]


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"attention": 60, "warning": 30}, "strictly increasing"),
    ({"warning": 90, "danger": 90}, "strictly increasing"),
    ({"attention": 0}, "positive"),
    ({"attention": -30}, "positive"),
    ({"danger": 90.5}, "whole numbers"),
])
def test_bad_zone_thresholds_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ZoneThresholds(**kwargs)


@pytest.mark.parametrize("edges, message", [((30, 30, 60), "strictly increasing"), ((60, 30), "strictly increasing"),
                                            ((-1, 30), "negative"), ((), "at least one")])
def test_bad_bucket_edges_are_refused_with_a_reason(edges, message):
    with pytest.raises(ValueError, match=message):
        age_book(*book([(1, 5, 100)]), AS_OF, edges=edges)


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="one row per open item"):
        age_book(np.array([1, 2]), dates(3), np.array([5, 6]), AS_OF)


def test_an_open_item_without_a_due_date_is_refused():
    due = np.array(["2026-01-01", "NaT"], dtype="datetime64[D]")
    with pytest.raises(ValueError, match="no due date"):
        age_book(np.array([1, 2]), due, np.array([5, 6]), AS_OF)


def test_keys_not_aligned_with_customers_are_refused():
    aging = age_book(*book([(1, 10, 100)]), AS_OF)
    with pytest.raises(ValueError, match="one key per customer"):
        sum_by(aging, np.array([1, 2]))


# --- properties --------------------------------------------------------------------------------------

def reference_aging(ids, days, fen, edges, thresholds):
    """One item at a time, in Python: the meaning of age_book without any of its speed."""
    buckets = defaultdict(lambda: [0] * (len(edges) + 1))
    worst, items, overdue = defaultdict(int), defaultdict(int), defaultdict(int)
    for customer, d, amount in zip(ids, days, fen, strict=True):
        if amount <= 0:
            continue
        buckets[customer][bisect_left(edges, d)] += amount
        worst[customer] = max(worst[customer], d)
        items[customer] += 1
        overdue[customer] += amount if d > 0 else 0
    customers = sorted(buckets)
    zone = [sum(worst[c] >= t for t in thresholds.as_tuple()) for c in customers]
    return customers, [buckets[c] for c in customers], [worst[c] for c in customers], \
        [items[c] for c in customers], [overdue[c] for c in customers], zone


# customer ids: dense from 1 (a database sequence), offset far from 0, negative, or very sparse
id_scales = st.sampled_from([(1, 1), (1, 10**9), (1, 10**12), (-50, 1)])


@st.composite
def books(draw, max_items=60):
    n = draw(st.integers(0, max_items))
    n_customers = draw(st.integers(1, 12))
    base, step = draw(id_scales)
    ids = [base + step * draw(st.integers(0, n_customers)) for _ in range(n)]
    days = draw(st.lists(st.integers(-400, 2000), min_size=n, max_size=n))
    fen = draw(st.lists(st.integers(-10**6, 10**12), min_size=n, max_size=n))
    return ids, days, fen


edges_strategy = st.lists(st.integers(0, 800), min_size=1, max_size=8, unique=True).map(lambda e: tuple(sorted(e)))
thresholds_strategy = st.lists(st.integers(1, 500), min_size=3, max_size=3, unique=True).map(
    lambda t: ZoneThresholds(*sorted(t)))


@settings(max_examples=300, deadline=None)
@given(books(), edges_strategy, thresholds_strategy)
def test_age_book_matches_aging_one_item_at_a_time(data, edges, thresholds):
    ids, days, fen = data
    aging = age_book(np.array(ids, dtype=np.int64), dates(*days), np.array(fen, dtype=np.int64), AS_OF,
                     edges=edges, thresholds=thresholds)
    customers, buckets, worst, items, overdue, zone = reference_aging(ids, days, fen, edges, thresholds)
    assert aging.customer_ids.tolist() == customers
    assert aging.bucket_fen.reshape(-1, len(edges) + 1).tolist() == buckets
    assert aging.max_days_overdue.tolist() == worst
    assert aging.items.tolist() == items
    assert aging.overdue_fen.tolist() == overdue
    assert aging.zone.tolist() == zone


@settings(max_examples=200, deadline=None)
@given(books(), edges_strategy)
def test_bucket_sums_add_up_to_the_open_total(data, edges):
    ids, days, fen = data
    aging = age_book(np.array(ids, dtype=np.int64), dates(*days), np.array(fen, dtype=np.int64), AS_OF, edges)
    assert aging.bucket_fen.sum(axis=1).tolist() == aging.open_fen.tolist()
    assert aging.totals().tolist() == aging.bucket_fen.sum(axis=0).tolist()
    assert int(aging.totals().sum()) == sum(f for f in fen if f > 0)
    assert (aging.overdue_fen <= aging.open_fen).all() and (aging.overdue_fen >= 0).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1000, 5000), min_size=2, max_size=50), thresholds_strategy)
def test_zones_never_go_down_as_days_overdue_go_up(days, thresholds):
    ordered = sorted(days)
    worked, zones = item_zones(dates(*ordered), AS_OF, thresholds)
    assert worked.tolist() == ordered
    assert (np.diff(zones.astype(np.int64)) >= 0).all()
    assert zones.min() >= 0 and zones.max() <= len(ZONES) - 1


@settings(max_examples=200, deadline=None)
@given(books(), st.lists(st.integers(0, 4), min_size=200, max_size=200))
def test_sums_by_key_add_up_to_the_book_totals(data, key_pool):
    ids, days, fen = data
    aging = age_book(np.array(ids, dtype=np.int64), dates(*days), np.array(fen, dtype=np.int64), AS_OF)
    keys = np.array(key_pool[:aging.customer_ids.size], dtype=np.int64)
    unique, sums = sum_by(aging, keys)
    assert unique.tolist() == sorted(set(keys.tolist()))
    assert sums.sum(axis=0).tolist() == aging.totals().tolist()
    for key, row in zip(unique, sums, strict=True):
        assert row.tolist() == aging.bucket_fen[keys == key].sum(axis=0).tolist()


amounts = st.lists(st.tuples(st.integers(1, 20), st.integers(0, 10**12)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(amounts, amounts, amounts)
def test_exposure_is_the_sum_of_its_parts(receivables, orders, reserved):
    def columns(rows):
        return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64)

    ids, fen = exposure(*columns(receivables), *columns(orders), *columns(reserved))
    expected = defaultdict(int)
    for customer, amount in receivables + orders + reserved:
        expected[customer] += amount
    assert ids.tolist() == sorted(expected)
    assert fen.tolist() == [expected[c] for c in sorted(expected)]
    assert int(fen.sum()) == sum(a for _, a in receivables + orders + reserved)


@pytest.mark.parametrize("layout", [lambda c: c, lambda c: c + 10**9, lambda c: c * 10**6, lambda c: c - 3,
                                    lambda c: c * 5])
def test_any_layout_of_customer_ids_gives_the_same_aging(layout):
    # dense from 1, dense far from 0, very sparse, negative, and sparse within a small span
    rows = [(c, d, 100 + c * 7 + d) for c in (1, 2, 4, 9) for d in (-3, 12, 45, 200)]
    ids, due, fen = book(rows)
    plain = age_book(ids, due, fen, AS_OF)
    moved = age_book(layout(ids), due, fen, AS_OF)
    assert moved.customer_ids.tolist() == [layout(c) for c in plain.customer_ids.tolist()]
    for field in ("bucket_fen", "open_fen", "overdue_fen", "max_days_overdue", "zone", "items"):
        assert np.array_equal(getattr(moved, field), getattr(plain, field)), field
