"""Worked examples of the provision matrix (issue 15): a small book of seven invoices over three month-ends,
five buckets (current, 1–30, 31–60, 61–90, >90), computed by hand below and by the engine."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.engine import provisions as pv

EDGES = (0, 30, 60, 90)
MONTHS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
D = pv.day_number
# invoice, customer, issued, due, amount, open today (fen)
BOOK = [
    (1, 1, date(2026, 1, 1), date(2026, 1, 31), 100000, 0),
    (2, 1, date(2025, 12, 1), date(2025, 12, 31), 50000, 50000),
    (3, 2, date(2025, 11, 1), date(2025, 11, 30), 80000, 0),
    (4, 2, date(2025, 11, 15), date(2025, 12, 15), 30000, 20000),
    (5, 3, date(2026, 2, 1), date(2026, 3, 2), 70000, 50000),
    (6, 3, date(2025, 12, 10), date(2026, 1, 10), 40000, 0),
    (7, 1, date(2026, 1, 29), date(2026, 2, 28), 25000, 20000),
]
# invoice, day, amount, written off
EVENTS = [
    (1, date(2026, 2, 10), 40000, False), (1, date(2026, 3, 15), 60000, False),
    (3, date(2026, 2, 20), 80000, True),
    (4, date(2026, 3, 5), 10000, False),
    (5, date(2026, 3, 20), 20000, False),
    (6, date(2026, 2, 5), 30000, False), (6, date(2026, 3, 10), 10000, False),
    (7, date(2026, 3, 1), 5000, False),
]


def items() -> pl.DataFrame:
    return pl.DataFrame([(i, c, D(s), D(d), a, o) for i, c, s, d, a, o in BOOK], schema=pv.ITEMS_SCHEMA,
                        orient="row")


def events(rows=EVENTS) -> pl.DataFrame:
    return pl.DataFrame([(i, D(d), a, w) for i, d, a, w in rows], schema=pv.EVENTS_SCHEMA, orient="row")


def snapshots(rows=EVENTS):
    return pv.month_end_snapshots(items(), events(rows), MONTHS, EDGES)


# By hand. Jan→Feb: #1 current 1000.00 → 1–30 600.00 (rolled 600, collected 400); #2 31–60 stays;
# #3 61–90 800.00 written off (rolled); #4 31–60 → 61–90 (rolled 300); #6 1–30 400.00 → 31–60 100.00
# (rolled 100, collected 300); #7 current stays. Feb→Mar: #1 1–30 paid (collected 600); #2 31–60 → 61–90
# (rolled 500); #4 61–90 300 → >90 200 (rolled 200, collected 100); #5 current 700 → 1–30 500 (rolled 500,
# collected 200); #6 31–60 paid (collected 100); #7 current 250 → 31–60 200 (rolled 200, collected 50).
ROLLED = [60000 + 50000 + 20000, 10000, 30000 + 50000, 80000 + 20000, 0]
COLLECTED = [40000 + 20000 + 5000, 30000 + 60000, 10000, 10000, 0]
RECOVERY = Fraction(1, 5)


def hand_loss_rates(multiplier=Fraction(1)):
    roll = [Fraction(r, r + c) for r, c in zip(ROLLED[:-1], COLLECTED[:-1], strict=True)]
    assert roll == [Fraction(2, 3), Fraction(1, 10), Fraction(8, 9), Fraction(10, 11)]
    to_default = [Fraction(1)] * 5
    for b in range(3, -1, -1):
        to_default[b] = roll[b] * to_default[b + 1]
    return [min(Fraction(1), t * (1 - RECOVERY) * multiplier) for t in to_default]


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2))


# At 31 March: customer 1 has #2 in 61–90 (500.00) and #7 in 31–60 (200.00); customer 2 #4 in >90 (200.00);
# customer 3 #5 in 1–30 (500.00).
BALANCES = {(1, 3): 50000, (1, 2): 20000, (2, 4): 20000, (3, 1): 50000}


def hand_provision(multiplier=Fraction(1)):
    loss = hand_loss_rates(multiplier)
    return {key: half_up(fen * loss[key[1]]) for key, fen in BALANCES.items()}


def engine_provision(scenarios=(), individuals=(), rows=EVENTS):
    snaps = snapshots(rows)
    rolled, collected = pv.roll_flows(snaps, len(EDGES) + 1, len(MONTHS))
    mat = pv.matrix(rolled, collected, EDGES, float(RECOVERY), scenarios)
    result = pv.provide(snaps.filter(pl.col("month") == len(MONTHS) - 1), mat, individuals)
    return mat, result, {(c, b): p for c, b, p in result.lines.select("customer_id", "bucket", "provision_fen")
                         .iter_rows()}


def test_month_end_snapshots_are_the_book_as_it_stood_then():
    snaps = snapshots()
    at = {(m, i): (b, o) for m, i, b, o in snaps.select("month", "invoice_id", "bucket", "open_fen").iter_rows()}
    assert at == {
        (0, 1): (0, 100000), (0, 2): (2, 50000), (0, 3): (3, 80000), (0, 4): (2, 30000), (0, 6): (1, 40000),
        (0, 7): (0, 25000),
        (1, 1): (1, 60000), (1, 2): (2, 50000), (1, 4): (3, 30000), (1, 5): (0, 70000), (1, 6): (2, 10000),
        (1, 7): (0, 25000),
        (2, 2): (3, 50000), (2, 4): (4, 20000), (2, 5): (1, 50000), (2, 7): (2, 20000),
    }


def test_the_provision_matrix_by_hand_equals_the_engine_to_the_fen():
    mat, result, lines = engine_provision()
    assert list(mat.rolled_fen) == ROLLED and list(mat.collected_fen) == COLLECTED
    for engine_rate, hand in zip(mat.loss_rates, hand_loss_rates(), strict=True):
        assert engine_rate == pytest.approx(float(hand), abs=1e-12)
    assert lines == hand_provision() == {(1, 3): 36364, (1, 2): 12929, (2, 4): 16000, (3, 1): 3232}
    assert result.total_fen == 68525 and result.gross_fen == 140000


def test_write_offs_are_counted_as_rolled_not_collected():
    mat, _, _ = engine_provision()
    assert mat.rolled_fen[3] == 100000 and mat.collected_fen[3] == 10000
    # The same settlement as a payment instead of a write-off is collected: bucket 61–90 rolls far less.
    paid = [(i, d, a, False) for i, d, a, _ in EVENTS]
    as_paid, _, _ = engine_provision(rows=paid)
    assert as_paid.rolled_fen[3] == 20000 and as_paid.collected_fen[3] == 90000
    assert as_paid.roll_rates[3] < mat.roll_rates[3]


def test_a_scenario_adjustment_changes_the_provision_by_the_weighted_multiplier():
    scenarios = (pv.Scenario("base", 0.6, 1.0), pv.Scenario("adverse", 0.3, 1.5),
                 pv.Scenario("favourable", 0.1, 0.8))
    mat, result, lines = engine_provision(scenarios)
    assert mat.multiplier == pytest.approx(1.13)
    assert lines == hand_provision(Fraction(113, 100))
    for adjusted, loss in zip(mat.adjusted_rates, mat.loss_rates, strict=True):
        assert adjusted == pytest.approx(loss * 1.13)


def test_an_individual_provision_replaces_the_matrix_for_that_customer():
    _, result, lines = engine_provision(individuals=(pv.Individual(1, rate=1.0, reason="bankruptcy"),))
    assert lines[(1, 3)] == 50000 and lines[(1, 2)] == 20000
    assert lines[(2, 4)] == 16000 and lines[(3, 1)] == 3232
    flagged = {(c, b): f for c, b, f in result.lines.select("customer_id", "bucket", "individual").iter_rows()}
    assert flagged[(1, 3)] and flagged[(1, 2)] and not flagged[(2, 4)] and not flagged[(3, 1)]
    _, _, by_amount = engine_provision(individuals=(pv.Individual(1, amount_fen=60000),))
    assert by_amount[(1, 3)] == 50000 and by_amount[(1, 2)] == 10000  # placed from the oldest bucket down


def test_scenario_probabilities_must_add_up_to_one():
    with pytest.raises(ValueError, match="add up to 0.9"):
        pv.weighted_multiplier([pv.Scenario("base", 0.5, 1), pv.Scenario("adverse", 0.4, 2)])


def test_the_movement_balances():
    m = pv.movement(opening_fen=100000, closing_fen=68525, write_off_fen=80000, recoveries_fen=5000)
    assert (m.charge_fen, m.reversal_fen) == (43525, 0)
    assert m.opening_fen + m.charge_fen - m.reversal_fen - m.write_off_fen + m.recoveries_fen == m.closing_fen
    down = pv.movement(opening_fen=100000, closing_fen=50000, write_off_fen=0, recoveries_fen=0)
    assert (down.charge_fen, down.reversal_fen) == (0, 50000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 120), st.integers(1, 10**7), st.integers(0, 100),
                          st.integers(0, 100), st.booleans()), min_size=1, max_size=30))
def test_snapshots_match_a_month_by_month_reading(rows):
    """Property: the vectorised month-ends equal a plain reading of each month-end on its own."""
    months = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    base = D(date(2025, 12, 1))
    book, evs = [], []
    for n, (issue, amount, paid_share, pay_offset, wo) in enumerate(rows):
        paid = amount * paid_share // 100
        book.append((n, n % 3, base + issue, base + issue + 30, amount, amount - paid))
        if paid:
            evs.append((n, base + issue + pay_offset, paid, wo))
    it = pl.DataFrame(book, schema=pv.ITEMS_SCHEMA, orient="row")
    ev = pl.DataFrame(evs, schema=pv.EVENTS_SCHEMA, orient="row")
    snaps = pv.month_end_snapshots(it, ev, months, EDGES)
    got = {(m, i): o for m, i, o in snaps.select("month", "invoice_id", "open_fen").iter_rows()}
    bucket = {(m, i): b for m, i, b in snaps.select("month", "invoice_id", "bucket").iter_rows()}
    want = {}
    for k, month in enumerate(months):
        for n, _, issue, _, amount, open_now in book:
            after = sum(a for i, d, a, _ in evs if i == n and d > D(month))
            value = min(amount, open_now + after)
            if issue <= D(month) and value > 0:
                want[(k, n)] = value
    assert got == want
    rolled, collected = pv.roll_flows(snaps, len(EDGES) + 1, len(months))
    shuffled = pv.roll_flows(snaps.sample(fraction=1.0, shuffle=True, seed=1), len(EDGES) + 1, len(months))
    assert np.array_equal(shuffled[0], rolled) and np.array_equal(shuffled[1], collected)
    last = len(months) - 1
    first = sum(o for (m, _), o in got.items() if m < last)
    stayed = sum(got[(m + 1, i)] for (m, i) in got if m < last and (m + 1, i) in got
                 and bucket[(m + 1, i)] <= bucket[(m, i)])
    moved_on = sum(got[(m + 1, i)] for (m, i) in got if m < last and (m + 1, i) in got
                   and bucket[(m + 1, i)] > bucket[(m, i)])
    written_off = sum(a for _, _, a, w in evs if w)
    assert int(rolled.sum() + collected.sum()) == first - stayed
    assert moved_on <= int(rolled.sum()) <= moved_on + written_off
