"""Payments move customers back: a paid invoice clears its alerts, a residue under the tolerance counts as paid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.choices import ActionStatus, AlertKind, AlertStatus, Zone
from fengkong.monitoring.models import ActionItem, Alert, CustomerSnapshot, ItemZone, StopSupply

from .conftest import day, invoice


def site_language(function, *args):
    """The resolution is written in the site's language, as the cycle writes it."""
    with translation.override(settings.LANGUAGE_CODE):
        return function(*args)

pytestmark = pytest.mark.django_db


def pay(inv, open_amount: str) -> None:
    inv.open_amount = Decimal(open_amount)
    inv.save(update_fields=["open_amount"])


def zone_on(customer, n: int) -> int:
    return CustomerSnapshot.objects.get(customer=customer, as_of=day(n)).zone


def test_a_paid_invoice_clears_its_alerts_and_cancels_their_tasks(users, customer, notified):
    inv = invoice(customer, "AR-PAID-1")
    run_cycle(as_of=day(95))
    danger = Alert.objects.get(kind=AlertKind.ZONE_DANGER)
    pay(inv, "0.00")

    run_cycle(as_of=day(96))
    danger.refresh_from_db()
    assert danger.status == AlertStatus.RESOLVED and danger.resolved_by is None
    assert danger.resolution == site_language(gettext, "the overdue invoices of this zone were paid")
    assert ActionItem.objects.get(alert=danger).status == ActionStatus.CANCELLED
    assert not ItemZone.objects.exists()
    assert not CustomerSnapshot.objects.filter(as_of=day(96), customer=customer).exists()
    assert StopSupply.objects.get(customer=customer).active  # lifting supply stays a person's decision


def test_paying_the_oldest_invoice_moves_the_customer_back_a_zone(users, customer, notified):
    oldest = invoice(customer, "AR-OLD", due=day(0))
    invoice(customer, "AR-NEW", due=day(30))
    run_cycle(as_of=day(65))  # AR-OLD 65 days (warning), AR-NEW 35 days (attention)
    assert zone_on(customer, 65) == Zone.WARNING
    assert set(Alert.objects.open().values_list("kind", flat=True)) == {AlertKind.ZONE_WARNING,
                                                                        AlertKind.ZONE_ATTENTION}
    pay(oldest, "0.00")

    run_cycle(as_of=day(66))
    assert zone_on(customer, 66) == Zone.ATTENTION
    assert list(Alert.objects.open().values_list("kind", flat=True)) == [AlertKind.ZONE_ATTENTION]
    assert Alert.objects.get(kind=AlertKind.ZONE_WARNING).status == AlertStatus.RESOLVED


def test_a_residue_under_the_materiality_tolerance_does_not_keep_the_customer_in_a_zone(users, customer,
                                                                                        notified):
    inv = invoice(customer, "AR-RESIDUE", amount="10000.00")
    run_cycle(as_of=day(62))
    warning = Alert.objects.get(kind=AlertKind.ZONE_WARNING)
    pay(inv, "35.50")  # a short payment: bank charges left open, under the ¥100 tolerance

    run_cycle(as_of=day(63))
    warning.refresh_from_db()
    residue = site_language(gettext, "only residues below the materiality tolerance (%(amount)s) remain in this zone")
    assert warning.status == AlertStatus.RESOLVED and warning.resolution == residue % {"amount": "CNY 100.00"}
    snapshot = CustomerSnapshot.objects.get(customer=customer, as_of=day(63))
    assert snapshot.zone == Zone.NORMAL
    assert snapshot.open_amount == Decimal("35.50") and snapshot.bucket_3 == Decimal("35.50")

    run_cycle(as_of=day(95))  # the residue ages on but raises nothing
    assert Alert.objects.filter(kind=AlertKind.ZONE_DANGER).count() == 0


def test_a_customer_back_in_a_zone_after_its_alert_was_resolved_is_alerted_again(users, customer, notified):
    invoice(customer, "AR-FIRST", due=day(0))
    second = invoice(customer, "AR-SECOND", due=day(40))
    run_cycle(as_of=day(31))
    Alert.objects.update(status=AlertStatus.RESOLVED, resolved_at=day(32).isoformat() + "T00:00:00+08:00")
    pay(second, "10000.00")
    run_cycle(as_of=day(70))  # AR-SECOND now 30 days overdue, AR-FIRST in warning
    assert Alert.objects.open().filter(kind=AlertKind.ZONE_ATTENTION).count() == 1
