"""Rules beside the zones: a large new overdue amount, limit utilisation (only once limits exist)."""

from __future__ import annotations

import polars as pl
import pytest

from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.cycle import run_cycle
from fengkong.monitoring.models import Alert
from fengkong.receivables.models import SalesOrder

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


def test_a_large_amount_falling_overdue_alerts_the_risk_managers_once(users, customer, notified):
    invoice(customer, "AR-BIG-1", due=day(10), amount="600000.00")
    run_cycle(as_of=day(10))
    assert not Alert.objects.exists()
    run_cycle(as_of=day(12))  # two days since the last run: both days' new overdue items count
    alert = Alert.objects.get(kind=AlertKind.LARGE_OVERDUE)
    assert alert.details["amount"] == "600000.00" and alert.details["window_days"] == 2
    assert notified.of("large_overdue")[0]["users"] == [users["risk_manager"]]
    run_cycle(as_of=day(13))
    assert Alert.objects.filter(kind=AlertKind.LARGE_OVERDUE).count() == 1


def test_utilisation_rules_do_nothing_while_no_credit_limit_is_known(users, customer, notified):
    invoice(customer, "AR-UTIL-1", due=day(100), amount="9000000.00")
    run = run_cycle(as_of=day(1))
    assert run.status == "done"
    assert not Alert.objects.filter(kind__startswith="utilisation").exists()


def test_utilisation_over_90_and_100_percent_alert_once_limits_exist(users, customer, notified, monkeypatch):
    invoice(customer, "AR-UTIL-2", due=day(100), amount="95000.00")
    SalesOrder.objects.create(number="SO-1", customer=customer, order_date=day(0), amount="10000.00",
                              open_amount="10000.00")
    limits = pl.DataFrame({"customer_id": [customer.pk], "limit_fen": [11_000_000]})
    monkeypatch.setattr("fengkong.monitoring.cycle.credit_limits", lambda: limits)
    run_cycle(as_of=day(1))  # exposure 105,000 of a 110,000 limit: 95.45 %
    alert = Alert.objects.get(kind=AlertKind.UTILISATION_90)
    assert alert.details == {"exposure": "105000.00", "limit": "110000.00", "utilisation": "95.45"}
    assert notified.of("limit_utilisation")

    SalesOrder.objects.update(open_amount="10000.00", amount="20000.00")
    invoice(customer, "AR-UTIL-3", due=day(100), amount="10000.00")
    run_cycle(as_of=day(2))
    assert Alert.objects.filter(kind=AlertKind.UTILISATION_100).count() == 1
    run_cycle(as_of=day(3))
    assert Alert.objects.filter(kind__startswith="utilisation").count() == 2
