"""DSO by the countback method, best possible DSO and days beyond terms; the collection effectiveness index."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.engine.dso import (
    best_possible_dso,
    collection_effectiveness,
    days_beyond_terms,
    dso_countback,
    dso_countback_book,
)


def test_countback_walks_back_through_the_months_until_the_receivables_are_used_up():
    # 10,000.00 yuan open on 30 November. Newest month first:
    #   November 4,000.00 of sales (30 days): 10,000 - 4,000 = 6,000 left, 30 days
    #   October  3,500.00 of sales (31 days):  6,000 - 3,500 = 2,500 left, 30 + 31 = 61 days
    #   September 5,000.00 of sales (30 days): 2,500 / 5,000 of it -> 30 × 0.5 = 15 days, 61 + 15 = 76
    assert dso_countback(1_000_000, [400_000, 350_000, 500_000], [30, 31, 30]) == pytest.approx(76.0)


def test_best_possible_dso_and_days_beyond_terms_for_the_same_customer():
    # 3,000.00 of the 10,000.00 is not yet due; sales September to November 12,500.00 over 91 days:
    #   3,000 / 12,500 × 91 = 21.84 days; days beyond terms 76 - 21.84 = 54.16
    best = best_possible_dso(300_000, 1_250_000, 91)
    assert best == pytest.approx(21.84)
    assert days_beyond_terms(76.0, best) == pytest.approx(54.16)


def test_receivables_equal_to_the_newest_month_give_that_month_exactly():
    assert dso_countback(400_000, [400_000, 350_000], [30, 31]) == pytest.approx(30.0)


def test_receivables_beyond_all_the_sales_given_count_every_day_given():
    assert dso_countback(2_000_000, [400_000, 350_000, 500_000], [30, 31, 30]) == 91.0


def test_a_month_without_sales_counts_in_full():
    assert dso_countback(100, [0, 200], [30, 31]) == pytest.approx(30 + 15.5)


def test_no_receivables_means_zero_days():
    assert dso_countback(0, [400_000], [30]) == 0.0
    assert dso_countback(-5_000, [400_000], [30]) == 0.0
    assert best_possible_dso(0, 0, 91) == 0.0


def test_current_receivables_without_sales_count_the_whole_period():
    assert best_possible_dso(5_000, 0, 91) == 91.0


def test_days_beyond_terms_is_never_negative():
    assert days_beyond_terms(20.0, 25.5) == 0.0


@pytest.mark.parametrize("sales, days, message", [([100, -1], [30, 31], "negative"), ([100], [30, 31], "month lengths"),
                                                  ([100], [0], "positive number of days")])
def test_bad_month_data_is_refused_with_a_reason(sales, days, message):
    with pytest.raises(ValueError, match=message):
        dso_countback(50, sales, days)


def test_bad_best_possible_dso_inputs_are_refused():
    with pytest.raises(ValueError, match="positive number of days"):
        best_possible_dso(100, 1_000, 0)
    with pytest.raises(ValueError, match="negative"):
        best_possible_dso(100, -1_000, 30)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12).flatmap(lambda months: st.tuples(
    st.lists(st.integers(-10**9, 10**10), min_size=1, max_size=20),
    st.lists(st.lists(st.integers(0, 10**9), min_size=months, max_size=months), min_size=20, max_size=20),
    st.lists(st.integers(28, 31), min_size=months, max_size=months))))
def test_the_whole_book_countback_agrees_with_one_customer_at_a_time(data):
    receivables, sales, month_days = data
    sales = sales[:len(receivables)]
    book = dso_countback_book(np.array(receivables), np.array(sales), month_days)
    one_by_one = [dso_countback(r, s, month_days) for r, s in zip(receivables, sales, strict=True)]
    assert book.tolist() == pytest.approx(one_by_one)
    assert all(0 <= d <= sum(month_days) for d in one_by_one)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=12), st.integers(0, 10**10), st.integers(0, 10**10))
def test_more_receivables_never_mean_fewer_days(sales, smaller, larger):
    smaller, larger = sorted((smaller, larger))
    days = [30] * len(sales)
    assert dso_countback(smaller, sales, days) <= dso_countback(larger, sales, days)


def test_cei_is_what_was_collected_of_what_could_be():
    # 10,000.00 open at the start, 1,000.00 sold on credit, 6,000.00 open at the end of which 2,000.00 not yet
    # due: (10,000 + 1,000 - 6,000) / (10,000 + 1,000 - 2,000) = 5,000 / 9,000 = 55.6 %
    assert collection_effectiveness(1_000_000, 100_000, 600_000, 200_000) == pytest.approx(500 / 9)
    assert collection_effectiveness(800_000, 0, 0, 0) == 100.0   # everything collected
    assert collection_effectiveness(800_000, 0, 800_000, 0) == 0.0   # nothing collected


def test_cei_is_none_when_nothing_was_collectible():
    assert collection_effectiveness(0, 100_000, 100_000, 100_000) is None
    assert collection_effectiveness(0, 0, 0, 0) is None


@pytest.mark.parametrize("parts", [(-1, 0, 0, 0), (0, 0, 100, 200)])
def test_cei_refuses_impossible_receivables(parts):
    with pytest.raises(ValueError, match="cannot be negative|exceed the total"):
        collection_effectiveness(*parts)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12))
def test_cei_stays_between_0_and_100_when_the_end_is_no_more_than_the_start_and_the_sales(begin, sales, end, current):
    end = min(end, begin + sales)
    current = min(current, end)
    cei = collection_effectiveness(begin, sales, end, current)
    assert cei is None or 0.0 <= cei <= 100.0 + 1e-9
