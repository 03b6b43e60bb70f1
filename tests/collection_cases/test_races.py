"""Races on PostgreSQL (SQLite serialises writers): two collectors take one case, two disputes one invoice."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from tests.conftest import make_user

from fengkong.collections import actions
from fengkong.collections.exceptions import CaseTaken, DisputeInvalid
from fengkong.collections.models import CollectionCase, DisputeItem
from fengkong.core.models import AuditEvent

from .conftest import day, night


def at_once(*calls) -> list:
    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except (CaseTaken, DisputeInvalid):
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
