"""State changes of notifications that people make, one function each: reading one's inbox, choosing
how one's alerts arrive (digest or each alert), retrying deliveries, and the webhook channels (what the inbox page and the Django admin do). Queueing and sending
messages for an alert is the outbox's (notifications.outbox), called inside monitoring's own actions.

Each takes a keyword-only `actor` and checks it inside: one's own inbox needs only a signed-in user
(another user's message id is ignored like one that does not exist); retrying needs
`notifications.retry_delivery`; a channel the model's add, change or delete permission. Each writes its
change and its audit event in one transaction, and writes nothing when nothing changes; deliveries are
handed to the worker once the retry commits. Not durable: the Django admin calls these inside its own
transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fengkong.core.audit import Change, record, record_many, snapshot
from fengkong.core.permissions import require

from .choices import AlertDelivery, Channel, DeliveryStatus
from .models import Delivery, InboxMessage, NotificationPreference, WebhookChannel
from .outbox import hand_to_worker

CHANNEL_FIELDS = ("name", "kind", "url", "secret_env", "audiences", "min_level", "active")


def mark_message_read(*, actor, message_id: int) -> int:
    """Mark one of the actor's own messages read; 1 if it was unread, else 0."""
    return _mark_read(actor, [message_id])


def mark_all_read(*, actor) -> int:
    """Mark every unread message of the actor's read; how many were."""
    return _mark_read(actor, None)


def _mark_read(actor, ids: list[int] | None) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("only a signed-in user reads their inbox")
    with transaction.atomic():
        marked = InboxMessage.objects.mark_read(actor, ids=ids)
        if marked:
            record(actor, "inbox_message.read", "inbox_message", ids[0] if ids else "", after={"read": marked})
    return marked


def set_alert_delivery(*, actor, alerts: str) -> NotificationPreference:
    """Choose how one's own alerts arrive: the daily digest, or each alert on its own (from the next alert)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("only a signed-in user chooses how their alerts arrive")
    if alerts not in AlertDelivery.values:
        raise ValueError(f"alerts must be one of {', '.join(AlertDelivery.values)}, not {alerts!r}")
    with transaction.atomic():
        preference = NotificationPreference.objects.select_for_update().filter(user=actor).first()
        before = preference.alerts if preference is not None else AlertDelivery.DIGEST.value
        if before == alerts:
            return preference or NotificationPreference(user=actor, alerts=alerts)
        preference = preference or NotificationPreference(user=actor)
        preference.alerts = alerts
        preference.save()
        record(actor, "notification_preference.changed", "notification_preference", preference.pk,
               before={"alerts": before}, after={"alerts": alerts})
    return preference


def retry_deliveries(*, actor, deliveries) -> list[int]:
    """Put failed (or waiting) deliveries back to be sent now, with a fresh set of attempts; the ids."""
    require(actor, "notifications.retry_delivery")
    with transaction.atomic():
        rows = list(deliveries.select_related(None).select_for_update().filter(
            status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]).exclude(channel=Channel.INAPP))
        ids = [d.pk for d in rows]
        if not ids:
            return ids
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, attempts=0,
                                                   next_attempt_at=timezone.now())
        record_many(actor, [Change("delivery.retried", "delivery", str(d.pk), before={
            "status": d.status, "attempts": d.attempts, "last_error": d.last_error}) for d in rows])
        transaction.on_commit(lambda: hand_to_worker(ids))
    return ids


def save_webhook_channel(*, actor, channel: WebhookChannel) -> WebhookChannel:
    """Add or change a channel (the model checks its URL, audiences and secret's name on save)."""
    adding = channel._state.adding
    require(actor, f"notifications.{'add' if adding else 'change'}_webhookchannel")
    with transaction.atomic():
        stored = None if adding else WebhookChannel.objects.select_for_update().filter(pk=channel.pk).first()
        before = snapshot(stored, CHANNEL_FIELDS) if stored is not None else None
        if before == snapshot(channel, CHANNEL_FIELDS):
            return channel
        channel.save()
        record(actor, f"webhookchannel.{'changed' if before else 'created'}", "webhookchannel", channel.pk,
               before=before, after=snapshot(channel, CHANNEL_FIELDS))
    return channel


def delete_webhook_channel(*, actor, channel: WebhookChannel) -> None:
    """Delete a channel; its delivery log stays (deliveries keep their rows, without the channel)."""
    require(actor, "notifications.delete_webhookchannel")
    with transaction.atomic():
        before, pk = snapshot(channel, CHANNEL_FIELDS), channel.pk
        channel.delete()
        record(actor, "webhookchannel.deleted", "webhookchannel", pk, before=before)
