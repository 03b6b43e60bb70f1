"""Disputes: a part of an invoice or all of it, owned outside collections; the disputed money leaves the chase
and the letters but stays in the aging; resolved by its owner with a resolution and a root cause."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fengkong.collections import actions
from fengkong.collections.exceptions import DisputeInvalid
from fengkong.collections.models import CollectionCase, Dispute
from fengkong.monitoring.models import CustomerSnapshot
from fengkong.notifications.models import InboxMessage
from fengkong.receivables.models import Invoice

from .conftest import day, night

pytestmark = pytest.mark.django_db


def dispute(users, customer, *items, who="collector", owner="sales", reason="quality"):
    return actions.open_dispute(actor=users[who], customer=customer, reason=reason, team="quality",
                                owner=users[owner], items=[actions.DisputedInvoice(i, a and Decimal(a))
                                                           for i, a in items])


def test_a_partial_dispute_leaves_the_chase_but_not_the_aging(ledger, users, cq, django_capture_on_commit_callbacks):
    night(day(40))
    with django_capture_on_commit_callbacks(execute=True):
        opened = dispute(users, cq, (ledger["a1"], "2500.00"))
    assert opened.due_date == day(54) and Invoice.objects.get(pk=ledger["a1"].pk).disputed
    case = CollectionCase.objects.get(customer=cq)
    assert (case.overdue_amount, case.disputed_amount) == (Decimal("11500.00"), Decimal("2500.00"))
    message = InboxMessage.objects.get(user=users["sales"], template="dispute_assigned")
    assert "2500.00" in message.title and message.link == f"/collections/disputes/{opened.pk}/"
    night(day(41))
    case.refresh_from_db()
    assert (case.overdue_amount, case.disputed_amount, case.amount_attention) == (
        Decimal("11500.00"), Decimal("2500.00"), Decimal("7500.00"))
    assert CustomerSnapshot.objects.get(customer=cq, as_of=day(41)).overdue_amount == Decimal("14000.00")


@pytest.mark.parametrize(("amount", "message"), [
    ("10000.01", "CL-A1: 10000.01 is more than its open amount not yet in dispute (10000.00)"),
    ("0.00", "CL-A1: the disputed amount must be more than 0"),
])
def test_a_dispute_over_more_than_is_open_is_refused(ledger, users, cq, amount, message):
    with pytest.raises(DisputeInvalid, match=re.escape(message)):
        dispute(users, cq, (ledger["a1"], amount))
    assert not Dispute.objects.exists() and not Invoice.objects.get(pk=ledger["a1"].pk).disputed


def test_a_second_dispute_may_hold_only_what_the_first_left(ledger, users, cq):
    dispute(users, cq, (ledger["a1"], "6000.00"))
    with pytest.raises(DisputeInvalid, match=re.escape("not yet in dispute (4000.00)")):
        dispute(users, cq, (ledger["a1"], "4000.01"))
    assert dispute(users, cq, (ledger["a1"], None)).total() == Decimal("4000.00")
    with pytest.raises(DisputeInvalid, match="nothing open to dispute"):
        dispute(users, cq, (ledger["a1"], None))


def test_a_dispute_on_another_customers_invoice_or_portfolio_is_refused(ledger, users, cq, sc):
    with pytest.raises(DisputeInvalid, match="is not C000201's"):
        dispute(users, cq, (ledger["b1"], None))
    with pytest.raises(PermissionDenied):
        dispute(users, sc, (ledger["b1"], None))


def test_the_owner_resolves_it_and_the_invoice_is_chased_again(ledger, users, cq):
    night(day(40))
    opened = dispute(users, cq, (ledger["a1"], "2500.00"))
    with pytest.raises(PermissionDenied):  # a collector opens disputes, the owner answers them
        actions.resolve_dispute(actor=users["collector"], dispute=opened, resolution="rejected", root_cause="x")
    with pytest.raises(DisputeInvalid, match="root cause"):
        actions.resolve_dispute(actor=users["sales"], dispute=opened, resolution="rejected", root_cause=" ")
    done = actions.resolve_dispute(actor=users["sales"], dispute=opened, resolution="rejected",
                                   root_cause="the goods were fine")
    assert (done.status, done.resolution, done.resolved_on) == ("resolved", "rejected", day(40))
    assert not Invoice.objects.get(pk=ledger["a1"].pk).disputed
    case = CollectionCase.objects.get(customer=cq)
    assert (case.overdue_amount, case.disputed_amount) == (Decimal("14000.00"), Decimal("0.00"))
    with pytest.raises(DisputeInvalid, match="already resolved"):
        actions.resolve_dispute(actor=users["risk_manager"], dispute=opened, resolution="credit_note",
                                root_cause="again")
