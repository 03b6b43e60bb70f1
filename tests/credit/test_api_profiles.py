"""GET /customers/{code}/credit, GET and POST /customers/{code}/assessments: figures, reasons, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from tests.conftest import AS_OF

from fengkong.accounts.choices import Role
from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.models import Assessment, CreditProfile


@pytest.fixture
def api(users):
    def as_(persona: str, language: str = "en"):
        client = Client(headers={"accept-language": language})
        client.force_login(users[persona])
        return client
    return as_


@pytest.fixture
def assessed(book, users):
    cq1 = book["customers"][0]
    CreditProfile.objects.create(customer=cq1, limit=Decimal("50000.00"), term_days=60, owner=users[Role.RISK_MANAGER])
    assess_customers(None, as_of=AS_OF, trigger="initial", propose=False)
    return book


def test_the_profile_shows_figures_owner_and_the_latest_assessment_with_reasons(assessed, api):
    response = api(Role.CREDIT_ANALYST).get("/api/v1/customers/C000001/credit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["customer"] == "C000001" and body["owner"] == Role.RISK_MANAGER
    assert body["limit"] == "50000.00" and body["term_days"] == 60 and body["next_review"] == "2027-02-27"
    assert body["standing"]["receivables"] == "15000.00" and body["standing"]["limit"] == "50000.00"
    latest = body["assessment"]
    assert latest["grade"] == body["grade"] and latest["trigger"] == "initial"
    assert latest["reasons"] and all(r["text"] for r in latest["reasons"])
    assert any(m["metric"] == "current_ratio" and "no data" in m["text"] for m in latest["missing"])
    assert set(latest["scores"]) == {"financial", "payment", "industry", "guarantee", "cooperation"}


def test_reasons_are_worded_in_the_request_language(assessed, api):
    english = api(Role.CREDIT_ANALYST, "en").get("/api/v1/customers/C000001/credit").json()
    chinese = api(Role.CREDIT_ANALYST, "zh-hans").get("/api/v1/customers/C000001/credit").json()
    assert english["assessment"]["reasons"][0]["code"] == chinese["assessment"]["reasons"][0]["code"]
    assert english["assessment"]["reasons"][0]["text"]


def test_a_customer_never_assessed_has_an_empty_profile(book, api):
    body = api(Role.CREDIT_ANALYST).get("/api/v1/customers/C000002/credit").json()
    assert body["grade"] == "" and body["assessment"] is None and body["owner"] is None


def test_sales_see_the_profile_of_their_portfolio_without_the_assessment(assessed, api):
    response = api(Role.SALES).get("/api/v1/customers/C000003/credit")
    assert response.status_code == 200 and response.json()["assessment"] is None
    assert api(Role.SALES).get("/api/v1/customers/C000003/assessments").status_code == 403


def test_another_portfolio_and_unknown_codes_are_not_found(assessed, api):
    assert api(Role.SALES).get("/api/v1/customers/C000001/credit").status_code == 404
    assert api(Role.COLLECTOR).get("/api/v1/customers/C000003/assessments").status_code == 404
    assert api(Role.CREDIT_ANALYST).get("/api/v1/customers/NOPE/credit").status_code == 404
    assert api(Role.CREDIT_ANALYST).post("/api/v1/customers/NOPE/assessments").status_code == 404


def test_the_history_lists_assessments_newest_first(assessed, api):
    assess_customers([assessed["customers"][0].pk], as_of=AS_OF, trigger="manual", propose=False)
    body = api(Role.AUDITOR).get("/api/v1/customers/C000001/assessments").json()
    assert body["count"] == 2 and [a["trigger"] for a in body["items"]] == ["manual", "initial"]


def test_an_analyst_assesses_a_customer_now(book, api, users):
    response = api(Role.CREDIT_ANALYST).post("/api/v1/customers/C000001/assessments")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["trigger"] == "manual" and body["triggered_by"] == Role.CREDIT_ANALYST and body["reasons"]
    assert Assessment.objects.filter(customer__code="C000001").count() == 1


def test_roles_without_the_permission_cannot_assess(book, api):
    for persona in (Role.AUDITOR, Role.COLLECTOR, Role.RISK_COMMITTEE, "nobody"):
        assert api(persona).post("/api/v1/customers/C000001/assessments").status_code in (403, 404), persona
    assert api(Role.AUDITOR).post("/api/v1/customers/C000001/assessments").status_code == 403
    assert not Assessment.objects.exists()


def test_anonymous_callers_get_401(book):
    assert Client().get("/api/v1/customers/C000001/credit").status_code == 401
    assert Client().post("/api/v1/customers/C000001/assessments").status_code == 401
