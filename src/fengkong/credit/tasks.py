"""Background work of the credit app (huey): the quarterly review and event-triggered re-assessment.

Design decisions:
- The review runs every morning at 07:00 (after the 06:00 risk cycle, so its exposure is fresh) and
  assesses whoever is due: next review on or before today, or never assessed (the first assessment).
  It is idempotent: a customer already assessed today is skipped, so running it twice, or after a
  manual assessment, does nothing more (queries.due_for_review).
- Event triggers (actions.assessments.reassess_later) queue `reassess` by name after their transaction commits.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from fengkong.core.later import task_name

from .actions.assessments import assess_customers, review_due

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour=7, minute=0))
@lock_task("credit-quarterly-review")
def quarterly_review() -> dict:
    """Every morning at 07:00: the customers whose review is due, and those never assessed."""
    result = review_due(timezone.localdate())
    return {trigger: counts["customers"] for trigger, counts in result.items()}


@task_name("credit.reassess")
@db_task()
def reassess(customer_ids: list[int] | None, trigger: str, actor_id: int | None = None) -> int:
    """Re-assess customers after an event (danger zone, new statements, large order, litigation, alarm, a
    guarantee); None: the whole book (a new credit policy in force)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    ids = None if customer_ids is None else list(customer_ids)
    counts = assess_customers(ids, as_of=timezone.localdate(), trigger=trigger, actor=actor)
    log.info("re-assessed %s customer(s) after %s", counts["customers"], trigger)
    return counts["customers"]
