"""The article's credit policy (credit.defaults) applied by the engine to hand-built customers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.credit.grading import scorecard
from fengkong.credit.policy import parse
from fengkong.engine import expert

OUTLOOKS = ["favourable", "stable", "cautious", "adverse"]
NAN = math.nan

STRONG = {"current_ratio": 2.5, "debt_to_asset": 0.3, "overdue_count_12m": 0, "avg_days_to_pay": 40,
          "max_days_overdue_12m": 0, "industry_outlook": "favourable", "guarantee_coverage": 1.2,
          "cooperation_years": 6}
# financial (60+50)/2 = 55, payment 0.3*100 + 0.3*85 + 0.4*85 = 89.5, industry 70, guarantee 70, cooperation 50:
# total 0.3*55 + 0.3*89.5 + 0.15*70 + 0.15*70 + 0.1*50 = 69.35
AVERAGE = {"current_ratio": 1.3, "debt_to_asset": 0.6, "overdue_count_12m": 1, "avg_days_to_pay": 55,
           "max_days_overdue_12m": 10, "industry_outlook": "stable", "guarantee_coverage": 0.3,
           "cooperation_years": 2}
# financial (10+0)/2 = 5, payment 0.3*60 + 0.3*10 + 0.4*15 = 27, industry 10, guarantee 45, cooperation 20:
# total 0.3*5 + 0.3*27 + 0.15*10 + 0.15*45 + 0.1*20 = 19.85
WEAK = {"current_ratio": 0.8, "debt_to_asset": 0.9, "overdue_count_12m": 12, "avg_days_to_pay": 130,
        "max_days_overdue_12m": 100, "industry_outlook": "adverse", "guarantee_coverage": 0.0,
        "cooperation_years": 0.5}
# AVERAGE paying late: overdue 8 → 60, 95 days to pay → 30, at worst 90 days overdue → 40: payment
# 0.3*60 + 0.3*30 + 0.4*40 = 43, total 0.3*55 + 0.3*43 + 0.15*70 + 0.15*70 + 0.1*50 = 55.4, B by a hair
LATE_PAYER = {**AVERAGE, "overdue_count_12m": 8, "avg_days_to_pay": 95, "max_days_overdue_12m": 90}


def card(config=None) -> expert.Scorecard:
    return scorecard(parse(config))


def run(customers: list[dict], config=None, **limit_inputs) -> expert.Scored:
    n = len(customers)
    the_card = card(config)
    values = {}
    for rule in the_card.metrics:
        raw = [c.get(rule.name) for c in customers]
        if rule.categorical:
            values[rule.name] = np.array([-1 if v is None else OUTLOOKS.index(v) for v in raw])
        else:
            values[rule.name] = np.array([NAN if v is None else v for v in raw], dtype=float)

    def column(name, default, dtype):
        return np.array(limit_inputs.get(name, [default] * n), dtype=dtype)

    limits = expert.LimitInputs(column("revenue_fen", NAN, float), column("equity_fen", NAN, float),
                                column("sales_12m_fen", 0, np.int64), column("secured_fen", 0, np.int64),
                                column("alarm", False, bool))
    return expert.score(values, limits, the_card)


def grades(scored: expert.Scored) -> list[str]:
    return scored.grade_letters().tolist()


def reason_metrics(scored: expert.Scored, i: int = 0) -> list[str]:
    return [scored.metric_names[j] for j in scored.reasons[i] if j >= 0]


def test_the_articles_policy_grades_strong_average_and_weak_customers_a_b_c():
    scored = run([STRONG, AVERAGE, WEAK])
    assert grades(scored) == ["A", "B", "C"]
    assert scored.total.tolist() == [100.0, 69.35, 19.85]


def test_terms_and_guarantee_follow_the_grade():
    scored = run([STRONG, AVERAGE, WEAK])
    assert scored.term_days.tolist() == [90, 60, 30]
    assert scored.guarantee.tolist() == ["credit_guarantee", "as_policy", "collateral_or_third_party"]


def test_a_customer_crossing_a_band_changes_grade_and_the_metric_is_the_first_reason():
    slipped = {**LATE_PAYER, "max_days_overdue_12m": 91}  # 40 → 15 points: payment 33, total 52.4
    scored = run([LATE_PAYER, slipped])
    assert grades(scored) == ["B", "C"]
    assert scored.total.tolist() == pytest.approx([55.4, 52.4])
    assert reason_metrics(scored, 1)[0] == "max_days_overdue_12m"
    # its weight in the total 0.3 x 0.4 = 0.12, times (100 - 15) points; debt-to-asset (0.075) comes next
    assert scored.lost[1, scored.metric_names.index("max_days_overdue_12m")] == pytest.approx(0.102)
    assert reason_metrics(scored, 1)[1] == "debt_to_asset"


def test_one_band_of_payment_slip_does_not_make_an_average_customer_c():
    slipped = {**AVERAGE, "max_days_overdue_12m": 31}  # 85 → 65 points: payment 81.5, total 66.95
    scored = run([AVERAGE, slipped])
    assert grades(scored) == ["B", "B"]
    assert scored.total[1] == pytest.approx(66.95)


def test_band_thresholds_are_inclusive_in_the_direction_of_the_metric():
    rule = {m.name: m for m in card().metrics}
    assert expert.band_points(np.array([2.0, 1.9999]), rule["current_ratio"]).tolist() == [100, 80]
    assert expert.band_points(np.array([30.0, 30.5]), rule["max_days_overdue_12m"]).tolist() == [85, 65]
    assert expert.band_points(np.array([0.2, 0.1999]), rule["guarantee_coverage"]).tolist() == [70, 60]
    assert expert.band_points(np.array([1e9, -5.0]), rule["max_days_overdue_12m"]).tolist() == [0, 100]


def test_missing_worst_takes_the_lowest_band_and_is_reported():
    config = {"dimensions": {"financial": {"metrics": {"current_ratio": {"missing": "worst"}}}}}
    scored = run([{**STRONG, "current_ratio": None}], config)
    j = scored.metric_names.index("current_ratio")
    assert scored.missing[0, j] and scored.points[0, j] == 10
    assert scored.dimension_scores[0, 0] == pytest.approx(55.0)


def test_missing_cooperation_years_takes_the_worst_band_by_default():
    # the dimension's rule "metrics" (not the default "reweight") lets the metric's own rule decide
    scored = run([{**STRONG, "cooperation_years": None}], {"missing_dimensions": {"cooperation": {"rule": "metrics"}}})
    j = scored.metric_names.index("cooperation_years")
    assert scored.missing[0, j] and scored.points[0, j] == 20
    assert scored.total[0] == pytest.approx(92.0)


def test_missing_statements_take_forty_points_not_the_worst_by_default():
    scored = run([{**AVERAGE, "current_ratio": None, "debt_to_asset": None}],
                 {"missing_dimensions": {"financial": {"rule": "metrics"}}})
    financial = [scored.metric_names.index("current_ratio"), scored.metric_names.index("debt_to_asset")]
    assert scored.missing[0, financial].all() and scored.points[0, financial].tolist() == [40, 40]
    # financial 40 instead of 55: total 69.35 - 0.3 * 15 = 64.85, still B
    assert scored.dimension_scores[0, 0] == pytest.approx(40.0)
    assert scored.total[0] == pytest.approx(64.85) and grades(scored) == ["B"]


def test_under_the_worst_rule_missing_statements_alone_would_make_an_average_customer_c():
    worst = {"missing": "worst"}
    config = {"dimensions": {"financial": {"metrics": {"current_ratio": worst, "debt_to_asset": worst}}},
              "missing_dimensions": {"financial": {"rule": "metrics"}}}
    scored = run([{**AVERAGE, "current_ratio": None, "debt_to_asset": None}], config)
    # the lowest bands, 10 and 0: financial 5, total 69.35 - 0.3 * 50 = 54.35
    assert scored.total[0] == pytest.approx(54.35) and grades(scored) == ["C"]


def test_missing_neutral_takes_the_neutral_points():
    scored = run([{**STRONG, "overdue_count_12m": None, "avg_days_to_pay": None, "max_days_overdue_12m": None}])
    assert scored.dimension_scores[0, 1] == pytest.approx(60.0)
    assert scored.missing[0].sum() == 3


def test_missing_exclude_reweights_inside_the_dimension():
    config = {"dimensions": {"payment": {"metrics": {"avg_days_to_pay": {"missing": "exclude"}}}}}
    scored = run([{**AVERAGE, "avg_days_to_pay": None}], config)
    # overdue 100 (weight 30) and max days 85 (weight 40) carry the dimension: (30*100 + 40*85) / 70
    assert scored.dimension_scores[0, 1] == pytest.approx((30 * 100 + 40 * 85) / 70)
    assert math.isnan(scored.points[0, scored.metric_names.index("avg_days_to_pay")])
    assert scored.used_weight[0].sum() == pytest.approx(1.0)


def test_a_dimension_with_every_metric_excluded_takes_neutral_points():
    exclude = {"missing": "exclude"}
    config = {"dimensions": {"financial": {"metrics": {"current_ratio": {**exclude, "neutral_points": 40},
                                                       "debt_to_asset": {**exclude, "neutral_points": 60}}}},
              "missing_dimensions": {"financial": {"rule": "metrics"}}}
    scored = run([{**STRONG, "current_ratio": None, "debt_to_asset": None}], config)
    assert scored.dimension_neutral[0, 0] and scored.dimension_scores[0, 0] == pytest.approx(50.0)
    assert scored.total[0] == pytest.approx(0.3 * 50 + 70)


def test_an_industry_alarm_caps_the_grade_and_says_so():
    scored = run([STRONG, WEAK], alarm=[True, True])
    assert grades(scored) == ["B", "C"]
    assert scored.uncapped_grade.tolist() == [0, 2]


def test_limit_is_the_smaller_of_revenue_and_equity_shares():
    # A: min(10% of 100M, 30% of 20M) = 6M
    scored = run([STRONG], revenue_fen=[100_000_000_00], equity_fen=[20_000_000_00])
    assert scored.limit_fen.tolist() == [6_000_000_00] and scored.limit_basis.tolist() == [0]


def test_limit_uses_the_one_statement_figure_given():
    scored = run([STRONG, STRONG], revenue_fen=[100_000_000_00, NAN], equity_fen=[NAN, 10_000_000_00])
    assert scored.limit_fen.tolist() == [10_000_000_00, 3_000_000_00]


def test_without_statements_the_limit_is_a_share_of_our_sales():
    scored = run([STRONG, AVERAGE], sales_12m_fen=[4_000_000_00, 4_000_000_00])
    assert scored.limit_fen.tolist() == [1_000_000_00, 600_000_00] and scored.limit_basis.tolist() == [1, 1]


def test_limit_is_capped_then_secured_value_added_and_rounded_down():
    scored = run([STRONG, STRONG], revenue_fen=[1e11, 100_000_000_00], equity_fen=[1e11, 20_000_000_00],
                 secured_fen=[0, 123_456_78])
    assert scored.limit_fen.tolist() == [20_000_000_00, 6_120_000_00]


def test_grade_c_gets_only_its_share_of_collateral():
    scored = run([WEAK], revenue_fen=[100_000_000_00], equity_fen=[50_000_000_00], secured_fen=[1_000_000_00])
    assert scored.limit_fen.tolist() == [800_000_00]


def test_negative_equity_gives_no_unsecured_limit():
    scored = run([STRONG], revenue_fen=[100_000_000_00], equity_fen=[-5_000_000_00])
    assert scored.limit_fen.tolist() == [0]


metric_value = st.one_of(st.none(), st.floats(-10, 1000, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "current_ratio": metric_value, "debt_to_asset": metric_value, "overdue_count_12m": metric_value,
    "avg_days_to_pay": metric_value, "max_days_overdue_12m": metric_value,
    "industry_outlook": st.one_of(st.none(), st.sampled_from(OUTLOOKS)), "guarantee_coverage": metric_value,
    "cooperation_years": metric_value}), min_size=1, max_size=20),
    st.integers(0, 10**12), st.integers(0, 10**11))
def test_totals_stay_within_0_100_and_limits_are_whole_rounding_steps(customers, sales, secured):
    n = len(customers)
    scored = run(customers, sales_12m_fen=[sales] * n, secured_fen=[secured] * n)
    assert ((scored.total >= 0) & (scored.total <= 100)).all()
    unit = expert.rounding_unit(scored.limit_fen, 1_000_000, 2)  # two significant digits, at most ¥10,000
    assert (scored.limit_fen >= 0).all() and (scored.limit_fen % unit == 0).all()
    assert ((scored.limit_fen < 100 * unit) | (unit == 1_000_000)).all()
    assert np.allclose(scored.used_weight.sum(axis=1), 1.0)  # re-weighted over what is present, always whole
    assert (scored.grade >= expert._grades(scored.total, (75.0, 55.0))).all()  # caps only lower a grade


def test_the_worked_example_of_the_documentation():
    scored = run([AVERAGE], revenue_fen=[80_000_000_00], equity_fen=[10_000_000_00], secured_fen=[123_456_78])
    assert (grades(scored), scored.total.tolist()) == (["B"], [69.35])
    assert scored.limit_fen.tolist() == [1_620_000_00] and scored.term_days.tolist() == [60]
