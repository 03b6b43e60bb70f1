"""Background work of the monitoring app (huey): escalations, alert messages, reminder letters.

The night's own steps are in nightly.py (run by the cycle app). Actions and steps queue these tasks by
name after commit (core.later), so nothing here is imported by the code it runs.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengkong.core.later import later, task_name

from .actions import pending_letters, write_reminder_letter
from .alerts import check_escalations
from .dispatch import send_pending_messages

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute=20))
def escalation_check() -> dict:
    """Hourly: alerts not acknowledged within the policy's days escalate to the risk managers."""
    return check_escalations(as_of=timezone.localdate())


@task_name("monitoring.send_alert_messages")
@db_task()
def send_alert_messages() -> int:
    """Queue the messages of alerts whose records are written (after a cycle or escalation check)."""
    return send_pending_messages()


@db_periodic_task(crontab(minute="*/5"))
def send_leftover_messages() -> int:
    """Every five minutes: messages left behind (the queue was down when a cycle finished)."""
    return send_pending_messages()


@task_name("monitoring.write_reminder_letters")
@db_task()
def write_reminder_letters(limit: int = 5000) -> int:
    """Write the DOCX letters of reminder-letter tasks that have none yet."""
    written = 0
    for item in pending_letters().select_related("alert", "customer", "assigned_to").order_by("pk")[:limit]:
        try:
            written += write_reminder_letter(item) is not None
        except Exception:
            log.exception("reminder letter for action item %s failed; it stays pending", item.pk)
    if written:
        later("monitoring.send_alert_messages")  # a letter whose alert was in nobody's digest yet: write it
    return written
