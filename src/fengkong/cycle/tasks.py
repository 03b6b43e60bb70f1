"""The night on huey's schedule: the daily risk cycle at 06:00, and an hourly check that completes a run
left failed or stalled today (a done run is not repeated)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import run_cycle


@db_periodic_task(crontab(hour=6, minute=0))
def daily_risk_cycle() -> str:
    """Every morning at 06:00 (settings.TIME_ZONE): the risk cycle for today."""
    return run_cycle(as_of=timezone.localdate()).summary()


@db_periodic_task(crontab(minute=15))
def complete_todays_cycle() -> str:
    """Hourly: today's cycle, if a worker died in it or it failed (a done or running one is left alone)."""
    return run_cycle(as_of=timezone.localdate()).summary()
