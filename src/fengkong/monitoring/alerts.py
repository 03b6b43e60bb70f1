"""Raising alerts, for the night's steps and for other apps (credit raises grade-downgrade and
limit-utilisation alerts through `raise_alerts`).

Design decisions:
- Alerts are built as unsaved rows with a deterministic dedup key and inserted in bulk ON CONFLICT DO
  NOTHING (store.insert_alerts): raising the same alert twice stores it once.
- Raising an alert writes its records in the same transaction (tasks, stop-supply flags, audit events:
  dispatch.Dispatcher.run, each alert claimed once); its messages follow after commit, sent by the
  background worker (`monitoring.send_alert_messages`), or by the night's messages step.
- Zone alerts are per customer: a customer gets one alert per zone it enters (the highest zone an item
  reached, when it jumps several), and an open alert of that kind absorbs later entries until it is
  resolved. The alert points at the invoice that triggered it and lists the customer's invoices.
- Titles are written once, in the site's language, with the customer's code and name.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fengkong.core.audit import Change, record_many
from fengkong.core.later import later
from fengkong.core.money import format_fen, from_fen
from fengkong.customers.queries import customer_labels

from . import store
from .choices import KIND_LEVELS, KIND_ZONE, ZONE_ALERT_KINDS, AlertKind, AlertStatus, Zone
from .dispatch import Dispatcher, People, claim_pending, send_pending_messages
from .models import ActionItem, Alert, MonitoringPolicy
from .policy import Policy

ZONE_TITLE = _("%(customer)s entered the %(zone)s zone: %(items)s invoice(s), %(amount)s open")
LARGE_TITLE = _("%(customer)s: %(amount)s newly overdue (%(items)s invoice(s))")
ESCALATION_TITLE = _("Not acknowledged in %(days)s days: %(title)s")
PAID = _("the overdue invoices of this zone were paid")
RESIDUE = _("only residues below the materiality tolerance (%(amount)s) remain in this zone")
CHUNK = 5000


def new_alert(kind: str, *, customer_id: int, key: str, title: str, as_of: date, policy: Policy,
              invoice_id: int | None = None, details: dict | None = None) -> Alert:
    """An unsaved alert of `kind`; `key` deduplicates it (one per customer and date, say)."""
    return Alert(dedup_key=key, kind=kind, level=KIND_LEVELS[kind], customer_id=customer_id, invoice_id=invoice_id,
                 as_of=as_of, title=title[:200], details=details or {}, policy_version=policy.version)


def raise_alerts(alerts: list[Alert], *, policy: Policy, as_of: date, actor=None, people: People | None = None,
                 send_messages: bool = True) -> dict[str, int]:
    """Store the alerts (those already stored are skipped) and write their records now; queue their
    messages after commit unless `send_messages` is false (the night sends them in its messages step).
    Call inside a transaction. Returns the counts of what was written."""
    store.insert_alerts(alerts)
    counts = dispatch_pending(policy, as_of, actor, people)
    if send_messages and counts["alerts_raised"]:
        later("monitoring.send_alert_messages")
    return counts


def dispatch_pending(policy: Policy, as_of: date, actor=None, people: People | None = None) -> dict[str, int]:
    """Claim and act on every alert not yet dispatched (those just raised, or left by a killed run)."""
    alerts = claim_pending()
    outcome = Dispatcher(policy, as_of, people).run(alerts)
    if outcome.audit:
        record_many(actor, outcome.audit)
    if outcome.letters:
        later("monitoring.write_reminder_letters")
    return {"alerts_raised": len(alerts), "action_items": outcome.action_items,
            "stop_supply": outcome.stop_supply, "letters": outcome.letters}


def open_alert_keys(kinds) -> set[tuple[int, str]]:
    """(customer id, kind) of every open alert of these kinds."""
    return set(Alert.objects.open().filter(kind__in=list(kinds)).values_list("customer_id", "kind"))


def in_site_language(message, params: dict | None = None) -> str:
    """A (lazy) message in the site's language, with its %-parameters: what stored titles are written in.
    For many rows translate the template once (`in_site_language(TITLE) % row`): switching languages per
    row costs the night a noticeable share of its time on a big book."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % params if params is not None else text


# --- the alerts of the night ---------------------------------------------------------------------------

def zone_alerts(entered: pl.DataFrame, policy: Policy, as_of: date) -> list[Alert]:
    """One alert per customer and zone entered (items take their highest zone), unless one is open."""
    if entered.is_empty():
        return []
    per_zone = (entered.sort("days_overdue", descending=True)
                .group_by("customer_id", "zone", maintain_order=True)
                .agg(pl.col("invoice_id").first(), pl.len().alias("items"), pl.col("open_fen").sum()))
    open_ = open_alert_keys(ZONE_ALERT_KINDS.values())
    names = customer_labels(per_zone.get_column("customer_id").unique().to_list())
    labels = {z: in_site_language(z.label) for z in Zone}
    template = in_site_language(ZONE_TITLE)   # once: switching the language per alert costs the night
    alerts = []
    for customer_id, zone, invoice_id, items, fen in per_zone.iter_rows():
        kind = ZONE_ALERT_KINDS[Zone(zone)]
        if not policy.rule(kind).enabled or (customer_id, kind) in open_:
            continue
        title = template % {"customer": names.get(customer_id, str(customer_id)), "zone": labels[Zone(zone)],
                            "items": items, "amount": format_fen(fen, settings.FUNCTIONAL_CURRENCY)}
        alerts.append(new_alert(kind, customer_id=customer_id, key=f"{kind}:c{customer_id}:{as_of}", title=title,
                                as_of=as_of, policy=policy, invoice_id=invoice_id,
                                details={"zone": zone, "items": items, "amount": str(from_fen(fen)),
                                         "currency": settings.FUNCTIONAL_CURRENCY}))
    return alerts


