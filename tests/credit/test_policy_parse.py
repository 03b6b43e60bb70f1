"""credit.policy.parse: the article's defaults, partial configs, and every problem reported by setting."""

from __future__ import annotations

import pytest

from fengkong.credit.defaults import default_config
from fengkong.credit.exceptions import PolicyInvalid
from fengkong.credit.policy import parse


def problems(config) -> list[str]:
    with pytest.raises(PolicyInvalid) as caught:
        parse(config)
    return caught.value.problems


def test_the_articles_policy_parses():
    spec = parse(None)
    assert spec.version == 0 and dict(spec.grade_cutoffs) == {"A": 75.0, "B": 55.0}
    assert [d.name for d in spec.dimensions] == ["financial", "payment", "industry", "guarantee", "cooperation"]
    assert spec.terms["A"].cap_fen == 20_000_000_00 and spec.round_to_fen == 10_000_00
    assert spec.review_interval_days == 91 and spec.propose_change_percent == 10
    assert parse(default_config(), 3).version == 3


def test_a_partial_config_keeps_the_other_defaults():
    spec = parse({"grades": {"A": 85, "B": 65}, "terms": {"B": {"term_days": 45}},
                  "dimensions": {"payment": {"metrics": {"avg_days_to_pay": {"missing": "exclude"}}}}})
    assert spec.grade_cutoffs["A"] == 85 and spec.terms["B"].term_days == 45 and spec.terms["A"].term_days == 90
    payment = next(d for d in spec.dimensions if d.name == "payment")
    assert {m.name: m.missing for m in payment.metrics}["avg_days_to_pay"] == "exclude"
    assert len(payment.metrics) == 3


def test_every_problem_is_reported_at_once_each_naming_its_setting():
    found = problems({
        "grades": {"A": 50, "B": 70},
        "round_to_cny": "abc",
        "terms": {"A": {"term_days": -1, "cap_cny": "1.234"}, "D": {}},
        "review": {"interval_days": 0, "bogus": 1},
        "credit_check": {"hold_when_review_expired": "yes"},
        "colour": "red",
    })
    expected = ["grades.B (70) must be below grades.A (50)", "round_to_cny", "terms.A.term_days",
                "terms.A.cap_cny has more than two decimals", "unknown grade 'D'", "review.interval_days",
                "unknown setting 'review.bogus'", "credit_check.hold_when_review_expired", "unknown setting 'colour'"]
    for text in expected:
        assert any(text in p for p in found), (text, found)


def test_metric_problems_name_the_metric():
    found = problems({"dimensions": {
        "financial": {"metrics": {
            "current_ratio": {"bands": [[1.0, 50], [2.0, 100], [None, 0]]},
            "debt_to_asset": {"bands": [[0.4, 100], [0.6, 50]], "missing": "guess"},
            "cooperation_years": {"weight": 10, "higher": True, "bands": [[1, 100], [None, 0]]}}},
        "industry": {"metrics": {"industry_outlook": {"points": {"stable": 50}}}},
        "payment": {"metrics": {"shoe_size": {"weight": 1}}},
        "market": {"weight": 5, "metrics": {}},
    }})
    expected = ["dimensions.financial.metrics.current_ratio.bands thresholds must be strictly decreasing",
                "dimensions.financial.metrics.debt_to_asset.bands must end with a [null, points] band",
                "dimensions.financial.metrics.debt_to_asset.missing must be one of worst, neutral, exclude",
                "metric 'cooperation_years' belongs to dimension 'cooperation', not 'financial'",
                "dimensions.industry.metrics.industry_outlook.points must give points for each of",
                "unknown metric 'shoe_size'", "unknown dimension 'market'"]
    for text in expected:
        assert any(text in p for p in found), (text, found)


def test_weights_that_cannot_score_are_refused():
    zero_dims = {name: {"weight": 0} for name in default_config()["dimensions"]}
    assert any("dimension weights must not all be 0" in p for p in problems({"dimensions": zero_dims}))
    zero_metrics = {"financial": {"metrics": {"current_ratio": {"weight": 0}, "debt_to_asset": {"weight": 0}}}}
    assert any("dimensions.financial metric weights must not all be 0" in p
               for p in problems({"dimensions": zero_metrics}))


def test_approval_levels_must_rise_and_end_unbounded():
    found = problems({"approval_levels": [{"up_to_cny": "500.00", "level": "manager", "votes": 1},
                                          {"up_to_cny": "100.00", "level": "board", "votes": 0}]})
    for text in ["the last approval level must have up_to_cny null", "approval_levels[1].level",
                 "approval_levels[1].votes"]:
        assert any(text in p for p in found), (text, found)


@pytest.mark.parametrize("config", [[], "policy", 3])
def test_a_config_that_is_not_an_object_is_refused(config):
    assert problems(config) == ["the credit policy must be a JSON object of settings"]


def test_wrong_types_in_sections_are_reported_not_crashing():
    found = problems({"review": [], "credit_check": 5, "terms": "x", "grades": None, "dimensions": 7})
    for text in ["review must be an object", "credit_check must be an object", "terms must be an object",
                 "grades must give the cut-off", "dimensions must be an object"]:
        assert any(text in p for p in found), (text, found)


def test_metrics_given_as_something_else_than_an_object_are_a_problem_not_the_defaults():
    found = problems({"dimensions": {"payment": {"weight": 40, "metrics": None}}})
    assert any("dimensions.payment.metrics must be an object" in p for p in found), found


def test_a_metrics_bands_and_points_are_replaced_whole_not_merged():
    spec = parse({"dimensions": {"cooperation": {"metrics": {"cooperation_years": {"bands": [[2, 90], [None, 30]]}}}}})
    years = next(d for d in spec.dimensions if d.name == "cooperation").metrics[0]
    assert years.bands == ((2.0, 90.0), (None, 30.0)) and years.missing == "worst"
    found = problems({"dimensions": {"industry": {"metrics": {"industry_outlook": {"points": {"stable": 50}}}}}})
    assert any("industry_outlook.points must give points for each of" in p for p in found), found
