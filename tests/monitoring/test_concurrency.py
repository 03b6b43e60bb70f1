"""Two workers running the cycle at once (PostgreSQL): each alert is raised and sent once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from tests.conftest import make_customer

from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.cycle.models import CycleRun
from fengkong.monitoring.models import ActionItem, Alert, StopSupply

from .conftest import day, invoice


@pytest.fixture
def many_customers(users, portfolios):
    for n in range(40):
        customer = make_customer(f"C{200 + n:06d}", "500103" if n % 2 else "510100",
                                 portfolios["CQ"] if n % 2 else portfolios["SC"])
        invoice(customer, f"AR-CC-{n}", due=day(-n * 3))


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_cycle_at_once_raise_and_send_each_alert_once(many_customers, notified,
                                                                              flushable_audit_trail):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; the race needs PostgreSQL")
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            barrier.wait()
            results.append(run_cycle(as_of=day(95)))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert CycleRun.objects.get(as_of=day(95)).status == CycleStatus.DONE
    assert CycleRun.objects.get(as_of=day(95)).attempts == 1
    keys = list(Alert.objects.values_list("dedup_key", flat=True))
    assert len(keys) == len(set(keys)) == 40
    sent = Counter((c["alert"].pk, c["template"]) for c in notified.calls)
    assert sent and max(sent.values()) == 1
    assert ActionItem.objects.count() == len(set(ActionItem.objects.values_list("alert_id", "kind")))
    assert StopSupply.objects.count() == Alert.objects.filter(kind="zone_danger").count()
