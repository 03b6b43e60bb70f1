"""State changes of the monitoring app, one function each: keyword-only actor, one transaction, audited.

Alert and action-item changes are claimed with a conditional UPDATE on the current status, so two people
acknowledging the same alert at once record one acknowledgement. Users act only on alerts of customers
they can see (core.permissions.scope): a collector, on the alerts of their portfolio.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import Change, record, record_many
from fengkong.core.permissions import require, scope
from fengkong.evidence.actions import Description, keep
from fengkong.evidence.choices import EvidenceSource
from fengkong.notifications.choices import level_name
from fengkong.notifications.digests import DigestLine
from fengkong.notifications.letters import reminder_letter
from fengkong.notifications.outbox import notify

from . import policy as policy_module
from .choices import KIND_ZONE, ActionKind, ActionStatus, AlertStatus
from .exceptions import AlertStateError, MonitoringError
from .models import ActionItem, Alert, MonitoringPolicy, StopSupply

LETTER_DIR = "monitoring/letters"


def publish_policy(*, actor, config: dict, note: str = "") -> MonitoringPolicy:
    """Check `config` (left-out settings take the defaults) and publish it as the next version."""
    require(actor, "monitoring.publish_policy")
    policy_module.parse(config)  # raises PolicyInvalid with every problem
    full = policy_module.merged(config)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (MonitoringPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                published = MonitoringPolicy.objects.create(version=version, config=full, created_by=actor,
                                                            note=note[:200])
                record(actor, "monitoring_policy.published", "monitoringpolicy", published.pk,
                       after={"version": version, "config": full, "note": note[:200]})
                return published
        except IntegrityError:
            continue  # somebody published the same version number at the same moment: take the next
    raise MonitoringError("could not publish the policy: versions are being published concurrently")


def _visible_alert(actor, alert: Alert, perm: str) -> Alert:
    require(actor, perm)
    if not scope(Alert.objects.filter(pk=alert.pk), actor).exists():
        raise PermissionDenied("this alert's customer is not in your portfolio")
    return alert


def acknowledge_alert(*, actor, alert: Alert) -> Alert:
    _visible_alert(actor, alert, "monitoring.acknowledge_alert")
    with transaction.atomic():
        now = timezone.now()
        if not Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
                status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor):
            raise AlertStateError(f"the alert is {Alert.objects.get(pk=alert.pk).get_status_display()}, "
                                  "only a new alert can be acknowledged")
        record(actor, "alert.acknowledged", "alert", alert.pk, before={"status": alert.status},
               after={"status": AlertStatus.ACKNOWLEDGED})
    alert.refresh_from_db()
    return alert


def acknowledge_alerts(*, actor, alerts) -> int:
    """Acknowledge many alerts at once (the inbox's bulk action); alerts the actor cannot see are skipped."""
    require(actor, "monitoring.acknowledge_alert")
    with transaction.atomic():
        ids = list(scope(Alert.objects.filter(pk__in=[a.pk for a in alerts], status=AlertStatus.NEW), actor)
                   .values_list("pk", flat=True))
        done = Alert.objects.filter(pk__in=ids, status=AlertStatus.NEW).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=actor)
        record_many(actor, [Change("alert.acknowledged", "alert", str(pk), after={"status": "acknowledged"})
                            for pk in ids])
    return done


def resolve_alert(*, actor, alert: Alert, resolution: str) -> Alert:
    _visible_alert(actor, alert, "monitoring.resolve_alert")
    if not resolution.strip():
        raise MonitoringError("say how the alert was resolved")
    with transaction.atomic():
        if not Alert.objects.filter(pk=alert.pk, status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED]).update(
                status=AlertStatus.RESOLVED, resolved_at=timezone.now(), resolved_by=actor,
                resolution=resolution.strip()[:200]):
            raise AlertStateError("the alert is already resolved")
        record(actor, "alert.resolved", "alert", alert.pk, before={"status": alert.status},
               after={"status": AlertStatus.RESOLVED, "resolution": resolution.strip()[:200]})
    alert.refresh_from_db()
    return alert


