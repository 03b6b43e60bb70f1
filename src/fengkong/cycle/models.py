"""The record of each night: which worker holds it, which steps it has done, what they counted.

One row per business date (`as_of` unique). The claim is the row: a worker creates it, or takes over a
failed one, or one left running without progress (a killed worker), with a conditional UPDATE (actions.py).
What the steps produced lives in their own apps (monitoring's snapshots and alerts, credit's assessments,
scoring's scores); this row only keeps the night's bookkeeping and counts.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CycleStatus


class CycleRunQuerySet(models.QuerySet):
    def done(self):
        return self.filter(status=CycleStatus.DONE)

    def latest_done(self) -> CycleRun | None:
        return self.done().order_by("-as_of").first()


class CycleRun(models.Model):
    """One daily risk cycle for one business date. A run is claimed by one worker at a time (`worker`)."""

    as_of = models.DateField(_("as of"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.RUNNING)
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    steps = models.JSONField(_("completed steps"), default=list)
    counts = models.JSONField(_("counts"), default=dict)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    error = models.TextField(_("error"), blank=True)

    objects = CycleRunQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("risk cycle run")
        verbose_name_plural = _("risk cycle runs")
        permissions = [("run_cycle", "Can run the daily risk cycle")]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.status})"

    def summary(self) -> str:
        c = self.counts or {}
        took = (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
        head = f"Risk cycle {self.as_of}: {self.status}" + (f" in {took:.1f} s" if took is not None else "")
        if self.status == CycleStatus.FAILED:
            return f"{head}: {self.error}"
        return (f"{head}; {c.get('customers', 0):,} customers, {c.get('open_items', 0):,} open items; "
                f"alerts {c.get('alerts_raised', 0):,} raised, {c.get('alerts_resolved', 0):,} resolved, "
                f"{c.get('escalations', 0):,} escalated; {c.get('action_items', 0):,} action items; "
                f"{c.get('stop_supply', 0):,} stop-supply flags")
