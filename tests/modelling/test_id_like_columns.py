"""Invoice numbers and other identifiers are left out of the features with a notice, unless the user keeps them."""

from __future__ import annotations

import numpy as np
import polars as pl

from fengkong.engine.modelling.data import infer_schema
from fengkong.engine.modelling.train import TrainConfig, train_models

from .conftest import CREATED_AT


def with_invoice_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Invoice numbers that rise with the date, a few repeated (an invoice on two lines), in a shuffled file."""
    rng = np.random.default_rng(5)
    numbers = np.arange(100_000, 100_000 + frame.height)
    numbers[::25] = numbers[1::25][: len(numbers[::25])]  # 4 % of them repeated
    frame = frame.with_columns(pl.Series("发票号", numbers), pl.Series("单号", [f"INV-{n}" for n in numbers]))
    return frame[rng.permutation(frame.height)]


def test_nearly_unique_whole_numbers_that_follow_the_time_column_are_id_like(frame):
    schema = infer_schema(with_invoice_numbers(frame), "违约", "观察日期")
    assert schema.dropped["发票号"].startswith("ID-like") and "发票号" not in schema.features


def test_nearly_unique_codes_of_a_prefix_and_a_number_are_id_like(frame):
    schema = infer_schema(with_invoice_numbers(frame), "违约")
    assert schema.dropped["单号"].startswith("ID-like (codes such as")


def test_real_amounts_and_few_valued_numbers_stay_features(frame):
    schema = infer_schema(frame, "违约", "观察日期")
    assert {"逾期天数", "资产负债率"} <= set(schema.numeric) and "行业" in schema.categorical


def test_include_keeps_an_id_like_column_as_a_feature(frame):
    data = with_invoice_numbers(frame)
    trained = train_models(data, "违约", TrainConfig(model="scorecard", time_column="观察日期", include=("发票号",)),
                           created_at=CREATED_AT)
    assert "发票号" in trained.schema.numeric and "发票号" not in trained.schema.dropped
    assert trained.report["data"]["dropped"]["单号"].startswith("ID-like")
