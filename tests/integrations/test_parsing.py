"""The amount and date parsers, checked on generated values (hypothesis)."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from fengkong.integrations.parsing import fen_to_text, parse_date, parse_money

fens = st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1)


def money(texts: list[str], thousands=",", decimal="."):
    fen, why = parse_money(pl.col("x"), thousands, decimal)
    out = pl.DataFrame({"x": texts}, schema={"x": pl.String}).select(fen.alias("fen"), why.alias("why"))
    return out["fen"].to_list(), out["why"].to_list()


def grouped(fen: int, thousands: str, decimal: str) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}".replace(",", thousands) + f"{decimal}{cents:02d}"


@given(fens)
def test_amount_text_round_trips_through_fen_exactly(fen):
    text = pl.DataFrame({"f": [fen]}).select(fen_to_text(pl.col("f"))).item()
    assert money([text]) == ([fen], [None])


@given(fens, st.sampled_from([(",", "."), (".", ","), (" ", "."), ("'", ".")]))
def test_grouped_amounts_parse_in_every_decimal_style(fen, style):
    assert money([grouped(fen, *style)], *style)[0] == [fen]


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=3, max_value=6))
def test_more_than_two_decimals_is_a_problem_not_a_rounding(whole, places):
    assert money([f"{whole}." + "1" * places]) == ([None], ["too_many_decimals"])


@given(st.text(alphabet="abcxyz%#@!?", min_size=1, max_size=8))
def test_words_are_not_amounts(text):
    assert money([text]) == ([None], ["not_a_number"])


def test_erp_spellings_of_negative_and_currency_marks():
    assert money(["(1,000.50)", "5-", "¥ 12.30", "CNY 7"])[0] == [-100050, -500, 1230, 700]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%Y年%m月%d日", "%Y%m%d"]))
def test_dates_parse_back_in_the_format_they_were_written(day, fmt):
    out = pl.DataFrame({"x": [day.strftime(fmt)]}).select(parse_date(pl.col("x"), (fmt,)))
    assert out.item() == day


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 1, 1)))
def test_excel_serial_numbers_are_days_since_1899_12_30(day):
    serial = (day - date(1899, 12, 30)).days
    out = pl.DataFrame({"x": [str(serial)]}).select(parse_date(pl.col("x"), ("excel",)))
    assert out.item() == day


def test_impossible_dates_and_two_digit_years_are_not_dates():
    out = pl.DataFrame({"x": ["2025-02-30", "25/1/5", "2025-01-05 08:30:00"]}).select(
        parse_date(pl.col("x"), ("%Y-%m-%d", "%Y/%m/%d")))
    assert out.to_series().to_list() == [None, None, date(2025, 1, 5)]
