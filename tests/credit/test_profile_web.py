"""The credit section of the customer page, the credit overview, the flags form and manual re-assessment."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import AS_OF
from tests.credit.web_fixtures import graded

from fengkong.core.models import AuditEvent
from fengkong.credit.models import CreditProfile, Guarantee, LimitProposal, RiskFeedback


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def credit_book(book, users):
    cq1, cq2, sc1 = book["customers"]
    graded(cq1, "B", "50000.00", "72.50", owner=users["risk_manager"], history=3)
    graded(cq2, "C", "20000.00", "48.00", next_review=AS_OF - timedelta(days=3))  # 50,000 open: over limit
    Guarantee.objects.create(customer=cq1, kind="collateral", provider="渝中厂房抵押", value=Decimal("80000.00"),
                             valid_from=AS_OF - timedelta(days=200))
    return book


def test_an_analyst_reads_the_whole_credit_profile(sign_in, credit_book):
    body = sign_in("credit_analyst").get("/customers/C000001/").content.decode()
    assert 'id="credit"' in body
    assert 'data-grade="B"' in body
    assert "50,000.00" in body                     # the limit
    assert "35,000.00" in body                     # available: 50,000 - 15,000 open
    assert "30.00%" in body                        # utilisation
    assert 'id="credit-utilisation"' in body
    assert "risk_manager" in body                  # the accountable owner
    assert "渝中厂房抵押" in body                    # guarantee on file
    assert "credit-dimensions" in body and "credit-score-history" in body
    assert "13.5" in body                          # a reason, in words, with the points it cost
    assert 'id="credit-missing"' in body
    assert body.count("<tr><td data-label") >= 3   # grade history rows
    assert 'id="credit-reassess"' in body and 'id="credit-propose"' in body and 'id="credit-set-flags"' in body
    assert "/credit/customers/C000001/propose/" in body


def test_the_dimension_chart_is_data_not_code(sign_in, credit_book):
    response = sign_in("credit_analyst").get("/customers/C000001/")
    body = response.content.decode()
    start = body.index('<script id="credit-dimensions" type="application/json">') + len(
        '<script id="credit-dimensions" type="application/json">')
    figure = json.loads(body[start:body.index("</script>", start)])
    assert figure["data"][0]["x"] == [45.0, 82.5, 60.0, 50.0, 90.0]


def test_an_expired_review_is_shown_in_red(sign_in, credit_book):
    body = sign_in("credit_analyst").get("/customers/C000002/").content.decode()
    assert 'data-credit="next-review" class="danger strong"' in body


def test_a_pending_proposal_is_linked(sign_in, credit_book, users):
    cq1 = credit_book["customers"][0]
    proposal = LimitProposal.objects.create(customer=cq1, current_limit=Decimal("50000.00"),
                                            proposed_limit=Decimal("80000.00"), current_term_days=60,
                                            proposed_term_days=60, reason="growth", level="manager",
                                            proposed_by=users["credit_analyst"])
    body = sign_in("risk_manager").get("/customers/C000001/").content.decode()
    assert f"/credit/proposals/{proposal.pk}/" in body


def test_flags_show_as_badges(sign_in, credit_book):
    CreditProfile.objects.filter(customer__code="C000001").update(blacklisted=True, litigation=True)
    body = sign_in("credit_analyst").get("/customers/C000001/").content.decode()
    assert 'data-flag="blacklisted"' in body and 'data-flag="litigation"' in body


def test_a_collector_reads_the_profile_but_gets_no_buttons(sign_in, credit_book):
    body = sign_in("collector").get("/customers/C000001/").content.decode()
    assert 'data-grade="B"' in body
    assert "credit-reassess" not in body and "credit-set-flags" not in body


def test_sales_see_grade_and_limit_but_not_the_assessment(sign_in, credit_book):
    graded(credit_book["customers"][2], "A", "90000.00", "86.00")
    body = sign_in("sales").get("/customers/C000003/").content.decode()
    assert 'data-grade="A"' in body and "90,000.00" in body
    assert "credit-dimensions" not in body and "credit-guarantees" not in body


def test_a_customer_never_assessed_says_so(sign_in, book):
    body = sign_in("credit_analyst").get("/customers/C000003/").content.decode()
    assert 'data-grade="none"' in body
    assert "credit-dimensions" not in body


# --- the overview -------------------------------------------------------------------------------------

def test_the_overview_counts_grades_over_limit_reviews_and_feedback(sign_in, credit_book, users):
    RiskFeedback.objects.create(customer=credit_book["customers"][0], category="payment", text="拖欠工资",
                                author=users["sales"])
    body = sign_in("risk_manager").get("/credit/").content.decode()
    assert '<tr data-grade="B">' in body and '<tr data-grade="none">' in body
    assert 'data-kpi="over-limit">1<' in body
    assert 'data-kpi="reviews-overdue">1<' in body
    assert 'data-kpi="limits">70,000.00<' in body
    assert 'id="credit-over-limit"' in body and "C000002" in body
    assert 'data-kpi="feedback"' in body and "/credit/feedback/" in body
    assert 'data-kpi="pending"' in body and "credit-grades" in body


def test_a_collector_overview_is_their_portfolio_only(sign_in, credit_book):
    body = sign_in("collector").get("/credit/").content.decode()
    assert "C000002" in body
    assert "C000003" not in body and "成都锦江电子有限公司" not in body
    assert 'data-kpi="exposure">65,000.00<' in body  # 15,000 + 50,000 open in Chongqing


def test_the_overview_needs_a_credit_role(sign_in, book):
    assert sign_in("nobody").get("/credit/").status_code == 403


# --- flags --------------------------------------------------------------------------------------------

def test_an_analyst_sets_the_litigation_flag_with_a_reason(sign_in, credit_book, reassessed):
    client = sign_in("credit_analyst")
    assert client.get("/credit/customers/C000001/flags/").status_code == 200
    response = client.post("/credit/customers/C000001/flags/", {"litigation": "on", "reason": "被起诉 (2026)渝01民初1号"})
    assert response.status_code == 302 and response.url == "/customers/C000001/"
    profile = CreditProfile.objects.get(customer__code="C000001")
    assert profile.litigation and not profile.blacklisted
    assert profile.litigation_note == "被起诉 (2026)渝01民初1号"
    assert AuditEvent.objects.filter(action="credit_flags.changed", object_id=str(profile.pk)).exists()
    assert reassessed == [([profile.customer_id], "litigation")]


def test_flags_without_a_reason_show_the_form_again(sign_in, credit_book, reassessed):
    response = sign_in("credit_analyst").post("/credit/customers/C000001/flags/", {"blacklisted": "on"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not CreditProfile.objects.get(customer__code="C000001").blacklisted


def test_a_collector_cannot_set_flags(sign_in, credit_book):
    client = sign_in("collector")
    assert client.get("/credit/customers/C000001/flags/").status_code == 403
    assert client.post("/credit/customers/C000001/flags/", {"blacklisted": "on", "reason": "x"}).status_code == 403


def test_an_unknown_customer_is_not_found(sign_in, book):
    assert sign_in("credit_analyst").get("/credit/customers/NOPE/flags/").status_code == 404


# --- manual re-assessment -----------------------------------------------------------------------------

def test_re_assess_runs_the_assessment_for_that_customer(sign_in, credit_book, monkeypatch, users):
    calls = []

    def fake(ids, *, as_of, trigger, actor=None, **kwargs):
        calls.append((ids, as_of, trigger, actor))
        return {"customers": 1}

    monkeypatch.setattr("fengkong.credit.actions.assessments.assess_customers", fake)
    response = sign_in("credit_analyst").post("/credit/customers/C000001/assess/")
    assert response.status_code == 302 and response.url == "/customers/C000001/#credit"
    cq1 = credit_book["customers"][0]
    assert calls == [([cq1.pk], AS_OF, "manual", users["credit_analyst"])]


def test_re_assess_needs_the_permission(sign_in, credit_book):
    assert sign_in("collector").post("/credit/customers/C000001/assess/").status_code == 403
    assert sign_in("sales").post("/credit/customers/C000001/assess/").status_code == 403
