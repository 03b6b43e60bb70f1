"""Promises to pay: taken on a contact, refused when they cannot be kept, judged by the night after their date
with the policy's tolerance; a broken one raises an alert and moves the case a step up its strategy."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.collections import actions
from fengkong.collections.choices import CasePromise, EventKind, PromiseState
from fengkong.collections.exceptions import PromiseInvalid
from fengkong.collections.models import CaseEvent, CollectionCase, PromiseToPay
from fengkong.collections.queries import customers_with_pending_promises
from fengkong.core.models import AuditEvent
from fengkong.customers.models import Contact as CustomerContact
from fengkong.cycle.models import CycleRun
from fengkong.monitoring.dispatch import dunning_held
from fengkong.monitoring.models import ActionItem, Alert

from .conftest import day, invoice, night, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(ledger, clock):
    night(day(40))
    clock.today = day(41)
    return ledger


def promise(users, customer, amount="10000.00", due=None, invoices=(), who="collector"):
    return actions.record_promise(actor=users[who], customer=customer, amount=Decimal(amount),
                                  due_date=due or day(45), invoices=list(invoices))


def test_a_promise_without_invoices_covers_the_oldest_first_and_pends_the_case(opened, users, cq):
    taken = promise(users, cq, "12000.00")
    assert taken.oldest_first and sorted(taken.invoices.values_list("number", flat=True)) == ["CL-A1", "CL-A2"]
    assert taken.owed_at_promise == Decimal("14000.00") and taken.tolerance_days == 3
    case = CollectionCase.objects.get(customer=cq)
    assert (case.promise_status, case.next_action_on) == (CasePromise.PENDING, day(49))
    assert AuditEvent.objects.filter(action="promise.recorded").count() == 1


@pytest.mark.parametrize(("amount", "due", "invoice", "message"), [
    ("100.00", -1, None, "is in the past"),
    ("14000.01", 4, None, "more than the customer owes (14000.00)"),  # CL-A3 is issued only on day 70
    ("4000.01", 4, "a2", "more than the named invoices owe (4000.00)"),
    ("0.00", 4, None, "must be more than 0"),
    ("100.00", 200, None, "more than 90 days ahead"),
    ("100.00", 4, "paid", "is paid"),
    ("100.00", 4, "b1", "is not C000201's"),
])
def test_a_promise_that_cannot_be_kept_is_refused_with_the_reason_and_nothing_written(
        opened, users, cq, amount, due, invoice, message):
    if invoice == "paid":
        pay(opened["a1"], "10000.00", day(41))
    named = [opened["a1" if invoice == "paid" else invoice]] if invoice else []
    with pytest.raises(PromiseInvalid, match=re.escape(message)):
        promise(users, cq, amount, day(41) + timedelta(days=due), named)
    assert not PromiseToPay.objects.exists() and not AuditEvent.objects.filter(action="promise.recorded").exists()


def test_a_promise_on_another_portfolios_customer_is_refused(opened, users, sc):
    with pytest.raises(Exception, match="not in your portfolio"):
        promise(users, sc, "100.00")
    assert not PromiseToPay.objects.exists()


def test_a_kept_promise_is_judged_kept_after_its_date_and_tolerance(opened, users, cq, clock):
    taken = promise(users, cq, "10000.00", day(45), [opened["a1"]])
    pay(opened["a1"], "9950.00", day(47))  # two days late, 50 short: within the 3 days and 100.00 tolerance
    night(day(48))
    assert PromiseToPay.objects.get(pk=taken.pk).state == PromiseState.PENDING  # tolerance not yet passed
    night(day(49))
    taken.refresh_from_db()
    assert (taken.state, taken.paid_amount, taken.evaluated_on) == (PromiseState.KEPT, Decimal("9950.00"), day(49))
    assert CollectionCase.objects.get(customer=cq).promise_status == CasePromise.KEPT
    assert not Alert.objects.filter(kind="promise_broken").exists()


def test_a_short_payment_is_partially_kept_and_a_late_one_does_not_count(opened, users, cq):
    part = promise(users, cq, "4000.00", day(45), [opened["a2"]])
    late = promise(users, cq, "5000.00", day(45), [opened["a1"]])
    pay(opened["a2"], "1000.00", day(44))
    pay(opened["a1"], "5000.00", day(60))  # after the date and the tolerance: the promise is already judged
    night(day(49))
    assert PromiseToPay.objects.get(pk=part.pk).state == PromiseState.PARTIALLY_KEPT
    assert PromiseToPay.objects.get(pk=late.pk).state == PromiseState.BROKEN


def test_a_broken_promise_raises_one_alert_and_moves_the_case_one_step_up(opened, users, cq):
    taken = promise(users, cq, "3000.00", day(45))
    case = CollectionCase.objects.get(customer=cq)
    assert case.step == 0
    night(day(49))
    night(day(49), force=True)  # judged once
    case.refresh_from_db()
    assert (case.step, case.broken_promises, case.promise_status, case.next_action_on) == (
        1, 1, CasePromise.BROKEN, day(49))
    alert = Alert.objects.get(kind="promise_broken")
    assert (alert.customer_id, alert.details["promise"], alert.details["paid"]) == (cq.pk, taken.pk, "0.00")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PROMISE_EVALUATED).count() == 1


def test_a_promise_whose_invoices_are_settled_early_is_kept_at_once(opened, users, cq):
    taken = promise(users, cq, "4000.00", day(60), [opened["a2"]])
    pay(opened["a2"], "4000.00", day(42))
    night(day(43))
    assert PromiseToPay.objects.get(pk=taken.pk).state == PromiseState.KEPT


def test_the_judging_survives_a_killed_run(opened, users, cq):
    taken = promise(users, cq, "3000.00", day(45))
    killed = night(day(49), stop_after="collections.cases")
    assert PromiseToPay.objects.get(pk=taken.pk).state == PromiseState.PENDING
    CycleRun.objects.filter(pk=killed.pk).update(heartbeat_at=killed.heartbeat_at - timedelta(hours=2))
    done = night(day(49))
    assert done.status == "done" and done.counts["promises_broken"] == 1
    assert Alert.objects.filter(kind="promise_broken").count() == 1


def test_dunning_waits_while_a_promise_is_pending(ledger, users, cq, clock):
    night(day(40))
    promise(users, cq, "1000.00", day(45))
    assert dunning_held([cq.pk, opened_other(ledger)]) == {cq.pk} == customers_with_pending_promises([cq.pk])


def opened_other(ledger) -> int:
    return ledger["b1"].customer_id


def test_no_reminder_letter_or_email_goes_out_while_a_promise_is_pending(ledger, users, cq, clock, monkeypatch):
    sent = []
    monkeypatch.setattr("fengkong.monitoring.dispatch.notify", lambda **kw: sent.append(kw) or 1)
    other = make_customer("C000203", "500104", cq.portfolio, name="重庆江北机械有限公司")
    for customer in (cq, other):
        CustomerContact.objects.create(customer=customer, name="会计", email="ar@example.cn", is_primary=True)
    invoice(other, "CL-C1", due=day(-5))
    promise(users, cq, "1000.00", day(60))  # taken early: the warning zone comes while it is pending
    clock.today = day(61)
    night(day(61))
    letters = set(ActionItem.objects.filter(kind="reminder_letter").values_list("customer__code", flat=True))
    reminded = {c["alert"].customer.code for c in sent if c["template"] == "overdue_reminder"}
    assert "C000203" in letters and "C000201" not in letters
    assert "C000201" not in reminded
    calls = set(ActionItem.objects.filter(kind="phone_call").values_list("customer__code", flat=True))
    assert "C000201" in calls  # the collector still calls


def test_a_promise_taken_on_a_past_day_sees_what_was_owed_that_day(opened, users, cq, clock):
    pay(opened["a1"], "10000.00", day(45))
    clock.today = day(50)
    taken = actions.record_promise(actor=users["collector"], customer=cq, amount=Decimal("10000.00"),
                                   due_date=day(44), invoices=[opened["a1"]], today=day(41))
    assert (taken.taken_on, taken.owed_at_promise) == (day(41), Decimal("10000.00"))
    with pytest.raises(PromiseInvalid, match="is paid"):
        promise(users, cq, "100.00", day(55), [opened["a1"]])  # today it is paid
    night(day(50))
    assert PromiseToPay.objects.get(pk=taken.pk).state == PromiseState.KEPT  # paid within the tolerance
