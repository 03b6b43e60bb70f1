"""The time column reads the date formats ERP exports write, or is refused naming the formats and the rows."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from fengkong.engine.modelling.data import parse_dates
from fengkong.engine.modelling.exceptions import DataError
from fengkong.engine.modelling.train import TrainConfig, train_models

from .conftest import CREATED_AT


def day(y: int, m: int, d: int) -> datetime:
    """A naive datetime, as polars reads a date without a time zone."""
    return datetime.combine(date(y, m, d), datetime.min.time())


def dates(*values: str | None) -> pl.Series:
    return pl.Series("开票日期", list(values), dtype=pl.String)


@pytest.mark.parametrize("values", [
    ("2024-03-05", "2024-12-31"),
    ("2024/03/05", "2024/12/31"),
    ("2024.03.05", "2024.12.31"),
    ("2024年3月5日", "2024年12月31日"),
    ("3/5/2024", "12/31/2024"),        # month first: 31 cannot be a month
    ("5/3/2024", "31/12/2024"),        # day first: 31 cannot be a month
    ("05.03.2024", "31.12.2024"),
])
def test_iso_ymd_chinese_and_month_or_day_first_dates_read_when_they_read_one_way_only(values):
    assert parse_dates(dates(*values)).to_list() == [day(2024, 3, 5), day(2024, 12, 31)]


def test_dates_that_read_both_ways_round_are_refused_asking_for_the_date_format():
    with pytest.raises(DataError, match=r"--date-format monthfirst.*--date-format dayfirst") as caught:
        parse_dates(dates("3/5/2024", "4/6/2024"))
    assert "'3/5/2024'" in str(caught.value)


@pytest.mark.parametrize(("hint", "month"), [("monthfirst", 3), ("dayfirst", 5), ("%d/%m/%Y", 5)])
def test_the_date_format_hint_settles_which_way_round(hint, month):
    assert parse_dates(dates("3/5/2024", "4/6/2024"), hint)[0].month == month


def test_values_that_are_no_dates_are_refused_naming_the_formats_accepted_and_the_rows():
    with pytest.raises(DataError) as caught:
        parse_dates(dates("2024-03-05", "soon", "2024-03-07", "3/5/24"))
    message = str(caught.value)
    assert "row 3: 'soon'" in message and "row 5: '3/5/24'" in message  # header row 1; a two-digit year is no year
    assert "2024年3月5日" in message and "--date-format" in message


def test_a_training_run_splits_by_a_month_first_time_column(frame):
    text = frame.with_columns(pl.col("观察日期").dt.strftime("%-m/%-d/%Y"))
    trained = train_models(text, "违约", TrainConfig(model="scorecard", time_column="观察日期"), created_at=CREATED_AT)
    assert trained.split.kind == "time"
    assert "train up to 20" in trained.split.description  # read as dates, shown as ISO dates


def test_a_bad_date_in_a_training_run_names_its_row_in_the_file(frame):
    text = frame.with_columns(pl.col("观察日期").cast(pl.String))
    text = text.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("31.02.2024"))
                             .otherwise(pl.col("观察日期")).alias("观察日期"))
    with pytest.raises(DataError, match=r"row 9: '31.02.2024'"):
        train_models(text, "违约", TrainConfig(model="scorecard", time_column="观察日期"), created_at=CREATED_AT)
