"""The outlooks page with its history, and the industry API (indicators, observations, outlooks)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.industry import actions
from fengkong.industry.models import IndustryOutlook, Observation, OutlookChange

from .conftest import client_of

pytestmark = pytest.mark.django_db


def post_json(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_each_outlook_change_is_kept_in_the_history(book, analyst, captured_reassessments):
    actions.set_outlook(actor=analyst, industry="E", outlook="cautious", alarm=False, note="回款放缓")
    actions.set_outlook(actor=analyst, industry="E", outlook="adverse", alarm=True, note="停工增多")
    history = list(OutlookChange.objects.filter(industry="E").order_by("changed_at", "pk"))
    assert [(h.outlook, h.alarm, h.previous_outlook, h.previous_alarm) for h in history] == [
        ("cautious", False, "", None), ("adverse", True, "cautious", False)]
    assert captured_reassessments == [([book["customers"][1].pk], "industry_alarm")]


def test_the_outlooks_page_sets_an_outlook_and_shows_the_history(book, analyst, users, captured_reassessments):
    client = client_of(analyst)
    response = client.post("/industry/outlooks/set/", {"industry": "K", "outlook": "adverse", "alarm": "on",
                                                       "note": "销售面积同比下降"})
    assert response.status_code == 302 and IndustryOutlook.objects.get(industry="K").alarm
    text = client_of(users[Role.CREDIT_ANALYST]).get("/industry/outlooks/").content.decode()
    assert "销售面积同比下降" in text and 'id="outlook-form"' not in text and "Outlook history" in text
    bad = client.post("/industry/outlooks/set/", {"industry": "Z", "outlook": "gloomy"})
    assert bad.status_code == 302 and OutlookChange.objects.count() == 1
    refused = client_of(users[Role.RISK_MANAGER]).post("/industry/outlooks/set/", {"industry": "K", "outlook": "stable"})
    assert refused.status_code == 403 and IndustryOutlook.objects.get(industry="K").outlook == "adverse"


def test_the_api_lists_indicators_and_shows_one_with_its_observations(library, analyst, users):
    actions.record_observation(actor=analyst, indicator=library["cement"], period=date(2024, 9, 30), value=Decimal("1150"))
    client = client_of(users[Role.COLLECTOR])
    listed = client.get("/api/v1/industry/indicators?industry=E").json()
    assert listed["count"] == 2 and {i["code"] for i in listed["items"]} == {"e-cement", "e-cq-output"}
    one = client.get("/api/v1/industry/indicators/e-cement").json()
    assert one["observations"] == [{"period": "2024-09-30", "value": "1150.0000", "source": "manual", "breach": "alarm",
                                    "entered_by": Role.INDUSTRY_ANALYST, "entered_at": one["observations"][0]["entered_at"]}]
    assert client.get("/api/v1/industry/indicators/nothing").status_code == 404
    assert client_of(users[Role.SALES]).get("/api/v1/industry/indicators").status_code == 403


def test_the_api_enters_an_observation_for_the_analyst_only(library, analyst, users):
    url = "/api/v1/industry/indicators/k-sales-area/observations"
    made = post_json(client_of(analyst), url, {"period": "2024-10-31", "value": "-15.8"})
    assert made.status_code == 201 and made.json()["breach"] == "alarm"
    bad = post_json(client_of(analyst), url, {"period": "2024-10-30", "value": "1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    assert post_json(client_of(analyst), url, {"period": "2024-11-30", "value": "x"}).status_code == 422
    refused = post_json(client_of(users[Role.RISK_MANAGER]), url, {"period": "2024-11-30", "value": "1"})
    assert refused.status_code == 403
    assert Observation.objects.count() == 1 and AuditEvent.objects.filter(action="observation.entered").count() == 1


def test_the_api_sets_and_lists_outlooks(book, analyst, users, captured_reassessments):
    made = post_json(client_of(analyst), "/api/v1/industry/outlooks",
                     {"industry": "E", "outlook": "adverse", "alarm": True, "note": "下行"})
    assert made.status_code == 200 and made.json()["alarm"] is True
    assert captured_reassessments == [([book["customers"][1].pk], "industry_alarm")]
    assert post_json(client_of(analyst), "/api/v1/industry/outlooks", {"industry": "Z", "outlook": "x"}).status_code == 422
    assert post_json(client_of(users[Role.CREDIT_ANALYST]), "/api/v1/industry/outlooks",
                     {"industry": "E", "outlook": "stable"}).status_code == 403
    listed = client_of(users[Role.AUDITOR]).get("/api/v1/industry/outlooks").json()
    assert [(o["industry"], o["outlook"]) for o in listed] == [("E", "adverse")]
