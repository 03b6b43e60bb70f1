"""Daily alert digests: one inbox message and one email per person and business day, listing the alerts
routed to them grouped by customer, instead of one message per alert (article §4, issue 12).

Design decisions:
- `outbox.notify` receives a `DigestLine` with every alert that may wait for the digest. Each person who
  prefers the digest (NotificationPreference; the default, also without a row) gets a DigestEntry in their
  Digest of the day instead of an inbox message and an email; a person who chose "each alert" gets them one
  by one as before. A team's webhook robot and the customer's own reminder are nobody's inbox: they stay
  one per alert.
- A person's digest lists only customers they may see (core.permissions.own_portfolios), when it is
  written and again when it is read.
- Unique per (person, day) and per (digest, alert): re-running the day adds nothing twice, and the entries
  of a killed run, committed with the alerts they came from, are completed by the next run.
- `write_digests` runs when the day's alert messages are all queued (monitoring calls it at the end of
  its messages phase): every digest that got new entries has its one inbox message written (or rewritten,
  unread again: never a second message) and one email queued for its person (unique per digest and
  recipient: sent once; a still pending email takes the new text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengkong.core.money import format_amount
from fengkong.core.permissions import own_portfolios, sees_all

from .choices import (
    ZONE_LABELS,
    AlertDelivery,
    Audience,
    Channel,
    DeliveryStatus,
    Level,
    Template,
    level_rank,
)
from .models import Delivery, Digest, DigestEntry, InboxMessage, NotificationPreference
from .rendering import Message

BODY_CUSTOMERS = 30  # the inbox message and the email list this many customers; the page lists them all


@dataclass(frozen=True, slots=True)
class DigestLine:
    """What a digest shows of one alert: the business day it belongs to, and the customer's state that day."""

    as_of: date
    customer_id: int
    portfolio_id: int | None
    title: str
    level: str = Level.INFO
    escalated: bool = False
    amount: Decimal | None = None
    zone: int = 0
    overdue_amount: Decimal = Decimal("0.00")


def each_alert_people(users: Sequence) -> set[int]:
    """The ids of those among `users` who chose to receive each alert on its own."""
    return set(NotificationPreference.objects.filter(user__in=[u.pk for u in users], alerts=AlertDelivery.EACH)
               .values_list("user_id", flat=True))


def may_see(users: Sequence, portfolio_id: int | None) -> list:
    """Those among `users` who may see a customer of `portfolio_id` (whole-book roles, or its members)."""
    members = set(get_user_model().portfolios.through.objects.filter(
        user_id__in=[u.pk for u in users], portfolio_id=portfolio_id).values_list("user_id", flat=True)) \
        if portfolio_id is not None else set()
    return [u for u in users if sees_all(u) or u.pk in members]


def add(users: Sequence, alert, line: DigestLine) -> int:
    """Put `alert` in the day's digest of each of `users` who may see its customer; how many are new."""
    users = may_see(users, line.portfolio_id)
    if not users:
        return 0
    Digest.objects.bulk_create([Digest(user=u, as_of=line.as_of) for u in users], ignore_conflicts=True)
    digests = list(Digest.objects.filter(user__in=users, as_of=line.as_of).values_list("pk", flat=True))
    existing = set(DigestEntry.objects.filter(alert=alert, digest_id__in=digests).values_list("digest_id", flat=True))
    fresh = [DigestEntry(digest_id=pk, alert=alert, customer_id=line.customer_id, escalated=line.escalated,
                         level=line.level, title=line.title[:300], amount=line.amount, zone=line.zone,
                         overdue_amount=line.overdue_amount) for pk in digests if pk not in existing]
    DigestEntry.objects.bulk_create(fresh, ignore_conflicts=True)
    if fresh:
        Digest.objects.filter(pk__in=[e.digest_id for e in fresh], stale=False).update(stale=True)
    return len(fresh)


@dataclass
class CustomerGroup:
    """One customer's part of a digest: its zone and overdue amount that day, and its alerts."""

    customer: object
    zone: int
    overdue_amount: Decimal
    entries: list

    @property
    def zone_label(self) -> str:
        return str(ZONE_LABELS.get(self.zone, ZONE_LABELS[0]))

    @property
    def link(self) -> str:
        return reverse("customer-detail", kwargs={"code": self.customer.code})


def visible_entries(digest: Digest):
    """The digest's entries on customers its person may see now, by customer."""
    rows = digest.entries.select_related("customer", "alert").order_by("customer__code", "customer_id", "alert_id")
    portfolios = own_portfolios(digest.user)
    return rows if portfolios is None else rows.filter(customer__portfolio_id__in=portfolios)


def groups(entries: Iterable[DigestEntry]) -> list[CustomerGroup]:
    out = []
    for _customer_id, rows in groupby(entries, key=lambda e: e.customer_id):
        rows = list(rows)
        last = rows[-1]
        out.append(CustomerGroup(last.customer, max(r.zone for r in rows), last.overdue_amount, rows))
    return out


