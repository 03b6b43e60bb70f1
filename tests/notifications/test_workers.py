"""Two workers sending at once send each delivery once: the claim is a conditional UPDATE on the row.

Threads with their own connections; meant for PostgreSQL, and run on SQLite as well."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from tests.notifications.conftest import make_alert

from fengkong.notifications import outbox
from fengkong.notifications.choices import Audience, DeliveryStatus, Template, WebhookKind
from fengkong.notifications.models import Delivery, WebhookChannel


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_deliveries_send_each_once(receiver, book, flushable_audit_trail):
    rec = receiver()
    WebhookChannel.objects.create(name="hook", kind=WebhookKind.GENERIC, url=rec.url(), audiences="collector")
    customer = book["customers"][0]
    for n in range(15):
        alert = make_alert(customer, key=f"race:{n}")
        outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            start.wait(timeout=10)
            outcomes.append(outbox.send_many(ids))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sum(o["sent"] for o in outcomes) == 15 and sum(o["skipped"] for o in outcomes) == 15
    assert len(rec.requests) == 15
    assert sorted(r.json()["alert"]["dedup_key"] for r in rec.requests) == sorted(f"race:{n}" for n in range(15))
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
