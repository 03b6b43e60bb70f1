"""Queueing notifications for an alert, and sending what is queued.

`notify` is called by monitoring inside the transaction that raises the alert: it writes the inbox
messages and the pending deliveries there, and asks for sending only once that transaction commits
(a rolled-back alert sends nothing). `send_delivery` sends one delivery at most once at a time, whatever
the number of workers: it claims the row with a conditional UPDATE and goes on only if it won.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from fengkong.core.audit import jsonable
from fengkong.core.later import task

from . import digests
from .channels import SENDERS
from .choices import ALERT_TEMPLATES, INBOX_ONLY, Audience, Channel, DeliveryStatus, level_name
from .digests import DigestLine
from .exceptions import DeliveryError
from .models import Delivery, InboxMessage, WebhookChannel
from .rendering import BILINGUAL, Message, language_of, render

log = logging.getLogger(__name__)

MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 8)
FIRST_BACKOFF = timedelta(minutes=1)
STALE_CLAIM = timedelta(minutes=10)  # a "sending" row older than this belongs to a worker that died


def notify(*, alert, audience: str, template: str, users: Iterable = (), customer_contact=None,
           context: dict | None = None, digest: DigestLine | None = None) -> int:
    """Queue `template` about `alert` for `audience`; returns how many deliveries (and digest entries) are new.

    In-app: one inbox message per user. Email: each user with an address, and the customer's contact for
    the customer audience. Webhooks: each active channel subscribed to the audience and the alert's level.
    With a `digest` line, users who receive the daily digest (the default) get the alert in their digest
    of the day instead of an inbox message and an email (notifications.digests); the others as above.
    """
    if audience not in Audience.values:
        raise ValueError(f"unknown audience {audience!r}")
    if template not in ALERT_TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    level = level_name(alert.level)
    users = [u for u in users if u is not None and getattr(u, "is_active", True)]
    digested = 0
    if digest is not None and users:
        each = digests.each_alert_people(users)
        digested = digests.add([u for u in users if u.pk not in each], alert, digest)
        users = [u for u in users if u.pk in each]
    webhooks = [c for c in WebhookChannel.objects.filter(active=True) if c.serves(audience, level)]
    to_customer = audience == Audience.CUSTOMER and customer_contact is not None and customer_contact.email
    if not (users or webhooks or to_customer):
        return digested  # everyone has it in their digest: nothing to render or send one by one
    ctx = _context(alert, customer_contact, context)
    data = alert_data(alert, template=template, audience=audience)
    staff = render(template, [language_of(None)], ctx, level=level, data=data)

    wanted: list[Delivery] = []
    now = timezone.now()
    for user in users:
        wanted.append(Delivery(channel=Channel.INAPP, recipient=f"user:{user.pk}", message=staff.as_json(),
                               status=DeliveryStatus.SENT, sent_at=now))
        if user.email:
            wanted.append(Delivery(channel=Channel.EMAIL, recipient=user.email.strip().lower(),
                                   message=staff.as_json()))
    if to_customer:
        customer = render(template, BILINGUAL, ctx, level=level, data=data)
        wanted.append(Delivery(channel=Channel.EMAIL, recipient=customer_contact.email.strip().lower(),
                               message=customer.as_json()))
    for channel in webhooks:
        wanted.append(Delivery(channel=Channel.WEBHOOK, webhook=channel, recipient=f"webhook:{channel.pk}",
                               message=staff.as_json()))

    new = _insert(alert, audience, template, wanted, now)
    _write_inbox(alert, template, level, staff, [u for u in users if f"user:{u.pk}" in new])
    if any(d.channel != Channel.INAPP for d in wanted if d.recipient in new):
        transaction.on_commit(lambda: enqueue_pending(alert.pk, template))
    return len(new) + digested


def send_digests() -> dict[str, int]:
    """Write the digests that got alerts (digests.write_digests) and send their emails after commit."""
    written, emails = digests.write_digests()
    if emails:
        transaction.on_commit(lambda: hand_to_worker(emails))
    return {"digests_written": written, "digest_emails": len(emails)}


def tell(users: Iterable, *, template: str, title: str, body: str, link: str = "", level: str = "info") -> int:
    """Put a message in each user's in-app inbox about work that is not an alert (an approval to give,
    risk feedback to read). Title and body are rendered in the site's language; returns how many."""
    if template not in INBOX_ONLY:
        raise ValueError(f"unknown template {template!r}")
    with translation.override(settings.LANGUAGE_CODE):
        title, body = str(title)[:300], str(body)
    now = timezone.now()
    rows = [InboxMessage(user=user, template=template, level=level, title=title, body=body, link=link[:300],
                         created_at=now)
            for user in dict.fromkeys(u for u in users if u is not None and getattr(u, "is_active", True))]
    InboxMessage.objects.bulk_create(rows)
    return len(rows)


