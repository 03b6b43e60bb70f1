"""Rules beside the zones: a large new overdue amount, limit utilisation (only once limits exist)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.choices import AlertKind
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
    invoice(customer, "AR-UTIL-2", due=day(20), amount="95000.00")  # issued before the cycle, not yet due
    SalesOrder.objects.create(number="SO-1", customer=customer, order_date=day(0), amount="10000.00",
                              open_amount="10000.00")
    limits = pl.DataFrame({"customer_id": [customer.pk], "limit_fen": [11_000_000]})
    monkeypatch.setattr("fengkong.credit.nightly.credit_limits_frame", lambda: limits)
    run_cycle(as_of=day(1))  # exposure 105,000 of a 110,000 limit: 95.45 %
    alert = Alert.objects.get(kind=AlertKind.UTILISATION_90)
    assert alert.details == {"exposure": "105000.00", "limit": "110000.00", "utilisation": "95.45"}
    assert notified.of("limit_utilisation")

    SalesOrder.objects.update(open_amount="10000.00", amount="20000.00")
    invoice(customer, "AR-UTIL-3", due=day(25), amount="10000.00")
    run_cycle(as_of=day(2))
    assert Alert.objects.filter(kind=AlertKind.UTILISATION_100).count() == 1
    run_cycle(as_of=day(3))
    assert Alert.objects.filter(kind__startswith="utilisation").count() == 2


def test_a_cycle_for_a_past_date_ages_the_book_as_it_stood_then(users, customer):
    """Paid since, credited since, or not yet issued: the ledger rebuilds the open items of that day."""
    from fengkong.monitoring.models import CustomerSnapshot
    from fengkong.receivables.models import CreditNote, Payment, PaymentAllocation

    paid_later = invoice(customer, "AR-PIT-1", due=day(0), amount="8000.00", open_amount="0.00")
    receipt = Payment.objects.create(number="RC-PIT-1", customer=customer, payment_date=day(40), amount="8000.00")
    PaymentAllocation.objects.create(payment=receipt, invoice=paid_later, amount="8000.00")
    credited_later = invoice(customer, "AR-PIT-2", due=day(0), amount="5000.00", open_amount="3000.00")
    CreditNote.objects.create(number="CN-PIT-1", customer=customer, issue_date=day(50), amount="2000.00",
                              invoice=credited_later)
    invoice(customer, "AR-PIT-3", due=day(90), amount="7000.00")  # issued on day 60

    run_cycle(as_of=day(35))
    then = CustomerSnapshot.objects.get(as_of=day(35), customer=customer)
    assert then.open_amount == Decimal("13000.00") and then.overdue_amount == Decimal("13000.00")
    run_cycle(as_of=day(70))
    now = CustomerSnapshot.objects.get(as_of=day(70), customer=customer)
    assert now.open_amount == Decimal("10000.00") and now.overdue_amount == Decimal("3000.00")
