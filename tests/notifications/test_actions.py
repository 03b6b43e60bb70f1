"""The notification changes people make are actions: reading one's inbox, retrying deliveries, webhook
channels; each checks its actor, writes its audit event, and writes nothing when nothing changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from fengkong.core.models import AuditEvent
from fengkong.notifications import actions
from fengkong.notifications.choices import Template, WebhookKind
from fengkong.notifications.models import Delivery, InboxMessage, WebhookChannel

pytestmark = pytest.mark.django_db

CHANNEL = {"name": "robot", "kind": "wecom", "url": "https://robot.example/hook", "secret_env": "",
           "audiences": "manager", "min_level": "attention", "active": "on"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_channel_added_changed_and_deleted_in_the_admin_is_audited_by_the_actions(users):
    client = signed_in(users["admin"])
    assert client.post("/admin/notifications/webhookchannel/add/", CHANNEL).status_code == 302
    channel = WebhookChannel.objects.get()
    url = f"/admin/notifications/webhookchannel/{channel.pk}/change/"
    client.post(url, CHANNEL)  # saved unchanged: nothing to record
    client.post(url, CHANNEL | {"min_level": "danger"})
    client.post(f"/admin/notifications/webhookchannel/{channel.pk}/delete/", {"post": "yes"})
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == ["webhookchannel.created", "webhookchannel.changed",
                                          "webhookchannel.deleted"]
    assert (events[1].before["min_level"], events[1].after["min_level"]) == ("attention", "danger")
    assert not WebhookChannel.objects.exists()


def test_channel_and_retry_actions_refuse_a_user_without_the_permission(users):
    channel = WebhookChannel(name="robot", kind=WebhookKind.WECOM, url="https://robot.example/hook")
    with pytest.raises(PermissionDenied):  # the auditor reads the delivery log and channels, changes neither
        actions.save_webhook_channel(actor=users["auditor"], channel=channel)
    with pytest.raises(PermissionDenied):
        actions.retry_deliveries(actor=users["auditor"], deliveries=Delivery.objects.all())
    assert not WebhookChannel.objects.exists() and not AuditEvent.objects.exists()


def test_reading_ones_own_messages_is_audited_once_and_another_users_id_changes_nothing(users):
    mine, theirs = (InboxMessage.objects.create(user=users[name], template=Template.APPROVAL_REQUEST,
                                                title="Approve", body="A proposal waits.")
                    for name in ("risk_manager", "credit_analyst"))
    assert actions.mark_message_read(actor=users["risk_manager"], message_id=theirs.pk) == 0
    assert actions.mark_message_read(actor=users["risk_manager"], message_id=mine.pk) == 1
    assert actions.mark_all_read(actor=users["risk_manager"]) == 0  # nothing left unread
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.after) == ("inbox_message.read", str(mine.pk), {"read": 1})
    theirs.refresh_from_db()
    assert theirs.read_at is None
