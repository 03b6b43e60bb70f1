"""Fixtures for the monitoring pages and API: the shared `book` with one more overdue invoice in
Sichuan, aged by the real risk cycle a week before AS_OF and on AS_OF, so there are two snapshot dates,
zone alerts in both portfolios, action items and a stop-supply flag.

After the two runs: C000001 (Chongqing) is in the attention zone, C000002 (Chongqing) in the danger
zone with a stop-supply flag and a legal referral, C000003 (Sichuan) in the warning zone with a phone
call and a reminder letter.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import AS_OF, make_invoice

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.models import Alert

WEEK_BEFORE = AS_OF - timedelta(days=7)


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def monitored(book, users, settings, tmp_path):
    """The book after the risk cycles of WEEK_BEFORE and AS_OF."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sc1 = book["customers"][2]
    make_invoice(sc1, "AR0006", "30000.00", days_overdue=65)
    first = run_cycle(as_of=WEEK_BEFORE)
    last = run_cycle(as_of=AS_OF)
    return {**book, "runs": [first, last], "users": users}


def alert_of(code: str, **filters) -> Alert:
    return Alert.objects.filter(customer__code=code, **filters).order_by("-level", "pk").first()