def large_overdue_alerts(items: pl.DataFrame, policy: Policy, as_of: date, window: int) -> list[Alert]:
    """Customers whose items fallen overdue in the last `window` days add up to the threshold or more."""
    kind = AlertKind.LARGE_OVERDUE
    if not policy.rule(kind).enabled:
        return []
    new = (items.filter((pl.col("days_overdue") > 0) & (pl.col("days_overdue") <= window))
           .group_by("customer_id").agg(pl.col("open_fen").sum(), pl.len().alias("items"))
           .filter(pl.col("open_fen") >= policy.large_overdue_fen))
    names = customer_labels(new.get_column("customer_id").to_list())
    template = in_site_language(LARGE_TITLE)
    return [new_alert(kind, customer_id=cid, key=f"{kind}:c{cid}:{as_of}", as_of=as_of, policy=policy,
                      title=template % {"customer": names.get(cid, str(cid)),
                                        "amount": format_fen(fen, settings.FUNCTIONAL_CURRENCY), "items": n},
                      details={"amount": str(from_fen(fen)), "currency": settings.FUNCTIONAL_CURRENCY, "items": n,
                               "window_days": window})
            for cid, fen, n in new.iter_rows()]


def resolve_cleared(zones: pl.DataFrame, policy: Policy, actor=None) -> int:
    """Resolve open zone alerts of customers now below the alert's zone; cancel their open action items."""
    current = dict(zip(zones.get_column("customer_id").to_list(), zones.get_column("zone").to_list(), strict=True))
    raw = dict(zip(zones.get_column("customer_id").to_list(), zones.get_column("raw_zone").to_list(), strict=True))
    open_ = list(Alert.objects.open().zone_alerts().values_list("pk", "customer_id", "kind"))
    paid = in_site_language(PAID)
    residue = in_site_language(RESIDUE, {"amount": format_fen(policy.materiality_fen, settings.FUNCTIONAL_CURRENCY)})
    by_reason: dict[str, list[int]] = {}
    for pk, customer_id, kind in open_:
        zone = KIND_ZONE[AlertKind(kind)]
        if current.get(customer_id, 0) >= zone:
            continue
        by_reason.setdefault(paid if raw.get(customer_id, 0) < zone else residue, []).append(pk)
    now, changes, total = timezone.now(), [], 0
    for reason, ids in by_reason.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            total += Alert.objects.filter(pk__in=chunk, status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED]).update(
                status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=None, resolution=reason[:200])
            ActionItem.objects.open().filter(alert_id__in=chunk).update(status="cancelled", note=reason[:500])
        changes += [Change("alert.resolved", "alert", str(pk), after={"by": "system", "reason": reason})
                    for pk in ids]
    if changes:
        record_many(actor, changes)
    return total


def raise_escalations(policy: Policy, as_of: date) -> int:
    """Escalate alerts left new (not acknowledged) for `escalation_days` or more to the risk managers.

    Each is claimed by a conditional UPDATE of its `escalated_at`, and the escalation alert's dedup key
    names the escalated alert: concurrent checks escalate it once.
    """
    kind = AlertKind.ESCALATION
    if not policy.rule(kind).enabled:
        return 0
    cutoff = as_of - timedelta(days=policy.escalation_days)
    due = list(Alert.objects.unacknowledged_since(cutoff).filter(escalated_at__isnull=True)
               .exclude(kind=kind).order_by("pk"))
    now, alerts, template = timezone.now(), [], in_site_language(ESCALATION_TITLE)
    for old in due:
        if not Alert.objects.filter(pk=old.pk, escalated_at__isnull=True).update(escalated_at=now):
            continue
        title = template % {"days": policy.escalation_days, "title": old.title}
        alerts.append(new_alert(kind, customer_id=old.customer_id, key=f"{kind}:a{old.pk}", title=title,
                                as_of=as_of, policy=policy, invoice_id=old.invoice_id,
                                details={"escalated_alert": old.pk, "days": policy.escalation_days,
                                         "kind": old.kind}))
    store.insert_alerts(alerts)
    return len(alerts)


def check_escalations(*, as_of: date, actor=None) -> dict[str, int]:
    """The escalation check on its own (hourly task): escalate overdue acknowledgements and send them."""
    policy = MonitoringPolicy.current().parsed()
    with transaction.atomic():
        escalated = raise_escalations(policy, as_of)
        counts = {"escalations": escalated, **dispatch_pending(policy, as_of, actor)}
    return {**counts, "notifications": send_pending_messages()}
