"""Background sending: `deliver` right after an alert commits, `retry_due_deliveries` every minute.

Both only call the outbox; claiming makes it safe for any number of workers to run them at once.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengkong.core.later import task_name

from . import outbox


@task_name("notifications.deliver")
@db_task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    return outbox.send_many(delivery_ids)


@db_periodic_task(crontab(minute="*"))
def retry_due_deliveries() -> dict[str, int]:
    return outbox.send_due()
