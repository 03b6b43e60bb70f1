"""The delivery log in the admin: filterable by status and channel, failed deliveries retried from there."""

from __future__ import annotations

import pytest
from django.test import Client

from fengkong.notifications import outbox
from fengkong.notifications.choices import Audience, DeliveryStatus, Template, WebhookKind
from fengkong.notifications.models import Delivery, WebhookChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(receiver, alert):
    WebhookChannel.objects.create(name="robot", kind=WebhookKind.WECOM, url=receiver().url(),
                                  audiences="collector")
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=8, last_error="HTTP 502: bad gateway")
    return Delivery.objects.get()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_failed_deliveries_by_status_and_channel(users, failed):
    client = signed_in(users["admin"])
    page = client.get("/admin/notifications/delivery/", {"status__exact": "failed", "channel__exact": "webhook"})
    assert page.status_code == 200 and "HTTP 502: bad gateway" in page.content.decode()
    empty = client.get("/admin/notifications/delivery/", {"status__exact": "sent"})
    assert "HTTP 502" not in empty.content.decode()


def test_the_admin_retries_a_failed_delivery_and_the_auditor_may_only_look(users, failed):
    action = {"action": "retry_now", "_selected_action": [failed.pk]}
    auditor = signed_in(users["auditor"])
    assert auditor.get("/admin/notifications/delivery/").status_code == 200
    auditor.post("/admin/notifications/delivery/", action)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED

    signed_in(users["admin"]).post("/admin/notifications/delivery/", action)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 0


def test_a_webhook_with_a_non_http_url_is_refused_in_the_admin(users):
    page = signed_in(users["admin"]).post("/admin/notifications/webhookchannel/add/", {
        "name": "bad", "kind": "generic", "url": "ftp://robot.example/x", "audiences": "manager",
        "min_level": "attention", "active": "on"})
    assert page.status_code == 200 and "http://" in page.content.decode()
    assert not WebhookChannel.objects.exists()
