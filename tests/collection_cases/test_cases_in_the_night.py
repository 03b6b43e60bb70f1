"""The night opens one case per customer with overdue money, keeps its figures current, closes it when paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fengkong.collections.choices import CaseStatus, EventKind
from fengkong.collections.models import CaseEvent, CollectionCase
from fengkong.core.models import AuditEvent
from fengkong.cycle.models import CycleRun

from .conftest import day, night, pay

pytestmark = pytest.mark.django_db


def figures():
    return sorted(CollectionCase.objects.values_list(
        "customer__code", "status", "owner__username", "zone", "overdue_amount", "amount_normal",
        "amount_attention", "amount_warning", "amount_danger", "overdue_items", "max_days_overdue"))


def test_each_customer_with_overdue_money_gets_one_case_owned_by_its_portfolios_collector(ledger):
    night(day(40))
    assert figures() == [
        ("C000201", "open", "collector", 1, Decimal("14000.00"), Decimal("4000.00"), Decimal("10000.00"),
         Decimal("0.00"), Decimal("0.00"), 2, 40),
        # Sichuan has no collector: nobody owns its case until one takes it or a manager assigns it
        ("C000202", "open", None, 3, Decimal("30000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
         Decimal("30000.00"), 1, 110),
    ]
    assert CaseEvent.objects.filter(kind=EventKind.OPENED).count() == 2


def test_a_second_night_moves_the_figures_and_opens_nothing_twice(ledger):
    night(day(40))
    night(day(65))
    case = CollectionCase.objects.get(customer__code="C000201")
    assert (case.zone, case.amount_warning, case.amount_attention, case.updated_on) == (
        2, Decimal("10000.00"), Decimal("4000.00"), day(65))
    assert CollectionCase.objects.count() == 2
    assert CaseEvent.objects.filter(kind=EventKind.OPENED).count() == 2


def test_running_the_same_night_again_changes_nothing(ledger):
    night(day(40))
    before = (figures(), CaseEvent.objects.count(), AuditEvent.objects.count())
    night(day(40), force=True)
    assert (figures(), CaseEvent.objects.count()) == before[:2]


def test_a_paid_customer_has_its_case_closed_and_a_new_debt_opens_a_new_case(ledger):
    night(day(40))
    pay(ledger["a1"], "10000.00", day(41))
    pay(ledger["a2"], "4000.00", day(41))
    night(day(42))
    case = CollectionCase.objects.get(customer__code="C000201")
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, day(42))
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CLOSED).count() == 1
    night(day(101))  # CL-A3 falls overdue
    assert CollectionCase.objects.filter(customer__code="C000201").count() == 2
    assert CollectionCase.objects.open().get(customer__code="C000201").overdue_amount == Decimal("7000.00")


def test_a_run_killed_before_the_cases_is_completed_by_the_next_one(ledger):
    killed = night(day(40), stop_after="monitoring.escalations")
    assert "collections.cases" not in killed.steps and not CollectionCase.objects.exists()
    CycleRun.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    done = night(day(40))
    assert done.status == "done" and CollectionCase.objects.open().count() == 2
    assert done.counts["cases_opened"] == 2
