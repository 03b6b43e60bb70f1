"""Aging buckets: worked examples, configuration errors, and properties of the arithmetic."""

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fengkong.engine.aging import DEFAULT_EDGES, age, bucket_bounds, check_edges

AS_OF = date(2026, 11, 28)


def dates(*days_overdue: int) -> np.ndarray:
    return np.array([AS_OF - timedelta(days=d) for d in days_overdue], dtype="datetime64[D]")


def test_default_buckets_are_the_report_buckets():
    assert bucket_bounds(DEFAULT_EDGES) == [(None, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, 365),
                                            (366, None)]


def test_an_invoice_lands_in_the_bucket_of_its_days_overdue():
    profile = age(dates(-10, 0, 1, 30, 31, 61, 91, 181, 365, 366, 2000),
                  np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]), AS_OF)
    assert [b.amount_fen for b in profile.buckets] == [1 + 2, 4 + 8, 16, 32, 64, 128 + 256, 512 + 1024]
    assert [b.items for b in profile.buckets] == [2, 2, 1, 1, 1, 2, 2]


def test_overdue_excludes_what_is_not_yet_due_or_due_today():
    profile = age(dates(-5, 0, 3), np.array([100_00, 200_00, 50_00]), AS_OF)
    assert profile.overdue_fen == 50_00
    assert profile.total_fen == 350_00
    assert profile.buckets[0].is_current


def test_an_empty_book_has_empty_buckets():
    profile = age(np.array([], dtype="datetime64[D]"), np.array([], dtype=np.int64), AS_OF)
    assert profile.total_fen == 0 and len(profile.buckets) == len(DEFAULT_EDGES) + 1


def test_custom_edges_give_one_more_bucket_than_edges():
    profile = age(dates(10, 40, 100), np.array([1, 2, 3]), AS_OF, edges=(30, 90))
    assert [(b.low, b.high, b.amount_fen) for b in profile.buckets] == [(None, 30, 1), (31, 90, 2), (91, None, 3)]
    assert not profile.buckets[0].is_current


def test_sums_are_exact_for_amounts_beyond_float_precision():
    big = 2**53 + 1
    profile = age(dates(5, 6), np.array([big, 1]), AS_OF)
    assert profile.buckets[1].amount_fen == big + 1


@pytest.mark.parametrize("edges, message", [((), "at least one"), ((-1, 30), "negative"),
                                            ((0, 30, 30), "strictly increasing")])
def test_bad_bucket_edges_are_refused_with_a_reason(edges, message):
    with pytest.raises(ValueError, match=message):
        check_edges(edges)


def test_mismatched_columns_are_refused():
    with pytest.raises(ValueError, match="2 due dates but 1 amounts"):
        age(dates(1, 2), np.array([5]), AS_OF)


def test_pre_aggregated_rows_count_the_items_they_stand_for():
    profile = age(dates(-3, 40), np.array([500, 700]), AS_OF, items=np.array([4, 2]))
    assert [b.items for b in profile.buckets][:3] == [4, 0, 2]
    assert profile.total_fen == 1200


def reference_bucket(days: int, edges: tuple[int, ...]) -> int:
    return next((i for i, edge in enumerate(edges) if days <= edge), len(edges))


items = st.lists(st.tuples(st.integers(-400, 4000), st.integers(0, 10**12)), max_size=60)
edge_sets = st.lists(st.integers(0, 1000), min_size=1, max_size=8, unique=True).map(lambda e: tuple(sorted(e)))


@given(items, edge_sets)
def test_every_fen_is_counted_once_in_the_bucket_a_plain_loop_would_choose(rows, edges):
    days = [d for d, _ in rows]
    amounts = np.array([a for _, a in rows], dtype=np.int64)
    profile = age(dates(*days), amounts, AS_OF, edges)
    expected = [0] * (len(edges) + 1)
    for d, amount in rows:
        expected[reference_bucket(d, edges)] += amount
    assert [b.amount_fen for b in profile.buckets] == expected
    assert profile.total_fen == sum(a for _, a in rows)
    assert profile.overdue_fen == sum(a for d, a in rows if d > 0)
