"""Vectorised parsers for what ERP exports write: dates, amounts, yes/no. Polars expressions only.

Design decisions:
- Amounts become integer fen (分) straight from the text, never through float: "1,234.56" is
  123456 fen exactly. More than two decimal places is a problem, not a silent rounding.
- The decimal style is explicit (thousands separator and decimal mark, default "," and "."), and the
  grouping is checked: "1,23,4" is not an amount. "1234,56" is refused by default rather than read as
  123456 yuan: a European layout needs a mapping file that says so.
- Negative amounts are recognised in the three ERP spellings ("-5", "(5)", "5-") so that the validator
  can say "negative" rather than "not a number".
- Dates try the formats in order; a time of day after the date is ignored; "excel" reads serial day
  numbers (1900 date system). Years outside 1900–2199 are treated as unparseable, which catches two-digit
  years read through "%Y".
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

MAX_INTEGER_DIGITS = 16  # Decimal(18, 2) in the database
NOT_A_NUMBER, TOO_MANY_DECIMALS, TOO_LARGE = "not_a_number", "too_many_decimals", "too_large"
TRUE_WORDS = ("1", "true", "yes", "y", "t", "x", "是", "有", "√", "争议", "有争议")
FALSE_WORDS = ("0", "false", "no", "n", "f", "否", "无", "×", "无争议")
EXCEL_EPOCH = date(1899, 12, 30)
_TIME_OF_DAY = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
TIME_OF_DAY = _TIME_OF_DAY  # a time after the date, which the date parsers ignore
_CURRENCY_MARKS = r"[¥￥$€£\s]|元|CNY|RMB|USD|EUR|HKD|JPY"


def money_pattern(thousands: str, decimal: str) -> str:
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|" if thousands and thousands != " " else ""
    return rf"^([+-]?)({grouped}\d+)(?:{re.escape(decimal)}(\d*))?$"


def _money_text(col: pl.Expr) -> pl.Expr:
    """The cell without currency marks and spaces, with "(5)" and "5-" rewritten as "-5"."""
    text = col.str.replace_all(_CURRENCY_MARKS, "")
    return text.str.replace(r"^\((.+)\)$", "-$1").str.replace(r"^([^-].*)-$", "-$1")


def parse_money(col: pl.Expr, thousands: str = ",", decimal: str = ".") -> tuple[pl.Expr, pl.Expr]:
    """(fen as Int64, problem code or null). Both null where the cell is empty."""
    parts = _money_text(col).str.extract_groups(money_pattern(thousands, decimal))
    sign, whole, fraction = (parts.struct.field(str(i)) for i in (1, 2, 3))
    digits = whole.str.replace_all(re.escape(thousands), "") if thousands else whole
    fraction = fraction.fill_null("")
    problem = (
        pl.when(col.is_null()).then(None)
        .when(whole.is_null()).then(pl.lit(NOT_A_NUMBER))
        .when(fraction.str.len_chars() > 2).then(pl.lit(TOO_MANY_DECIMALS))
        .when(digits.str.strip_chars_start("0").str.len_chars() > MAX_INTEGER_DIGITS).then(pl.lit(TOO_LARGE))
        .otherwise(None)
    )
    magnitude = digits.cast(pl.Int64, strict=False) * 100 + fraction.str.pad_end(2, "0").cast(pl.Int64,
                                                                                               strict=False)
    fen = pl.when(problem.is_null() & col.is_not_null()).then(
        pl.when(sign == "-").then(-magnitude).otherwise(magnitude))
    return fen, problem


PLAIN_AMOUNT = r"^[0-9]{1,16}(?:\.[0-9]{1,2})?$"


def is_plain_money(col: pl.Expr) -> pl.Expr:
    """True where the cell is a bare non-negative amount such as 1234.5 (what most ERPs export)."""
    return col.str.contains(PLAIN_AMOUNT)


def parse_plain_money(col: pl.Expr) -> pl.Expr:
    """Fen of cells known to match PLAIN_AMOUNT: one split and two casts, no regex (the hot path)."""
    parts = col.str.split_exact(".", 1)
    whole, fraction = parts.struct.field("field_0"), parts.struct.field("field_1").fill_null("")
    return whole.cast(pl.Int64) * 100 + fraction.str.pad_end(2, "0").cast(pl.Int64)


def fen_to_text(fen: pl.Expr) -> pl.Expr:
    """Integer fen as the decimal text the database stores: 123456 → "1234.56", -5 → "-0.05"."""
    magnitude = fen.abs()
    text = pl.concat_str([(magnitude // 100).cast(pl.String), pl.lit("."),
                          (magnitude % 100).cast(pl.String).str.zfill(2)])
    return pl.when(fen < 0).then(pl.concat_str([pl.lit("-"), text])).otherwise(text)


def parse_date(col: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    """A Date, or null where no format fits (or the cell is empty)."""
    text = col.str.replace(_TIME_OF_DAY, "")
    candidates = [_excel_serial(text) if fmt == "excel" else text.str.to_date(fmt, strict=False)
                  for fmt in formats]
    parsed = pl.coalesce(candidates) if len(candidates) > 1 else candidates[0]
    return pl.when(parsed.dt.year().is_between(1900, 2199)).then(parsed)


def _excel_serial(text: pl.Expr) -> pl.Expr:
    days = text.str.extract(r"^(\d{1,6})(?:\.0*)?$", 1).cast(pl.Int64, strict=False)
    return pl.when(days.is_between(1, 2_958_465)).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=days))


def parse_bool(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(Boolean, True where the cell is neither a yes nor a no). Empty means no."""
    word = col.str.to_lowercase()
    value = pl.when(word.is_in(TRUE_WORDS)).then(True).otherwise(False)
    unknown = col.is_not_null() & ~word.is_in(TRUE_WORDS + FALSE_WORDS)
    return value, unknown
