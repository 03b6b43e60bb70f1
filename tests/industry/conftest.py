"""A small indicator library: the construction and real-estate indicators of a downturn."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from fengkong.accounts.choices import Role
from fengkong.industry import actions


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def indicator_in(**overrides) -> actions.IndicatorIn:
    fields = {"code": "k-sales-area", "name": "商品房销售面积累计增长", "industry": "K", "unit": "%",
              "source": "国家统计局", "direction": "lower", "frequency": "monthly",
              "warning_level": Decimal("-5"), "alarm_level": Decimal("-15")}
    return actions.IndicatorIn(**{**fields, **overrides})


@pytest.fixture
def analyst(users):
    return users[Role.INDUSTRY_ANALYST]


@pytest.fixture
def library(analyst):
    """Two national monthly indicators (real estate, construction) and one quarterly of Chongqing."""
    sales = actions.save_indicator(actor=analyst, data=indicator_in())
    cement = actions.save_indicator(actor=analyst, data=indicator_in(
        code="e-cement", name="水泥产量", industry="E", unit="万吨", warning_level=Decimal("1500"),
        alarm_level=Decimal("1200")))
    cq = actions.save_indicator(actor=analyst, data=indicator_in(
        code="e-cq-output", name="建筑业总产值增速", industry="E", region="500000", frequency="quarterly",
        warning_level=None, alarm_level=None))
    return {"sales": sales, "cement": cement, "cq": cq}


@pytest.fixture
def captured_reassessments(monkeypatch):
    """Re-assessments credit asks for when an alarm is raised (its receiver of industry's signal)."""
    calls = []
    monkeypatch.setattr("fengkong.credit.actions.assessments.reassess_later",
                        lambda ids, trigger, actor=None: calls.append((sorted(ids), trigger)))
    return calls


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English; the zh-hans catalogue translates them (a test may override it)."""
    with translation.override("en"):
        yield
