"""Races on PostgreSQL (SQLite serialises writers): two collectors take one case, two disputes one invoice, two
managers approve one instalment plan, two collectors propose a plan for one customer."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from tests.conftest import make_user

from fengkong.collections import actions, plans
from fengkong.collections.exceptions import CaseTaken, DisputeInvalid, PlanDecided, PlanInvalid
from fengkong.collections.models import CollectionCase, DisputeItem, InstalmentPlan, PromiseToPay
from fengkong.core.models import AuditEvent

from .conftest import day, night


def at_once(*calls) -> list:
    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except (CaseTaken, DisputeInvalid, PlanDecided, PlanInvalid):
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def racing(transactional_db, flushable_audit_trail):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; the race needs PostgreSQL")


def test_two_collectors_taking_the_same_case_at_once_one_wins(racing, ledger, roles, portfolios):
    night(day(40))
    case = CollectionCase.objects.get(customer__code="C000202")  # Sichuan: nobody owns it
    first = make_user("sc-collector-1", "collector", roles, [portfolios["SC"]])
    second = make_user("sc-collector-2", "collector", roles, [portfolios["SC"]])
    outcomes = at_once(lambda: actions.take_case(actor=first, case=case),
                       lambda: actions.take_case(actor=second, case=case))
    assert outcomes == ["lost", "won"]
    assert CollectionCase.objects.get(pk=case.pk).owner in (first, second)
    assert AuditEvent.objects.filter(action="collection_case.taken").count() == 1


def test_two_disputes_on_the_same_invoice_at_once_never_hold_more_than_it_owes(racing, ledger, users, cq):
    a1 = ledger["a1"]

    def dispute():
        actions.open_dispute(actor=users["collector"], customer=cq, reason="quality", team="sales",
                             owner=users["sales"], items=[actions.DisputedInvoice(a1, Decimal("6000.00"))])

    assert at_once(dispute, dispute) == ["lost", "won"]
    assert sum(DisputeItem.objects.values_list("amount", flat=True)) == Decimal("6000.00")


def _plan(actor, customer):
    rows = [plans.ScheduledInstalment(day(50), Decimal("7000.00")), plans.ScheduledInstalment(day(80), Decimal("7000.00"))]
    return plans.propose_plan(actor=actor, customer=customer, amount=Decimal("14000.00"), instalments=rows,
                              today=day(41))


def test_two_managers_approving_one_plan_at_once_one_wins(racing, ledger, users, cq, roles, portfolios):
    from django.contrib.auth.models import Permission

    night(day(40))
    plan = _plan(users["collector"], cq)
    other = make_user("cq-manager", "collector", roles, [portfolios["CQ"]])
    other.user_permissions.add(Permission.objects.get(codename="approve_plan", content_type__app_label="collections"))
    other = type(other).objects.get(pk=other.pk)
    outcomes = at_once(lambda: plans.approve_plan(actor=users["risk_manager"], plan=plan, today=day(41)),
                       lambda: plans.approve_plan(actor=other, plan=plan, today=day(41)))
    assert outcomes == ["lost", "won"]
    assert PromiseToPay.objects.count() == 2  # one set of instalment promises
    assert AuditEvent.objects.filter(action="instalment_plan.approved").count() == 1


def test_two_collectors_proposing_a_plan_for_one_customer_at_once_store_one(racing, ledger, users, cq, roles,
                                                                             portfolios):
    night(day(40))
    second = make_user("cq-collector-2", "collector", roles, [portfolios["CQ"]])
    outcomes = at_once(lambda: _plan(users["collector"], cq), lambda: _plan(second, cq))
    assert outcomes == ["lost", "won"]
    assert InstalmentPlan.objects.count() == 1
