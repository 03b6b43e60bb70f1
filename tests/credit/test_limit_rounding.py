"""Limits are rounded down to a unit that follows their size (two significant digits, at most ¥10,000 by
default), so a small book's limits are never rounded to 0; `round_significant_digits` 0 keeps the fixed unit."""

from __future__ import annotations

import numpy as np
import pytest

from fengkong.credit.exceptions import PolicyInvalid
from fengkong.credit.policy import parse
from fengkong.engine import expert

from .test_expert_engine import STRONG, run


def units(*fen: int, largest: int = 1_000_000, digits: int = 2) -> list[int]:
    return expert.rounding_unit(np.array(fen, dtype=np.int64), largest, digits).tolist()


def test_the_unit_keeps_two_significant_digits_up_to_ten_thousand_yuan():
    # 86.39 → unit 1.00; 3,456.78 → 100.00; 45,000 → 1,000.00; 1,234,567.89 → 10,000.00 (the cap)
    assert units(8_639, 345_678, 4_500_000, 123_456_789) == [100, 10_000, 100_000, 1_000_000]


def test_a_small_usd_book_keeps_its_limits():
    # grade A, no statements: 25 % of our sales of 345.56 (34,556 fen) = 86.39 → 86.00, not 0
    scored = run([STRONG], sales_12m_fen=[34_556])
    assert scored.grade_letters().tolist() == ["A"] and scored.limit_fen.tolist() == [8_600]


def test_a_large_limit_is_still_rounded_to_ten_thousand():
    # 25 % of 12,345,678.00 = 3,086,419.50 → 3,080,000.00
    scored = run([STRONG], sales_12m_fen=[1_234_567_800])
    assert scored.limit_fen.tolist() == [308_000_000]


def test_zero_digits_keeps_the_fixed_unit_which_rounds_a_small_limit_to_zero():
    scored = run([STRONG], {"round_significant_digits": 0}, sales_12m_fen=[34_556])
    assert scored.limit_fen.tolist() == [0]


def test_the_digits_must_be_a_whole_number_from_0_to_15():
    assert parse({"round_significant_digits": 3}).round_digits == 3
    with pytest.raises(PolicyInvalid, match="round_significant_digits"):
        parse({"round_significant_digits": 2.5})
