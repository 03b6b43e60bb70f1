"""Worked example (article §4): one invoice walks through 29, 30, 59, 60, 89 and 90 days overdue.

At 30 the customer's contact gets a reminder and the portfolio's collector a notice; at 60 a phone-call
task and a written reminder letter start in parallel; at 90 the legal officers get a referral and sales
see a stop-supply flag. Each happens exactly once, whatever the number of daily runs in between.
"""

from __future__ import annotations

from collections import Counter

import pytest

from fengkong.core.models import AuditEvent
from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.monitoring.actions import acknowledge_alert
from fengkong.monitoring.choices import ActionKind, AlertKind, AlertStatus, Zone
from fengkong.monitoring.models import ActionItem, Alert, CustomerSnapshot, ItemZone, StopSupply

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


def kinds() -> Counter:
    return Counter(Alert.objects.values_list("kind", flat=True))


def test_an_invoice_walking_to_90_days_gets_each_action_exactly_once(users, customer, notified):
    inv = invoice(customer, "AR-WALK-1")
    collector = users["collector"]

    run = run_cycle(as_of=day(29))
    assert run.status == CycleStatus.DONE
    assert kinds() == Counter() and notified.calls == []
    assert CustomerSnapshot.objects.get(customer=customer, as_of=day(29)).zone == Zone.NORMAL

    run_cycle(as_of=day(30))
    attention = Alert.objects.get(kind=AlertKind.ZONE_ATTENTION)
    assert (attention.customer, attention.invoice, attention.as_of) == (customer, inv, day(30))
    assert notified.templates() == ["collector_notice", "overdue_reminder"]
    reminder = notified.of("overdue_reminder")[0]
    assert reminder["audience"] == "customer" and reminder["customer_contact"].email == "wang@example.cn"
    assert [i["number"] for i in reminder["context"]["invoices"]] == ["AR-WALK-1"]
    assert notified.of("collector_notice")[0]["users"] == [collector]
    assert not ActionItem.objects.exists()
    acknowledge_alert(actor=collector, alert=attention)

    run_cycle(as_of=day(59))
    assert kinds() == Counter({AlertKind.ZONE_ATTENTION: 1})
    assert len(notified.calls) == 2

    run_cycle(as_of=day(60))
    assert kinds() == Counter({AlertKind.ZONE_ATTENTION: 1, AlertKind.ZONE_WARNING: 1})
    warning = Alert.objects.get(kind=AlertKind.ZONE_WARNING)
    tasks = {a.kind: a for a in ActionItem.objects.filter(alert=warning)}
    assert set(tasks) == {ActionKind.PHONE_CALL, ActionKind.REMINDER_LETTER}
    assert tasks[ActionKind.PHONE_CALL].assigned_to == collector
    assert notified.of("phone_task")[0]["users"] == [collector]
    assert ItemZone.objects.get(invoice=inv).zone == Zone.WARNING

    run_cycle(as_of=day(89))  # the warning alert was never acknowledged: it escalates, once
    escalation = Alert.objects.get(kind=AlertKind.ESCALATION)
    assert escalation.details["escalated_alert"] == warning.pk
    assert notified.of("escalation")[0]["users"] == [users["risk_manager"]]
    assert not StopSupply.objects.exists()

    run_cycle(as_of=day(90))
    danger = Alert.objects.get(kind=AlertKind.ZONE_DANGER)
    legal = ActionItem.objects.get(alert=danger)
    assert (legal.kind, legal.assigned_to) == (ActionKind.LEGAL_REFERRAL, users["legal_officer"])
    stop = StopSupply.objects.get(customer=customer)
    assert stop.active and stop.since == day(90) and stop.alert == danger
    assert StopSupply.objects.for_user(users["sales"]).count() == 0  # Sichuan sales: not their customer
    assert notified.of("stop_supply")[0]["users"] == [users["risk_manager"]]  # nobody sells in CQ: managers

    for later in (91, 92):
        run_cycle(as_of=day(later))
    assert kinds() == Counter({AlertKind.ZONE_ATTENTION: 1, AlertKind.ZONE_WARNING: 1, AlertKind.ZONE_DANGER: 1,
                               AlertKind.ESCALATION: 1})
    assert Counter(notified.templates()) == Counter({
        "overdue_reminder": 1, "collector_notice": 1, "phone_task": 1, "escalation": 1, "legal_referral": 1,
        "stop_supply": 1})
    assert ActionItem.objects.count() == 3
    assert all(a.status != AlertStatus.RESOLVED for a in Alert.objects.all())
    audited = Counter(AuditEvent.objects.values_list("action", flat=True))
    raised = [a[0] for e in AuditEvent.objects.filter(action="alerts.raised") for a in e.after["alerts"]]
    assert sorted(raised) == sorted(Alert.objects.values_list("pk", flat=True))
    assert audited["stop_supply.flagged"] == 1
    assert audited["cycle.finished"] == 8


def test_an_invoice_found_already_deep_in_danger_raises_only_the_danger_alert(users, customer, notified):
    invoice(customer, "AR-DEEP-1")
    run_cycle(as_of=day(200))
    assert kinds() == Counter({AlertKind.ZONE_DANGER: 1})
    assert StopSupply.objects.get(customer=customer).active