def title(alerts: int, escalated: int, customers: int) -> str:
    """"12 new alerts on 7 customers", "3 escalated alerts on 2 customers" or both, in the active language."""
    if not alerts:
        return _("No alert on a customer you may see")
    parts = []
    if alerts - escalated:
        parts.append(ngettext("%(count)d new alert", "%(count)d new alerts", alerts - escalated)
                     % {"count": alerts - escalated})
    if escalated:
        parts.append(ngettext("%(count)d escalated alert", "%(count)d escalated alerts", escalated)
                     % {"count": escalated})
    joined = _("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]} if len(parts) == 2 else parts[0]
    return ngettext("%(alerts)s on %(count)d customer", "%(alerts)s on %(count)d customers", customers) % {
        "alerts": joined, "count": customers}


def summary(digest: Digest) -> tuple[list[CustomerGroup], str]:
    listed = groups(visible_entries(digest))
    entries = [e for g in listed for e in g.entries]
    return listed, title(len(entries), sum(1 for e in entries if e.escalated), len(listed))


def text_of(digest: Digest, listed: list[CustomerGroup], limit: int = BODY_CUSTOMERS) -> str:
    lines = []
    for group in listed[:limit]:
        customer = group.customer
        lines.append(_("%(code)s %(name)s · %(zone)s zone · overdue %(amount)s") % {
            "code": customer.code, "name": customer.name, "zone": group.zone_label,
            "amount": format_amount(group.overdue_amount)})
        lines += [f"  - {e.title}" + (f" ({format_amount(e.amount)})" if e.amount is not None else "")
                  for e in group.entries]
    if len(listed) > limit:
        lines.append(more_customers(len(listed) - limit))
    return "\n".join(lines)


def more_customers(count: int) -> str:
    return ngettext("… and %(count)d more customer on the digest's page.",
                    "… and %(count)d more customers on the digest's page.", count) % {"count": count}


def page_url(digest: Digest) -> str:
    return reverse("inbox-digest", kwargs={"pk": digest.pk})


def _message(digest: Digest, listed: list[CustomerGroup], subject: str) -> Message:
    body = text_of(digest, listed)
    url = page_url(digest)
    closing = _("The whole digest is in your Fengkong inbox: %(url)s") % {"url": url}
    more = len(listed) - BODY_CUSTOMERS
    html = render_to_string("notifications/digest_email.html", {
        "subject": subject, "groups": listed[:BODY_CUSTOMERS], "more": more_customers(more) if more > 0 else "",
        "closing": closing, "language": translation.get_language()})
    level = max((e.level for g in listed for e in g.entries), key=level_rank, default=Level.INFO)
    return Message(subject=subject, text=f"{body}\n\n{closing}", html=html, markdown=f"### {subject}\n\n{body}",
                   level=level, data={"digest": digest.pk, "as_of": str(digest.as_of)})


def write_digests() -> tuple[int, list[int]]:
    """Write the inbox message and queue the email of every digest with new entries; call inside a
    transaction. Returns how many digests were written and the ids of the emails queued (to send after
    commit: outbox.send_digests)."""
    written, emails = 0, []
    now = timezone.now()
    stale = Digest.objects.select_for_update(skip_locked=True, of=("self",)).filter(stale=True).order_by("pk")
    for digest in stale.select_related("user"):
        with translation.override(settings.LANGUAGE_CODE):
            listed, subject = summary(digest)
            message = _message(digest, listed, subject) if listed else None
        if message is not None:
            _write_inbox(digest, message, now)
            emails += _queue_email(digest, message, now)
        Digest.objects.filter(pk=digest.pk).update(stale=False, written_at=now)
        written += 1
    return written, emails


def _write_inbox(digest: Digest, message: Message, now) -> None:
    fields = {"title": message.subject[:300], "body": message.text, "level": message.level, "read_at": None,
              "created_at": now, "link": page_url(digest)}
    if digest.message_id:
        InboxMessage.objects.filter(pk=digest.message_id).update(**fields)
        return
    inbox = InboxMessage.objects.create(user=digest.user, template=Template.ALERT_DIGEST, **fields)
    Digest.objects.filter(pk=digest.pk).update(message=inbox)


def _queue_email(digest: Digest, message: Message, now) -> list[int]:
    """One email per digest and address: a pending one takes the new text, a sent one is not sent again."""
    email = (digest.user.email or "").strip().lower()
    if not email:
        return []
    Delivery.objects.filter(digest=digest, channel=Channel.EMAIL, status=DeliveryStatus.PENDING).update(
        message=message.as_json())
    if Delivery.objects.filter(digest=digest, channel=Channel.EMAIL, recipient=email).exists():
        return []
    delivery = Delivery.objects.create(  # the digest's row is locked (write_digests): no second writer
        digest=digest, audience=Audience.MANAGER if sees_all(digest.user) else Audience.COLLECTOR,
        channel=Channel.EMAIL, recipient=email, template=Template.ALERT_DIGEST, message=message.as_json(),
        next_attempt_at=now, created_at=now)
    return [delivery.pk]
