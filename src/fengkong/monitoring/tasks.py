"""Scheduled and background work of the monitoring app (huey): the daily risk cycle, escalations, letters."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import pending_letters, write_reminder_letter
from .cycle import check_escalations, run_cycle
from .dispatch import send_pending_messages

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour=6, minute=0))
def daily_risk_cycle() -> str:
    """Every morning at 06:00 (settings.TIME_ZONE): the risk cycle for today."""
    return run_cycle(as_of=timezone.localdate()).summary()


@db_periodic_task(crontab(minute=15))
def escalation_check() -> dict:
    """Hourly: alerts not acknowledged within the policy's days escalate to the risk managers, and a
    cycle left failed or stalled today is completed (a done one is not repeated)."""
    run_cycle(as_of=timezone.localdate())
    return check_escalations(as_of=timezone.localdate())


@db_task()
def send_alert_messages() -> int:
    """Queue the messages of alerts whose records are written (after a cycle or escalation check)."""
    return send_pending_messages()


@db_periodic_task(crontab(minute="*/5"))
def send_leftover_messages() -> int:
    """Every five minutes: messages left behind (the queue was down when a cycle finished)."""
    return send_pending_messages()


@db_task()
def write_reminder_letters(limit: int = 5000) -> int:
    """Write the DOCX letters of reminder-letter tasks that have none yet."""
    written = 0
    for item in pending_letters().select_related("alert", "customer", "assigned_to").order_by("pk")[:limit]:
        try:
            written += write_reminder_letter(item) is not None
        except Exception:
            log.exception("reminder letter for action item %s failed; it stays pending", item.pk)
    return written
