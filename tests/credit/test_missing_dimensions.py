"""A ledger-only company gets meaningful grades: a dimension with no input at all is re-weighted over the
dimensions present, with the policy's caps, and the page and the what-if say so (worked examples in
tests/credit/ledger_book.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.exceptions import PolicyInvalid
from fengkong.credit.features import compute
from fengkong.credit.grading import preview, score
from fengkong.credit.models import Assessment
from fengkong.credit.policy import parse
from fengkong.credit.reasons import describe
from fengkong.credit.views.policy import preview_context

from .ledger_book import ledger_book

pytestmark = pytest.mark.django_db

# the behaviour before issue 11: every missing dimension scored by its metrics' rules, fixed ¥10,000 rounding
BEFORE = {"missing_dimensions": {d: {"rule": "metrics", "cap": None} for d in
                                 ("financial", "payment", "industry", "guarantee", "cooperation")},
          "round_significant_digits": 0}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def ledger(portfolios, today):
    return ledger_book(today, portfolios["SC"])


def graded(today, config=None):
    feats = compute(None, today)
    scored = score(feats.frame, parse(config))
    return dict(zip(feats.frame.get_column("customer_id").to_list(),
                    zip(scored.grade_letters().tolist(), scored.total.tolist(), strict=True), strict=True))


def test_a_ledger_only_book_gets_a_b_and_c(ledger, today):
    grades = graded(today)
    assert grades[ledger["good"].pk] == ("A", 81.67)
    assert grades[ledger["fair"].pk] == ("B", 60.33)
    assert grades[ledger["late"].pk] == ("C", 51.0)


def test_before_the_rule_the_excellent_payer_could_not_reach_a(ledger, today):
    grades = graded(today, BEFORE)
    assert grades[ledger["good"].pk][0] != "A" and grades[ledger["good"].pk][1] < 75


def test_without_payment_history_the_grade_is_at_most_b():
    from .test_expert_engine import STRONG, run

    scored = run([{**STRONG, "overdue_count_12m": None, "avg_days_to_pay": None, "max_days_overdue_12m": None}])
    # financial, industry, guarantee (coverage 120 %) and cooperation all 100 over 70 of the weight: 100, A
    assert scored.total[0] == pytest.approx(100.0) and scored.uncapped_grade.tolist() == [0]
    assert scored.grade_letters().tolist() == ["B"] and scored.dimension_missing[0, 1]


def test_too_little_known_caps_the_grade():
    from .test_expert_engine import run

    only_outlook = {"industry_outlook": "favourable"}  # 15 % of the weight known, below 30 %
    scored = run([only_outlook])
    assert scored.total[0] == pytest.approx(100.0) and scored.known_share[0] == pytest.approx(0.15)
    assert scored.little_known[0] and scored.grade_letters().tolist() == ["B"]


def test_the_assessment_says_which_dimensions_were_missing_and_what_that_did(ledger, today):
    assess_customers([ledger["good"].pk], as_of=today, trigger="manual", propose=False)
    a = Assessment.objects.get(customer=ledger["good"])
    missing = {r["dimension"]: r for r in a.reasons if r["code"] == "missing_dimension"}
    assert set(missing) == {"financial", "industry", "cooperation"}
    assert describe(missing["financial"]) == ("Financial statements missing: weight re-distributed over the "
                                              "other dimensions, grade at most A")
    assert a.scores["payment"]["weight"] == pytest.approx(66.67) and a.scores["financial"]["weight"] == 0
    assert (a.grade, a.total) == ("A", Decimal("81.67"))


def test_the_customer_page_shows_the_missing_dimension_rule(ledger, today, sign_in):
    assess_customers([ledger["good"].pk], as_of=today, trigger="manual", propose=False)
    body = sign_in("credit_analyst").get("/customers/C000041/").content.decode()
    reasons = body.split('id="credit-reasons"')[1].split("</ul>")[0]
    assert "Financial statements missing: weight re-distributed over the other dimensions, grade at most A" in reasons


def test_the_what_if_shows_the_grade_mix_on_a_ledger_only_book(ledger, today):
    result = preview(BEFORE)  # the policy in force (the defaults) against the behaviour before the rule
    moves = result["grade_moves"]
    assert moves["A"]["A"] == 0 and moves["A"]["B"] + moves["A"]["C"] == 1  # the excellent payer loses its A
    shown = preview_context(result)
    assert shown["mix_before"] == "A 1 · B 1 · C 1"
    assert shown["mix_after"].startswith("A 0")


def test_a_bad_missing_dimension_setting_is_refused_naming_it():
    with pytest.raises(PolicyInvalid) as refused:
        parse({"missing_dimensions": {"financial": {"rule": "drop", "cap": "D"}, "min_known_share": 2,
                                      "little_known_cap": "E", "typo": 1},
               "knockouts": {"grade_cap": "X", "danger_zone": "yes", "fraud": True},
               "round_significant_digits": -1})
    problems = "\n".join(refused.value.problems)
    for setting in ("missing_dimensions.financial.rule", "missing_dimensions.financial.cap",
                    "missing_dimensions.min_known_share", "missing_dimensions.little_known_cap",
                    "missing_dimensions.typo", "knockouts.grade_cap", "knockouts.danger_zone", "knockouts.fraud",
                    "round_significant_digits"):
        assert setting in problems, setting


def test_a_risk_manager_previews_and_a_collector_cannot(ledger, sign_in):
    import json

    body = json.dumps(BEFORE)
    form = {"config": body, "action": "preview"}
    allowed = sign_in("risk_manager").post("/credit/policy/new/", form).content.decode()
    assert "A 1 · B 1 · C 1 → A 0" in allowed.split('id="preview-mix"')[1][:80]
    assert sign_in("collector").post("/credit/policy/new/", form).status_code == 403


def test_the_policy_page_states_what_a_missing_dimension_does(sign_in):
    body = sign_in("risk_manager").get("/credit/policy/").content.decode()
    assert "Financial statements missing: weight re-distributed over the other dimensions, grade at most A" in body
    assert "No payment history: weight re-distributed over the other dimensions, grade at most B" in body
    assert "less than 30.0 % of the weight, the grade is at most B" in body
    assert "2 significant digits" in body
