"""Cleaning text cells, typing columns, checking the target, splitting (reading files: tests/scoring/test_storage.py)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling.data import (
    CATEGORICAL,
    DATE,
    NUMERIC,
    clean_text,
    infer_schema,
    prepare,
    split_rows,
    time_values,
    validate_target,
)
from fengkong.engine.modelling.exceptions import DataError, TargetError


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as a CSV or XLSX file reads: every column text."""
    return frame.select(pl.all().cast(pl.String))


def test_text_cells_are_trimmed_the_words_for_no_value_are_missing_and_blank_rows_go():
    frame = pl.DataFrame({"金额": [" 12.5 ", "NA", None, "n/a", "7"], "类别": ["甲 ", "NULL", None, "", " nan"]})
    assert clean_text(frame).to_dicts() == [{"金额": "12.5", "类别": "甲"}, {"金额": "7", "类别": None}]


def test_columns_are_typed_and_id_like_and_constant_columns_are_dropped_with_a_reason(frame):
    read = as_text(frame).with_columns(pl.lit("同一值").alias("常量"), pl.int_range(1, pl.len() + 1).alias("序号"))
    schema = infer_schema(read, "违约")
    assert schema.types() == {"逾期天数": NUMERIC, "资产负债率": NUMERIC, "行业": CATEGORICAL, "观察日期": DATE}
    assert schema.dropped["客户编号"].startswith("ID-like")
    assert schema.dropped["序号"].startswith("ID-like")
    assert schema.dropped["常量"].startswith("constant")
    assert "观察日期" in schema.dropped  # a date is not a feature unless it is the time column


def test_a_numeric_column_that_is_all_unique_but_not_a_counter_stays_a_feature():
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({"amount": rng.normal(100, 10, 60), "y": [0, 1] * 30})
    assert infer_schema(frame, "y").numeric == ("amount",)


def test_a_binary_target_is_read_as_zero_one_with_a_stated_positive_class():
    frame = pl.DataFrame({"x": range(100), "status": ["bad"] * 30 + ["good"] * 70})
    y, target = validate_target(frame, "status")
    assert (target.positive, target.negative, target.positives) == ("bad", "good", 30)
    assert y.sum() == 30
    y, target = validate_target(frame, "status", positive="good")
    assert y.sum() == 70


def test_float_looking_zero_one_targets_from_excel_are_binary():
    frame = pl.DataFrame({"y": ["1.0"] * 20 + ["0.0"] * 40})
    y, target = validate_target(frame, "y")
    assert target.positive == "1" and y.sum() == 20


@pytest.mark.parametrize(("values", "message"), [
    (["a", "b", "c"] * 30, r"'y' is not binary: it has 3 distinct values \('\w' \(30\), '\w' \(30\)"),
    ([1] * 90, r"'y' has one class only \('1' \(90\)\)"),
    ([0, 1] * 10, "Too few rows"),
    (["yes", "no"] * 40 + ["maybe"], "not binary"),
])
def test_a_bad_target_is_refused_naming_the_column_and_the_values(values, message):
    with pytest.raises(TargetError, match=message):
        validate_target(pl.DataFrame({"y": values}), "y")


def test_a_two_valued_target_without_a_known_event_word_asks_for_positive():
    frame = pl.DataFrame({"y": ["A", "B"] * 40})
    with pytest.raises(TargetError, match="--positive"):
        validate_target(frame, "y")
    with pytest.raises(TargetError, match="'Z' is not a value"):
        validate_target(frame, "y", positive="Z")


def test_a_missing_target_column_lists_the_columns_there_are(frame):
    with pytest.raises(DataError, match="'default' is not in the data; its columns are: 客户编号, 逾期天数"):
        validate_target(frame, "default")


def test_the_time_split_tests_on_the_latest_quarter_with_no_overlap(frame):
    y, _ = validate_target(frame, "违约")
    schema = infer_schema(frame, "违约", time_column="观察日期")
    times = prepare(frame, schema)["观察日期"]
    split = split_rows(y, times=times)
    assert split.kind == "time"
    assert times[split.train].max() < times[split.test].min()
    assert len(split.train) + len(split.test) == len(y)
    assert 0.2 <= len(split.test) / len(y) <= 0.3


def test_the_stratified_split_is_seeded_and_keeps_the_event_rate(frame):
    y, _ = validate_target(frame, "违约")
    first, again, other = split_rows(y, seed=1), split_rows(y, seed=1), split_rows(y, seed=2)
    assert np.array_equal(first.test, again.test) and not np.array_equal(first.test, other.test)
    assert abs(y[first.test].mean() - y[first.train].mean()) < 0.01


def test_a_time_column_with_one_value_cannot_split():
    y = np.array([0, 1] * 40)
    with pytest.raises(DataError, match="one value only"):
        split_rows(y, times=time_values(pl.Series("t", ["2024-01-01"] * 80)))