def _context(alert, contact, extra: dict | None) -> dict[str, Any]:
    customer = alert.customer
    base = {"alert": alert, "customer": customer, "as_of": alert.as_of, "contact": contact,
            "company": settings.FENGKONG_COMPANY_NAME}
    return {**base, **(extra or {})}


def alert_data(alert, **extra) -> dict[str, Any]:
    """The alert's fields for the generic JSON webhook."""
    customer = alert.customer
    return jsonable({
        "alert": {"id": alert.pk, "dedup_key": alert.dedup_key, "kind": alert.kind,
                  "level": level_name(alert.level), "as_of": alert.as_of, "title": alert.title,
                  "status": alert.status, "details": alert.details or {},
                  "invoice": alert.invoice.number if alert.invoice_id else None},
        "customer": {"id": customer.pk, "code": customer.code, "name": customer.name,
                     "credit_code": customer.credit_code or ""},
        **extra,
    })


def _insert(alert, audience: str, template: str, wanted: list[Delivery], now) -> set[str]:
    """Insert the deliveries not there yet; return their recipients."""
    existing = set(Delivery.objects.filter(alert=alert, template=template).values_list("channel", "recipient"))
    fresh, seen = [], set(existing)
    for delivery in wanted:
        key = (delivery.channel, delivery.recipient)
        if key in seen:
            continue
        seen.add(key)
        delivery.alert, delivery.audience, delivery.template = alert, audience, template
        delivery.next_attempt_at = delivery.created_at = now
        fresh.append(delivery)
    Delivery.objects.bulk_create(fresh, ignore_conflicts=True)
    return {d.recipient for d in fresh}


def _write_inbox(alert, template: str, level: str, message: Message, users: Sequence) -> None:
    InboxMessage.objects.bulk_create(
        [InboxMessage(user=user, alert=alert, template=template, level=level, title=message.subject[:300],
                      body=message.text) for user in users],
        ignore_conflicts=True,
    )


def enqueue_pending(alert_id: int, template: str) -> None:
    """Hand the alert's pending deliveries to a worker. If the queue is down, the minutely retry sends them."""
    ids = list(Delivery.objects.due().filter(alert_id=alert_id, template=template).values_list("pk", flat=True))
    if ids:
        hand_to_worker(ids)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failed attempt."""
    return FIRST_BACKOFF * (2 ** max(attempts - 1, 0))


def claim(delivery_id: int, now=None) -> bool:
    """Take a due delivery for sending; False if another worker has it or it is not due."""
    now = now or timezone.now()
    won = Delivery.objects.due(now).filter(pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return won == 1


def send_delivery(delivery_id: int, now=None) -> bool | None:
    """Send one delivery if it is due and ours to send: True sent, False failed, None not claimed."""
    if not claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    try:
        SENDERS[delivery.channel](delivery)
    except Exception as exc:  # any failure is the delivery's, never the batch's
        _record_failure(delivery, exc)
        return False
    delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    return True


def _record_failure(delivery: Delivery, exc: Exception) -> None:
    error = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, DeliveryError):
        log.exception("delivery %s failed unexpectedly", delivery.pk)
    delivery.last_error = error[:2000]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "last_error", "next_attempt_at"])


def send_many(ids: Iterable[int], now=None) -> dict[str, int]:
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    for delivery_id in ids:
        result = send_delivery(delivery_id, now)
        outcome["skipped" if result is None else "sent" if result else "failed"] += 1
    return outcome


def send_due(now=None, limit: int = 500) -> dict[str, int]:
    """Send every delivery whose time has come (the minutely task); first free rows of dead workers."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now)
    ids = list(Delivery.objects.due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return send_many(ids, now)


def hand_to_worker(ids: list[int]) -> None:
    """Queue these deliveries for sending now; if the queue is down, the minutely retry sends them."""
    try:
        task("notifications.deliver")(ids)
    except Exception:
        log.exception("could not enqueue deliveries %s; the periodic retry will send them", ids)
