"""A failing channel is retried with exponential backoff, never holds up the others, and never loses the alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.notifications.conftest import free_port

from fengkong.core.models import AuditEvent
from fengkong.notifications import actions, outbox
from fengkong.notifications.choices import Audience, Channel, DeliveryStatus, Template, WebhookKind
from fengkong.notifications.models import Delivery, InboxMessage, WebhookChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_channels(receiver):
    good, broken = receiver(), receiver(status=500, answer=b"internal error")
    WebhookChannel.objects.create(name="good", kind=WebhookKind.GENERIC, url=good.url(), audiences="collector")
    WebhookChannel.objects.create(name="500", kind=WebhookKind.GENERIC, url=broken.url(), audiences="collector")
    WebhookChannel.objects.create(name="closed", kind=WebhookKind.GENERIC,
                                  url=f"http://127.0.0.1:{free_port()}/hook", audiences="collector")
    return good, broken


def by_name(name):
    return Delivery.objects.get(webhook__name=name)


def test_a_failing_channel_is_retried_with_backoff_while_the_others_are_sent(three_channels, alert, overdue,
                                                                              users):
    good, broken = three_channels
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                  users=[users["collector"]], context={"invoices": overdue})
    start = timezone.now()
    assert outbox.send_due(start) == {"sent": 1, "failed": 2, "skipped": 0}

    assert by_name("good").status == DeliveryStatus.SENT and len(good.requests) == 1
    for name, error in (("500", "HTTP 500: internal error"), ("closed", "cannot reach the webhook")):
        failed = by_name(name)
        assert failed.status == DeliveryStatus.PENDING and failed.attempts == 1
        assert failed.last_error.startswith(error)
        assert timedelta(seconds=50) < failed.next_attempt_at - start < timedelta(seconds=70)
    assert InboxMessage.objects.filter(user=users["collector"], alert=alert).count() == 1

    # not due yet: nothing is tried again, and the good one is never sent twice
    assert outbox.send_due(start + timedelta(seconds=30)) == {"sent": 0, "failed": 0, "skipped": 0}
    broken.status = 200
    assert outbox.send_due(timezone.now() + timedelta(minutes=2))["sent"] == 1
    assert by_name("500").status == DeliveryStatus.SENT and len(broken.requests) == 2
    assert len(good.requests) == 1


def test_backoff_doubles_and_a_delivery_fails_for_good_after_the_last_attempt(three_channels, alert, overdue):
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                  context={"invoices": overdue})
    waits = []
    now = timezone.now()
    for _attempt in range(outbox.MAX_ATTEMPTS):
        before = now
        outbox.send_delivery(by_name("500").pk, now)
        delivery = by_name("500")
        if delivery.status == DeliveryStatus.PENDING:
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
            now = delivery.next_attempt_at + timedelta(seconds=1)
        assert now >= before
    assert waits == [1, 2, 4, 8, 16, 32, 64][: outbox.MAX_ATTEMPTS - 1]
    delivery = by_name("500")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == outbox.MAX_ATTEMPTS
    assert outbox.send_due(now + timedelta(days=1))["failed"] == 1  # only "closed" is still being tried
    assert by_name("500").status == DeliveryStatus.FAILED


def test_a_failed_delivery_stays_visible_and_can_be_retried_with_an_audit_event(three_channels, alert,
                                                                                 overdue, users):
    _good, broken = three_channels
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                  context={"invoices": overdue})
    Delivery.objects.filter(webhook__name="500").update(status=DeliveryStatus.FAILED, attempts=8,
                                                        last_error="HTTP 500")
    assert list(Delivery.objects.failed().values_list("webhook__name", flat=True)) == ["500"]

    broken.status = 200
    ids = actions.retry_deliveries(actor=users["admin"], deliveries=Delivery.objects.failed())
    retried = Delivery.objects.get(pk__in=ids)
    assert retried.status == DeliveryStatus.PENDING and retried.attempts == 0
    assert AuditEvent.objects.filter(action="delivery.retried", object_id=str(retried.pk)).exists()
    assert outbox.send_delivery(retried.pk) is True


def test_a_worker_that_died_while_sending_leaves_a_row_the_next_run_sends(three_channels, alert, overdue):
    good, _broken = three_channels
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                  context={"invoices": overdue})
    delivery = by_name("good")
    assert outbox.claim(delivery.pk)  # ... and the worker is killed here
    assert outbox.send_due()["sent"] == 0
    assert outbox.send_due(timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1))["sent"] == 1
    assert by_name("good").status == DeliveryStatus.SENT and len(good.requests) == 1


def test_an_unexpected_error_in_a_channel_is_recorded_and_the_batch_goes_on(three_channels, alert, overdue,
                                                                            monkeypatch):
    from fengkong.notifications import channels

    def explode(delivery):
        if delivery.webhook.name == "good":
            raise RuntimeError("bug in a sender")
        return None

    monkeypatch.setitem(channels.SENDERS, Channel.WEBHOOK, explode)
    monkeypatch.setattr(outbox, "SENDERS", channels.SENDERS)
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                  context={"invoices": overdue})
    assert outbox.send_due() == {"sent": 2, "failed": 1, "skipped": 0}
    assert by_name("good").last_error == "RuntimeError: bug in a sender"
