"""Training end to end: the JSON and HTML report, the model directory, scoring a frame with it."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling import model_dir
from fengkong.engine.modelling.exceptions import DataError, ModelDirError, ModellingError
from fengkong.engine.modelling.train import TrainConfig, train_models


@pytest.fixture(scope="module")
def trained():
    from .conftest import borrowers

    frame = borrowers()
    return frame, train_models(frame, "违约", TrainConfig(time_column="观察日期", gbm_estimators=60),
                               fingerprint="ab" * 32, source="客户.csv")


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


def test_the_html_report_is_self_contained_utf8_with_chinese_names(trained, tmp_path):
    _, result = trained
    model_dir.save(result, tmp_path / "m")
    page = (tmp_path / "m" / "report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page and "逾期天数" in page and "行业" in page
    assert "<script src=" not in page and 'src="http' not in page  # plotly.js is inline, nothing is fetched
    assert page.count("Plotly.newPlot") >= 4


def test_a_saved_model_directory_loads_and_scores_as_the_trained_models_do(trained, tmp_path):
    frame, result = trained
    model_dir.save(result, tmp_path / "m", html=False)
    metadata = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["columns"]["行业"] == "categorical" and metadata["libraries"]["optbinning"] == "1.0.0"
    assert metadata["source"]["sha256"] == "ab" * 32 and set(metadata["metrics"]) == {"scorecard", "gbm"}
    scored = model_dir.predict(tmp_path / "m", frame)
    assert scored.height == frame.height and scored["客户编号"].to_list() == frame["客户编号"].to_list()
    test = frame[result.split.test]
    features = test.select("逾期天数", "资产负债率", "行业")
    assert scored["scorecard_probability"].to_numpy()[result.split.test] == pytest.approx(
        result.scorecard.predict_proba(features), abs=1e-12)
    assert scored["gbm_probability"].to_numpy()[result.split.test] == pytest.approx(
        result.gbm.predict_proba(features), abs=1e-12)
    assert set(scored["scorecard_reason_1"].drop_nulls()) <= {"逾期天数", "资产负债率", "行业"}
    assert (np.diff(scored.sort("score")["scorecard_probability"].to_numpy()) <= 1e-12).all()


def test_scoring_refuses_missing_columns_and_text_in_a_numeric_column(trained, tmp_path):
    frame, result = trained
    model_dir.save(result, tmp_path / "m", html=False)
    with pytest.raises(DataError, match="lacks the column.*逾期天数"):
        model_dir.predict(tmp_path / "m", frame.drop("逾期天数"))
    text = frame.with_columns(pl.col("逾期天数").cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("三十")).otherwise(pl.col("逾期天数")).alias("逾期天数"))
    with pytest.raises(DataError, match="'逾期天数' is numeric in the model but has 1 value.*三十"):
        model_dir.predict(tmp_path / "m", text)


def test_a_directory_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(ModelDirError, match="not a model directory"):
        model_dir.load(tmp_path)


def test_an_unknown_model_kind_is_refused():
    with pytest.raises(ModellingError, match="Unknown model 'forest'"):
        TrainConfig(model="forest")


def test_tree_reasons_can_be_limited_to_the_riskiest_rows(tmp_path):
    import numpy as np
    import polars as pl
    from polars.testing import assert_frame_equal

    from fengkong.engine.modelling import model_dir
    from fengkong.engine.modelling.train import TrainConfig, train_models

    rng = np.random.default_rng(5)
    x = rng.normal(size=600)
    frame = pl.DataFrame({"a": x, "b": rng.normal(size=600), "bad": (x + rng.normal(size=600) > 0.5).astype(int)})
    directory = model_dir.save(train_models(frame, "bad", TrainConfig(model="gbm", gbm_estimators=30)), tmp_path / "m")
    full = model_dir.predict(directory, frame)
    head = model_dir.predict(directory, frame, tree_reasons_top=25)
    assert_frame_equal(full.select("gbm_probability", "gbm_score"), head.select("gbm_probability", "gbm_score"))
    explained = head.with_row_index("i").filter(pl.col("gbm_reason_1").is_not_null())
    riskiest = set(np.argsort(-full["gbm_probability"].to_numpy(), kind="stable")[:25].tolist())
    assert set(explained["i"].to_list()) <= riskiest and explained.height >= 20
    same = full.with_row_index("i").filter(pl.col("i").is_in(explained["i"].implode()))
    assert same["gbm_reason_1"].to_list() == explained["gbm_reason_1"].to_list()