def complete_action_item(*, actor, item: ActionItem, note: str = "") -> ActionItem:
    require(actor, "monitoring.change_actionitem")
    if not scope(ActionItem.objects.filter(pk=item.pk), actor).exists():
        raise PermissionDenied("this task's customer is not in your portfolio")
    with transaction.atomic():
        if not ActionItem.objects.filter(pk=item.pk, status=ActionStatus.OPEN).update(
                status=ActionStatus.DONE, done_at=timezone.now(), done_by=actor, note=note[:500]):
            raise AlertStateError("the task is no longer open")
        record(actor, "action_item.done", "actionitem", item.pk, after={"kind": item.kind, "note": note[:500]})
    item.refresh_from_db()
    return item


def lift_stop_supply(*, actor, stop: StopSupply, reason: str) -> StopSupply:
    require(actor, "monitoring.lift_stopsupply")
    if not reason.strip():
        raise MonitoringError("say why supply may resume")
    with transaction.atomic():
        if not StopSupply.objects.filter(pk=stop.pk, active=True).update(
                active=False, lifted_at=timezone.now(), lifted_by=actor, lift_reason=reason.strip()[:200]):
            raise MonitoringError("the stop-supply flag is already lifted")
        record(actor, "stop_supply.lifted", "stopsupply", stop.pk,
               after={"customer": stop.customer_id, "reason": reason.strip()[:200]})
    stop.refresh_from_db()
    return stop


def write_reminder_letter(item: ActionItem, language: str | None = None) -> str | None:
    """Write the DOCX reminder letter of a reminder-letter task once; return its path under MEDIA_ROOT. The
    letter is kept in the evidence store too (fengkong.evidence), attached to the task.

    The letter lists the customer's overdue invoices as of the alert's date. Only one writer stores its
    file name (conditional UPDATE on an empty `document`); the notice to the collector follows.
    """
    alert = item.alert
    customer = item.customer
    as_of: date = alert.as_of
    # disputed invoices leave the dunning while their dispute is open (collections)
    invoices = list(customer.invoices.overdue(as_of).filter(disputed=False).order_by("due_date", "number")[:200])
    name, content = reminder_letter(customer, invoices, as_of, language=language or settings.LANGUAGE_CODE)
    relative = f"{LETTER_DIR}/{as_of:%Y%m%d}-{item.pk}-{Path(name).name}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    with transaction.atomic():
        if not ActionItem.objects.filter(pk=item.pk, document="").update(document=relative):
            target.unlink(missing_ok=True)
            return None
        record(None, "action_item.letter_written", "actionitem", item.pk, after={"document": relative})
        keep(actor=None, chunks=[content], filename=Path(name).name, customer=customer, subject=item,
             description=Description(title=_("Reminder letter of %(day)s") % {"day": as_of.isoformat()},
                                     source=EvidenceSource.LETTER, shows=_("The overdue invoices it lists: %(n)d")
                                     % {"n": len(invoices)}))  # occurred_on stays empty until the letter is sent
        users = [item.assigned_to] if item.assigned_to else []
        # on the digest, the letter's alert is already there (its phone task): no message of its own
        line = DigestLine(as_of=as_of, customer_id=customer.pk, portfolio_id=customer.portfolio_id, title=alert.title,
                          level=level_name(alert.level), zone=KIND_ZONE.get(alert.kind, 0),
                          amount=sum((i.open_amount for i in invoices), Decimal("0.00")),
                          overdue_amount=sum((i.open_amount for i in invoices), Decimal("0.00")))
        notify(alert=alert, audience="collector", template="reminder_letter", users=users, digest=line,
               context={"customer": customer, "as_of": as_of, "alert": alert, "document": relative,
                        "invoices": [{"number": i.number, "due_date": i.due_date, "open_amount": i.open_amount,
                                      "currency": i.currency, "days_overdue": (as_of - i.due_date).days}
                                     for i in invoices[:50]]})
    return relative


def pending_letters():
    return ActionItem.objects.filter(kind=ActionKind.REMINDER_LETTER, document="", status=ActionStatus.OPEN)
