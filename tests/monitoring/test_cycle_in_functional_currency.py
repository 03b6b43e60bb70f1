"""Worked example (docs/currencies.md): a USD book with a rate table. The materiality tolerance (policy,
CNY) is compared with converted amounts, so an overdue USD 20 (CNY 142.40) raises its alert and a USD 10
(CNY 71.20) stays a residue; the alert says the amount in CNY. A rate is the latest on or before the day;
without one the cycle stops naming the currency and the date, and nothing of that night is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.cycle.models import CycleRun
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import Alert, CustomerSnapshot
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import FxRate, Invoice

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


def usd(customer, number: str, amount: str) -> Invoice:
    inv = invoice(customer, number, amount=amount)
    Invoice.objects.filter(pk=inv.pk).update(currency="USD")
    return inv


def test_usd_items_are_compared_with_the_cny_tolerance_after_conversion(customer, notified, portfolios):
    small = make_customer("C000102", "500103", portfolios["CQ"], name="小额客户")
    usd(customer, "US-1", "20.00")
    usd(small, "US-2", "10.00")
    FxRate.objects.create(date=date(2026, 6, 1), currency="USD", rate=Decimal("7.0"))
    FxRate.objects.create(date=day(25), currency="USD", rate=Decimal("7.12"))      # the latest on or before
    FxRate.objects.create(date=day(31), currency="USD", rate=Decimal("100"))       # after the day: not used

    assert run_cycle(as_of=day(30)).status == CycleStatus.DONE

    alert = Alert.objects.get(kind=AlertKind.ZONE_ATTENTION)
    assert alert.customer == customer and "CNY 142.40" in alert.title
    assert alert.details["currency"] == "CNY" and alert.details["amount"] == "142.40"
    snapshot = CustomerSnapshot.objects.get(customer=customer, as_of=day(30))
    assert snapshot.open_amount == Decimal("142.40")
    assert CustomerSnapshot.objects.get(customer=small, as_of=day(30)).open_amount == Decimal("71.20")
    assert not Alert.objects.filter(customer=small).exists()       # CNY 71.20 is under the CNY 100 tolerance
    assert Invoice.objects.get(number="US-1").open_amount == Decimal("20.00")   # the invoice's own amount stays


def test_a_missing_rate_stops_the_cycle_naming_currency_and_date(customer, notified):
    usd(customer, "US-3", "20.00")
    invoice(customer, "CN-1", amount="5000.00")
    FxRate.objects.create(date=day(40), currency="USD", rate=Decimal("7.1"))   # only after the day

    with pytest.raises(MissingRate) as refused:
        run_cycle(as_of=day(30))
    assert refused.value.currency == "USD" and refused.value.as_of == day(30)
    assert "USD" in str(refused.value) and day(30).isoformat() in str(refused.value)
    assert "fx-rates" in str(refused.value)
    run = CycleRun.objects.get(as_of=day(30))
    assert run.status == CycleStatus.FAILED and "USD" in run.error
    assert not CustomerSnapshot.objects.exists() and not Alert.objects.exists()


def test_a_book_in_the_functional_currency_needs_no_rate(customer, notified):
    invoice(customer, "CN-2", amount="5000.00")
    assert run_cycle(as_of=day(30)).status == CycleStatus.DONE
    assert "CNY 5,000.00" in Alert.objects.get(kind=AlertKind.ZONE_ATTENTION).title
