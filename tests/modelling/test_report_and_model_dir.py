"""Training end to end: the JSON and HTML report, the model's metadata, scoring a frame with the models.

Writing and reading the model directory is fengkong.scoring.storage's: tests/scoring/test_storage.py."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling import model_dir
from fengkong.engine.modelling.exceptions import DataError, ModelDirError, ModellingError
from fengkong.engine.modelling.report import render_html
from fengkong.engine.modelling.train import TrainConfig, train_models

from .conftest import CREATED_AT, loaded


@pytest.fixture(scope="module")
def trained():
    from .conftest import borrowers

    frame = borrowers()
    return frame, train_models(frame, "违约", TrainConfig(time_column="观察日期", gbm_estimators=60),
                               created_at=CREATED_AT, fingerprint="ab" * 32, source="客户.csv")


def test_the_json_report_holds_every_figure_the_issue_asks_for(trained):
    _, result = trained
    report = json.loads(json.dumps(result.report))
    assert report["split"]["kind"] == "time" and report["source"]["sha256"] == "ab" * 32
    for name in ("scorecard", "gbm"):
        block = report["models"][name]
        assert set(block["test"]) >= {"auc", "ks", "gini", "brier"} and 0.5 < block["test"]["auc"] <= 1
        assert len(block["calibration"]) == 10 and block["psi_score"] >= 0
        assert set(block["score_histogram"]["counts"]) == {"train", "test"}
    assert {r["feature"] for r in report["iv"]} == {"逾期天数", "资产负债率", "行业"}
    assert {r["feature"] for r in report["feature_psi"]} == {"逾期天数", "资产负债率", "行业"}
    assert report["points_table"] and report["libraries"]["lightgbm"] == "4.7.0"
    assert report["data"]["dropped"]["客户编号"].startswith("ID-like")


def test_the_run_is_dated_by_the_moment_the_caller_gives_never_by_a_clock(trained):
    _, result = trained
    assert result.report["created_at"] == "2026-11-28T09:30:00+00:00"
    assert model_dir.metadata(result)["created_at"] == "2026-11-28T09:30:00+00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        train_models(trained[0], "违约", TrainConfig(model="scorecard"), created_at=datetime(2026, 11, 28))  # noqa: DTZ001 (naive on purpose)


def test_the_html_report_is_self_contained_with_chinese_names(trained):
    _, result = trained
    page = render_html(result.report)
    assert '<meta charset="utf-8">' in page and "逾期天数" in page and "行业" in page
    assert "<script src=" not in page and 'src="http' not in page  # plotly.js is inline, nothing is fetched
    assert page.count("Plotly.newPlot") >= 4


def test_the_metadata_records_columns_models_metrics_and_the_data_fingerprint(trained):
    _, result = trained
    metadata = json.loads(json.dumps(model_dir.metadata(result)))
    assert metadata["format"] == model_dir.FORMAT and metadata["models"] == ["scorecard", "gbm"]
    assert metadata["columns"]["行业"] == "categorical" and metadata["libraries"]["optbinning"] == "1.0.0"
    assert metadata["source"]["sha256"] == "ab" * 32 and set(metadata["metrics"]) == {"scorecard", "gbm"}


def test_the_models_score_a_frame_with_probabilities_scores_and_reasons(trained):
    frame, result = trained
    scored = model_dir.predict(loaded(result), frame)
    assert scored.height == frame.height and scored["客户编号"].to_list() == frame["客户编号"].to_list()
    test = frame[result.split.test]
    features = test.select("逾期天数", "资产负债率", "行业")
    assert scored["scorecard_probability"].to_numpy()[result.split.test] == pytest.approx(
        result.scorecard.predict_proba(features), abs=1e-12)
    assert scored["gbm_probability"].to_numpy()[result.split.test] == pytest.approx(
        result.gbm.predict_proba(features), abs=1e-12)
    assert set(scored["scorecard_reason_1"].drop_nulls()) <= {"逾期天数", "资产负债率", "行业"}
    assert (np.diff(scored.sort("score")["scorecard_probability"].to_numpy()) <= 1e-12).all()


def test_scoring_refuses_missing_columns_and_text_in_a_numeric_column(trained):
    frame, result = trained
    model = loaded(result)
    with pytest.raises(DataError, match="lacks the column.*逾期天数"):
        model_dir.predict(model, frame.drop("逾期天数"))
    text = frame.with_columns(pl.col("逾期天数").cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("三十")).otherwise(pl.col("逾期天数")).alias("逾期天数"))
    with pytest.raises(DataError, match="'逾期天数' is numeric in the model but has 1 value.*三十"):
        model_dir.predict(model, text)


def test_metadata_of_another_format_is_refused():
    with pytest.raises(ModelDirError, match="m/ has model format 2; this version reads 1"):
        model_dir.check_format({"format": 2}, "m/")


def test_an_unknown_model_kind_is_refused():
    with pytest.raises(ModellingError, match="Unknown model 'forest'"):
        TrainConfig(model="forest")


def test_tree_reasons_can_be_limited_to_the_riskiest_rows():
    from polars.testing import assert_frame_equal

    rng = np.random.default_rng(5)
    x = rng.normal(size=600)
    frame = pl.DataFrame({"a": x, "b": rng.normal(size=600), "bad": (x + rng.normal(size=600) > 0.5).astype(int)})
    model = loaded(train_models(frame, "bad", TrainConfig(model="gbm", gbm_estimators=30), created_at=CREATED_AT))
    full = model_dir.predict(model, frame)
    head = model_dir.predict(model, frame, tree_reasons_top=25)
    assert_frame_equal(full.select("gbm_probability", "gbm_score"), head.select("gbm_probability", "gbm_score"))
    explained = head.with_row_index("i").filter(pl.col("gbm_reason_1").is_not_null())
    riskiest = set(np.argsort(-full["gbm_probability"].to_numpy(), kind="stable")[:25].tolist())
    assert set(explained["i"].to_list()) <= riskiest and explained.height >= 20
    same = full.with_row_index("i").filter(pl.col("i").is_in(explained["i"].implode()))
    assert same["gbm_reason_1"].to_list() == explained["gbm_reason_1"].to_list()
