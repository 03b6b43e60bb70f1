"""Judging promises (engine.promises): the worked cases, and any promise and receipts against a plain reading."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.engine.promises import PAID_SCHEMA, PROMISE_SCHEMA, judge

AS_OF = date(2026, 7, 10)


def frames(promises, paid):
    return (pl.DataFrame(promises, schema=PROMISE_SCHEMA, orient="row"),
            pl.DataFrame(paid, schema=PAID_SCHEMA, orient="row"))


def test_kept_within_tolerance_partially_kept_broken_and_not_yet_due():
    promises, paid = frames([
        (1, 10_000_00, AS_OF, 100_00, 5_000_00),        # 9,950 paid: short by 50, within 100 of tolerance
        (2, 10_000_00, AS_OF, 100_00, 5_000_00),        # 3,000 paid
        (3, 10_000_00, AS_OF, 100_00, 5_000_00),        # nothing
        (4, 10_000_00, AS_OF + timedelta(days=1), 0, 5_000_00),   # not yet to be judged
        (5, 10_000_00, AS_OF + timedelta(days=9), 0, 0),          # invoices settled: kept at once
    ], [(1, 9_000_00), (1, 950_00), (2, 3_000_00)])
    assert sorted(judge(promises, paid, AS_OF).iter_rows()) == [
        (1, 9_950_00, "kept"), (2, 3_000_00, "partially_kept"), (3, 0, "broken"), (5, 0, "kept")]


PROMISE = st.tuples(st.integers(1, 10**9), st.integers(-5, 5), st.integers(0, 10**6), st.integers(0, 10**9))


@settings(max_examples=200, deadline=None)
@given(st.lists(PROMISE, max_size=30), st.lists(st.tuples(st.integers(0, 29), st.integers(1, 10**9)), max_size=60))
def test_any_promises_are_judged_as_a_plain_reading_says(rows, receipts):
    promises = [(i + 1, amount, AS_OF + timedelta(days=d), tol, open_now)
                for i, (amount, d, tol, open_now) in enumerate(rows)]
    paid = [(i % len(promises) + 1, fen) for i, fen in receipts] if promises else []
    judged = {pid: (fen, state) for pid, fen, state in judge(*frames(promises, paid), AS_OF).iter_rows()}
    expected = {}
    for pid, amount, day, tol, open_now in promises:
        got = sum(fen for p, fen in paid if p == pid)
        if day <= AS_OF or open_now <= 0:
            kept = open_now <= 0 or got >= amount - tol
            expected[pid] = (got, "kept" if kept else "partially_kept" if got else "broken")
    assert judged == expected


def test_instalments_count_what_was_paid_beyond_the_earlier_ones_up_to_their_own_amount():
    from fengkong.engine.promises import AHEAD_SCHEMA

    # a plan of 6,000 + 6,000 + 2,000 on the same invoices; 9,000 paid by the second one's date, 9,000 by the third's
    promises, paid = frames([
        (1, 6_000_00, AS_OF, 100_00, 5_000_00),
        (2, 6_000_00, AS_OF, 100_00, 5_000_00),
        (3, 2_000_00, AS_OF, 100_00, 5_000_00),
        (4, 1_000_00, AS_OF, 0, 5_000_00),          # a plain promise: no ahead row, paid as it is
    ], [(1, 9_000_00), (2, 9_000_00), (3, 9_000_00), (4, 1_500_00)])
    ahead = pl.DataFrame([(1, 0), (2, 6_000_00), (3, 12_000_00)], schema=AHEAD_SCHEMA, orient="row")
    assert sorted(judge(promises, paid, AS_OF, ahead).iter_rows()) == [
        (1, 6_000_00, "kept"), (2, 3_000_00, "partially_kept"), (3, 0, "broken"), (4, 1_500_00, "kept")]
