"""Legal tests: a danger-zone customer of Chongqing with its referral task, and an evidence store per test."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from tests.conftest import make_customer, make_invoice
from tests.evidence.conftest import evidence_store  # noqa: F401 - the autouse store of the evidence tests

from fengkong.monitoring.choices import ActionKind, AlertKind, AlertLevel
from fengkong.monitoring.models import ActionItem, Alert


@pytest.fixture
def debtor(portfolios):
    customer = make_customer("C000001", "500103", portfolios["CQ"], name="重庆渝中精密机械有限公司")
    make_invoice(customer, "AR0001", amount="120000.00", days_overdue=95)
    make_invoice(customer, "AR0002", amount="30000.00", days_overdue=40)
    return customer


@pytest.fixture
def referral(debtor):
    alert = Alert.objects.create(dedup_key="zone_danger:C000001", kind=AlertKind.ZONE_DANGER,
                                 level=AlertLevel.CRITICAL if hasattr(AlertLevel, "CRITICAL") else max(AlertLevel.values),
                                 customer=debtor, as_of=date(2026, 11, 28), title="危险")
    return ActionItem.objects.create(kind=ActionKind.LEGAL_REFERRAL, customer=debtor, alert=alert,
                                     due_date=date(2026, 11, 29))


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English; the zh-hans catalogue translates them (a test may override it)."""
    with translation.override("en"):
        yield

