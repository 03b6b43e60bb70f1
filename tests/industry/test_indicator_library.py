"""The indicator library: adding and changing indicators, observations entered by hand, the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.industry import actions
from fengkong.industry.exceptions import IndicatorInvalid, IndustryError
from fengkong.industry.models import Indicator, Observation

from .conftest import client_of, indicator_in

pytestmark = pytest.mark.django_db


def test_an_indicator_added_to_the_library_is_audited(analyst):
    made = actions.save_indicator(actor=analyst, data=indicator_in())
    assert (made.industry, made.unit, made.direction, made.created_by) == ("K", "%", "lower", analyst)
    event = AuditEvent.objects.get(action="indicator.added")
    assert event.after["code"] == "k-sales-area" and event.actor_name == Role.INDUSTRY_ANALYST


def test_every_problem_of_an_indicator_is_named(analyst):
    with pytest.raises(IndicatorInvalid) as caught:
        actions.save_indicator(actor=analyst, data=indicator_in(
            code="Bad Code", industry="Z", region="990000", unit=" ", direction="sideways", frequency="daily",
            warning_level=Decimal("-15"), alarm_level=Decimal("-5")))
    assert set(caught.value.problems) == {"code", "industry", "region", "unit", "direction", "frequency"}
    with pytest.raises(IndicatorInvalid) as caught:
        actions.save_indicator(actor=analyst, data=indicator_in(warning_level=Decimal("-15"), alarm_level=Decimal("-5")))
    assert set(caught.value.problems) == {"alarm_level"}  # lower is riskier: the alarm lies below the warning
    assert not Indicator.objects.exists() and not AuditEvent.objects.exists()


def test_a_code_is_taken_once(library, analyst):
    with pytest.raises(IndicatorInvalid, match="another indicator has this code"):
        actions.save_indicator(actor=analyst, data=indicator_in(name="别的名字"))


def test_only_the_industry_analyst_keeps_the_library(users):
    for role in (Role.CREDIT_ANALYST, Role.RISK_MANAGER, Role.COLLECTOR, "nobody"):
        with pytest.raises(PermissionDenied):
            actions.save_indicator(actor=users[role], data=indicator_in())
    assert not Indicator.objects.exists()


def test_an_indicator_changed_keeps_what_it_was_in_the_audit_trail(library, analyst):
    data = indicator_in(warning_level=Decimal("-8"), alarm_level=Decimal("-20"))
    saved = actions.save_indicator(actor=analyst, data=data, indicator=library["sales"])
    assert saved.warning_level == Decimal("-8")
    event = AuditEvent.objects.get(action="indicator.changed")
    assert Decimal(event.before["warning_level"]) == Decimal("-5") and Decimal(event.after["warning_level"]) == Decimal("-8")


def test_an_observation_entered_by_hand_and_corrected(library, analyst):
    sales = library["sales"]
    actions.record_observation(actor=analyst, indicator=sales, period=date(2024, 10, 31), value=Decimal("-12.5"))
    row = actions.record_observation(actor=analyst, indicator=sales, period=date(2024, 10, 31), value=Decimal("-13.1"))
    assert Observation.objects.get().value == Decimal("-13.1") and row.source == "manual"
    events = list(AuditEvent.objects.filter(action="observation.entered").order_by("seq"))
    assert len(events) == 2 and events[1].before == "-12.5000"
    assert sales.breach(row.value) == "warning" and sales.breach(Decimal("-16")) == "alarm"
    assert sales.breach(Decimal("0")) is None


def test_an_observation_needs_the_last_day_of_its_period(library, analyst):
    with pytest.raises(IndustryError, match="last day"):
        actions.record_observation(actor=analyst, indicator=library["sales"], period=date(2024, 10, 15),
                                   value=Decimal("1"))
    with pytest.raises(IndustryError, match="last day"):  # quarterly: 30 June, not 31 May
        actions.record_observation(actor=analyst, indicator=library["cq"], period=date(2024, 5, 31), value=Decimal("1"))
    with pytest.raises(PermissionDenied):
        actions.record_observation(actor=analyst.__class__.objects.get(username=Role.CREDIT_ANALYST),
                                   indicator=library["sales"], period=date(2024, 10, 31), value=Decimal("1"))
    assert not Observation.objects.exists()


def test_the_library_page_lists_each_indicator_with_its_latest_value(library, analyst, users):
    actions.record_observation(actor=analyst, indicator=library["cement"], period=date(2024, 9, 30),
                               value=Decimal("1150"))
    page = client_of(users[Role.CREDIT_ANALYST]).get("/industry/")
    text = page.content.decode()
    assert page.status_code == 200 and "水泥产量" in text and "1150" in text and "Alarm" in text
    assert 'id="indicator-form"' not in text  # a credit analyst reads, does not add
    assert 'id="indicator-form"' in client_of(analyst).get("/industry/").content.decode()
    only_k = client_of(analyst).get("/industry/?industry=K").content.decode()
    assert "商品房销售面积累计增长" in only_k and "水泥产量" not in only_k
    assert client_of(users[Role.SALES]).get("/industry/").status_code == 403


def test_the_indicator_page_draws_the_chart_with_its_thresholds(library, analyst):
    for month, value in ((8, "-9.5"), (9, "-11.2"), (10, "-16.0")):
        actions.record_observation(actor=analyst, indicator=library["sales"], period=date(2024, month, 30 if month == 9 else 31),
                                   value=Decimal(value))
    text = client_of(analyst).get("/industry/indicators/k-sales-area/").content.decode()
    assert 'data-chart="indicator-chart"' in text and "Warning threshold" in text and "Alarm threshold" in text
    assert "plotly" in text and 'id="observation-form"' in text


def test_the_pages_add_an_indicator_and_an_observation(analyst, users):
    client = client_of(analyst)
    response = client.post("/industry/indicators/new/", {
        "code": "c-pmi", "name": "制造业PMI", "industry": "C", "region": "", "unit": "%", "frequency": "monthly",
        "source": "国家统计局", "direction": "lower", "warning_level": "49", "alarm_level": "47"})
    assert response.status_code == 302 and Indicator.objects.filter(code="c-pmi").exists()
    bad = client.post("/industry/indicators/c-pmi/observations/", {"period": "2024-10-15", "value": "49.8"})
    assert bad.status_code == 400 and "last day" in bad.content.decode()
    assert client.post("/industry/indicators/c-pmi/observations/", {"period": "2024-10-31", "value": "49.8"}).status_code == 302
    assert Observation.objects.get().value == Decimal("49.8")
    refused = client_of(users[Role.CREDIT_ANALYST]).post("/industry/indicators/c-pmi/observations/",
                                                         {"period": "2024-11-30", "value": "50"})
    assert refused.status_code == 403 and Observation.objects.count() == 1


def test_the_edit_page_refuses_bad_thresholds_with_a_message(library, analyst):
    response = client_of(analyst).post("/industry/indicators/e-cement/edit/", {
        "code": "e-cement", "name": "水泥产量", "industry": "E", "unit": "万吨", "frequency": "monthly",
        "source": "国家统计局", "direction": "lower", "warning_level": "1000", "alarm_level": "1400"})
    assert response.status_code == 400 and "beyond the warning threshold" in response.content.decode()
    assert Indicator.objects.get(code="e-cement").alarm_level == Decimal("1200")
