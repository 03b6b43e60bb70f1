"""The LightGBM challenger: deterministic, native categories, contributions that add up."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling.data import infer_schema, prepare, validate_target
from fengkong.engine.modelling.gbm import GbmChallenger
from fengkong.engine.modelling.metrics import auc


@pytest.fixture
def setup(frame):
    y, _ = validate_target(frame, "违约")
    schema = infer_schema(frame, "违约")
    return prepare(frame, schema), y, list(schema.numeric), list(schema.categorical)


def test_two_fits_with_the_same_seed_predict_identically_and_rank_the_risk(setup):
    features, y, numeric, categorical = setup
    first = GbmChallenger(n_estimators=60, seed=5).fit(features, y, numeric, categorical)
    again = GbmChallenger(n_estimators=60, seed=5).fit(features, y, numeric, categorical)
    assert np.array_equal(first.predict_proba(features), again.predict_proba(features))
    assert auc(y, first.predict_proba(features)) > 0.7
    assert 1 <= first.best_iteration_ <= 60


def test_contributions_add_up_to_the_log_odds_and_name_the_features_that_raised_the_risk(setup):
    features, y, numeric, categorical = setup
    model = GbmChallenger(n_estimators=40).fit(features, y, numeric, categorical)
    contrib = model.booster_.predict(model.matrix(features), num_iteration=model.best_iteration_, pred_contrib=True)
    p = model.predict_proba(features)
    assert contrib.sum(axis=1) == pytest.approx(np.log(p / (1 - p)), abs=1e-9)
    index, values = model.reasons(model.contributions(features), top=2)
    assert (values[:, 0] >= values[:, 1]).all() and ((index == -1) == (values == 0)).all()


def test_categories_are_native_and_an_unseen_category_is_scored_like_a_missing_one(setup):
    features, y, numeric, categorical = setup
    model = GbmChallenger(n_estimators=30).fit(features, y, numeric, categorical)
    assert model.categories_["行业"] == sorted(["制造业", "批发零售", "建筑业", "餐饮"])
    row = features.head(2).with_columns(pl.Series("行业", ["新行业", None]))
    p = model.predict_proba(row)
    assert np.isfinite(p).all() and np.isnan(model.matrix(row)[:, -1]).all()
