"""Running the cycle again changes nothing; a run killed half-way is completed by the next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.conftest import make_customer

from fengkong.core.models import AuditEvent
from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.cycle.models import CycleRun
from fengkong.monitoring import alerts as alerts_module
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.dispatch import Dispatcher
from fengkong.monitoring.models import (
    ActionItem,
    Alert,
    BookSnapshot,
    CustomerSnapshot,
    ItemZone,
    StopSupply,
)

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_book(users, customer, portfolios):
    sc = make_customer("C000102", "510100", portfolios["SC"])
    invoice(customer, "AR-I1", due=day(0))
    invoice(customer, "AR-I2", due=day(50), amount="900000.00")
    invoice(sc, "AR-I3", due=day(-30))
    invoice(sc, "AR-I4", due=day(60), amount="20.00")
    return customer, sc


def state() -> dict:
    """Everything the cycle writes, as comparable values."""
    return {
        "alerts": sorted(Alert.objects.values_list("dedup_key", "status", "dispatched_at")),
        "actions": sorted(ActionItem.objects.values_list("alert__dedup_key", "kind", "status")),
        "stops": sorted(StopSupply.objects.values_list("customer_id", "active", "flagged_at")),
        "zones": sorted(ItemZone.objects.values_list("invoice_id", "zone", "since", "days_overdue")),
        "customers": sorted(CustomerSnapshot.objects.values_list("as_of", "customer_id", "open_amount", "bucket_4",
                                                                 "zone", "exposure")),
        "book": sorted(BookSnapshot.objects.values_list("as_of", "dimension", "key", "open_amount", "zone_danger")),
    }


def test_running_twice_the_same_day_changes_nothing_and_sends_nothing(busy_book, notified):
    first = run_cycle(as_of=day(95))
    before, calls, events = state(), len(notified.calls), AuditEvent.objects.count()
    assert calls and before["alerts"]

    again = run_cycle(as_of=day(95))
    assert (again.pk, again.status, again.attempts) == (first.pk, CycleStatus.DONE, 1)
    assert state() == before and len(notified.calls) == calls and AuditEvent.objects.count() == events


def test_a_forced_rerun_of_every_step_changes_nothing_either(busy_book, notified):
    run_cycle(as_of=day(95))
    before, calls = state(), len(notified.calls)
    forced = run_cycle(as_of=day(95), force=True)
    assert forced.status == CycleStatus.DONE and forced.attempts == 2
    assert state() == before and len(notified.calls) == calls
    assert forced.counts["alerts_raised"] > 0  # counts add up over the attempts


def test_a_run_killed_after_the_snapshots_is_taken_over_once_stale_and_completed(busy_book, notified):
    killed = run_cycle(as_of=day(95), stop_after="monitoring.snapshots")
    assert killed.status == CycleStatus.RUNNING and killed.steps == ["monitoring.load", "monitoring.snapshots"]
    assert not Alert.objects.exists()

    assert run_cycle(as_of=day(95)).status == CycleStatus.RUNNING  # still fresh: another worker's run
    assert not Alert.objects.exists()

    CycleRun.objects.update(heartbeat_at=timezone.now() - timedelta(hours=1))
    done = run_cycle(as_of=day(95))
    assert done.status == CycleStatus.DONE and done.attempts == 2
    reference = state()
    calls = len(notified.calls)

    run_cycle(as_of=day(95), force=True)
    assert state() == reference and len(notified.calls) == calls


def test_a_run_that_fails_while_dispatching_leaves_no_alert_behind_and_the_next_run_sends_each_once(
        busy_book, notified, monkeypatch):
    real_run = Dispatcher.run

    def crash(self, alerts):
        real_run(self, alerts)  # writes action items, stop-supply flags, queues messages ...
        raise RuntimeError("worker killed")  # ... then dies before the commit

    monkeypatch.setattr(Dispatcher, "run", crash)
    with pytest.raises(RuntimeError):
        run_cycle(as_of=day(95))
    failed = CycleRun.objects.get(as_of=day(95))
    assert failed.status == CycleStatus.FAILED and "worker killed" in failed.error
    assert not Alert.objects.exists() and not ActionItem.objects.exists() and not StopSupply.objects.exists()
    assert CustomerSnapshot.objects.filter(as_of=day(95)).exists()  # the snapshot step had committed
    assert AuditEvent.objects.filter(action="cycle.failed").count() == 1

    monkeypatch.setattr(Dispatcher, "run", real_run)
    notified.calls.clear()
    done = run_cycle(as_of=day(95))
    assert done.status == CycleStatus.DONE
    keys = list(Alert.objects.values_list("dedup_key", flat=True))
    assert len(keys) == len(set(keys)) == 3  # C000101 danger and attention; C000102 danger
    assert sorted(Alert.objects.values_list("kind", flat=True)) == [
        AlertKind.ZONE_ATTENTION, AlertKind.ZONE_DANGER, AlertKind.ZONE_DANGER]
    per_alert = [(c["alert"].pk, c["template"], c["audience"]) for c in notified.calls]
    assert len(per_alert) == len(set(per_alert))


def test_a_run_interrupted_between_steps_and_resumed_the_next_day_raises_the_missed_alerts_once(
        busy_book, notified, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("killed in resolutions")

    monkeypatch.setattr(alerts_module, "resolve_cleared", crash)
    with pytest.raises(RuntimeError):
        run_cycle(as_of=day(95))
    raised = Alert.objects.count()
    assert raised  # the transitions step had committed with its alerts
    monkeypatch.undo()
    run_cycle(as_of=day(96))
    assert Alert.objects.count() == raised
    assert CycleRun.objects.get(as_of=day(95)).status == CycleStatus.FAILED


def test_by_default_messages_wait_for_the_worker_and_are_sent_once(busy_book, notified,
                                                                   django_capture_on_commit_callbacks):
    from fengkong.monitoring.dispatch import messages_pending, send_pending_messages

    with django_capture_on_commit_callbacks() as callbacks:
        run = run_cycle(as_of=day(95), send_now=False)
    assert run.counts["messages_queued_for_worker"] == 3 and callbacks  # the task is enqueued on commit
    assert not notified.calls and ActionItem.objects.exists() and StopSupply.objects.exists()
    send_pending_messages()
    calls = len(notified.calls)
    assert calls and messages_pending() == 0
    send_pending_messages()
    run_cycle(as_of=day(95), force=True)
    assert len(notified.calls) == calls
