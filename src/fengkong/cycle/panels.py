"""The cycle's panel on the monitoring dashboard: the last night's run, its status and counts."""

from __future__ import annotations

from fengkong.core.panels import panel
from fengkong.core.permissions import sees_all

from .models import CycleRun


@panel("monitoring.dashboard", "last_run", order=90, template="cycle/_last_run.html")
def last_run(request, **_objects) -> dict | None:
    """The latest run for those who may see runs; book-wide counts only for those who see the whole book."""
    if not request.user.has_perm("cycle.view_cyclerun"):
        return None
    run = CycleRun.objects.order_by("-as_of").first()
    return {"run": run, "book_counts": sees_all(request.user)} if run else None
