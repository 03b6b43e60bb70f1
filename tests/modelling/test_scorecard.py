"""The WOE scorecard: points scaling, the points table against optbinning itself, reason codes."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling.data import infer_schema, prepare, validate_target
from fengkong.engine.modelling.exceptions import ModellingError
from fengkong.engine.modelling.scorecard import PointsScale, Scorecard, ScorecardTable


@pytest.fixture
def fitted(frame):
    y, _ = validate_target(frame, "违约")
    schema = infer_schema(frame, "违约")
    features = prepare(frame, schema)
    card = Scorecard(scale=PointsScale(600, 50, 20)).fit(features, y, list(schema.numeric),
                                                         list(schema.categorical))
    return card, features, y


def test_the_base_score_is_given_at_the_base_odds_and_pdo_points_double_the_odds():
    scale = PointsScale(base_score=600, base_odds=50, pdo=20)
    p_at_50_to_1 = 1 / 51
    assert scale.score(np.array([p_at_50_to_1]))[0] == pytest.approx(600)
    assert scale.score(np.array([1 / 101]))[0] == pytest.approx(620)  # odds 100:1
    assert scale.probability(scale.score(np.array([0.2, 0.01]))) == pytest.approx([0.2, 0.01])
    assert scale.factor == pytest.approx(20 / math.log(2))


def test_a_row_scores_the_sum_of_its_bins_points_and_matches_optbinning_woe_and_the_regression(fitted):
    card, features, _ = fitted
    woe = card.woe(features, card.selected_)
    reference = card.logistic_.predict_proba(woe)[:, 1]
    assert card.predict_proba(features) == pytest.approx(reference, abs=1e-12)
    points = card.table_.points(features)
    assert points.sum(axis=1) == pytest.approx(card.table_.score(features))


def test_risky_bins_cost_points_so_overdue_days_lower_the_score(fitted):
    card, _, _ = fitted
    overdue = next(f for f in card.table_.features if f["name"] == "逾期天数")
    assert overdue["coefficient"] < 0  # WOE is high for safe bins, so every coefficient is negative
    points = [b["points"] for b in overdue["bins"]]
    assert points == sorted(points, reverse=True) and points[0] > points[-1]


def test_a_missing_value_has_its_own_bin_and_an_unseen_category_scores_neutral(fitted):
    card, features, _ = fitted
    table = card.table_
    leverage = next(f for f in table.features if f["name"] == "资产负债率")
    assert leverage["missing"]["count"] > 0
    row = features.head(1).with_columns(pl.lit(None, dtype=pl.Float64).alias("资产负债率"),
                                        pl.lit("从未见过的行业").alias("行业"))
    points = dict(zip(table.names, table.points(row)[0], strict=True))
    assert points["资产负债率"] == pytest.approx(leverage["missing"]["points"])
    industry = next(f for f in table.features if f["name"] == "行业")
    assert points["行业"] == pytest.approx(industry["unknown"]["points"])


def test_reasons_name_the_features_that_lost_most_points_against_their_best_bin(fitted):
    card, features, _ = fitted
    table = card.table_
    points = table.points(features)
    index, lost = table.reasons(points, top=2)
    worst = int(np.argmin(points.sum(axis=1)))
    expected = np.argsort(-(table.best_points() - points[worst]))[:2]
    assert list(index[worst]) == list(expected) and lost[worst, 0] >= lost[worst, 1] > 0
    best_row = np.array([table.best_points()])
    assert list(table.reasons(best_row, top=2)[0][0]) == [-1, -1]  # nothing lost, no reason


def test_weak_features_are_dropped_for_low_information_value_and_reported(frame):
    rng = np.random.default_rng(9)
    noisy = frame.with_columns(pl.Series("噪声", rng.normal(size=frame.height)))
    y, _ = validate_target(noisy, "违约")
    card = Scorecard(min_iv=0.05).fit(noisy, y, ["逾期天数", "噪声"], [])
    assert "噪声" not in card.selected_ and "information value" in card.dropped_["噪声"]
    with pytest.raises(ModellingError, match="No feature has an information value of at least 5"):
        Scorecard(min_iv=5).fit(noisy, y, ["逾期天数", "噪声"], [])


def test_the_table_survives_json_and_scores_the_same(fitted):
    import json

    card, features, _ = fitted
    again = ScorecardTable.from_dict(json.loads(json.dumps(card.table_.to_dict(), ensure_ascii=False)))
    assert again.score(features) == pytest.approx(card.table_.score(features), abs=1e-9)
    assert {r["feature"] for r in again.points_table()} == set(card.selected_)
