"""Running the night: claim the business date, run the registered steps in order, resume a killed run.

Design decisions:
- One run per business date (CycleRun.as_of unique). A worker claims the run: by creating it, or by a
  conditional UPDATE that takes over a failed run or one left `running` without progress for longer than
  the monitoring policy's `stale_run_minutes` (a killed worker). Whoever does not get the claim does
  nothing, so two workers started together send each alert once. A run already done is not repeated
  unless `force=True`; even then every step is idempotent and changes nothing the first run did not.
- The steps are those the domain apps register (core.nightly), in their declared order; this module
  knows none of them. Each step checks the claim inside its own transactions (`Run.checkpoint`), so a
  worker that lost its claim stops writing; a run killed after any step is completed by the next one,
  which runs every step again (each is idempotent).
- When the steps are done the run is marked done with one audited `cycle.finished` event; then the
  `after_done` steps run (the credit models' scoring). Their failure is logged, kept in the run's counts
  and audited as `cycle.step_failed`, and never fails the night.
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.nightly import Progress, Step, steps
from fengkong.core.permissions import require
from fengkong.monitoring.models import MonitoringPolicy

from .choices import CycleStatus
from .exceptions import CycleTakenOver
from .models import CycleRun

log = logging.getLogger(__name__)

FINISH = "cycle.finish"
SEND_NOW = False  # messages sent inside run_cycle (tests, `run-cycle --send-now`) rather than by the worker


def run_cycle(*, as_of: date, actor=None, progress: Progress | None = None, force: bool = False,
              stop_after: str | None = None, send_now: bool | None = None) -> CycleRun:
    """Run (or complete) the night of `as_of` and return its CycleRun.

    When another worker holds the run, or it is done and `force` is false, nothing is done and the run is
    returned as it stands. `stop_after` (a step name) stops there, leaving the run `running`: used to
    simulate a worker killed half-way. Messages are handed to the background worker after commit, or sent
    before the run finishes with `send_now` (default: the module's SEND_NOW). A person running it needs
    `cycle.run_cycle`; the scheduled run is the system's (actor None).
    """
    if actor is not None:
        require(actor, "cycle.run_cycle")
    stale_minutes = MonitoringPolicy.current().parsed().stale_run_minutes
    claimed, worker = claim(as_of, stale_minutes, force)
    if worker is None:
        return claimed
    night = Run(claimed, worker, actor, progress or (lambda *_: None), SEND_NOW if send_now is None else send_now)
    try:
        if night.run_steps(stop_after):
            night.finish()
    except CycleTakenOver:
        raise
    except BaseException as exc:
        night.fail(exc)
        raise
    if stop_after is None:
        night.run_after_done()
    claimed.refresh_from_db()
    return claimed


def claim(as_of: date, stale_minutes: int, force: bool = False) -> tuple[CycleRun, str | None]:
    """Claim the run for `as_of`: (run, worker token), or (run, None) when it is not ours to run."""
    worker = uuid.uuid4().hex
    now = timezone.now()
    fields = {"status": CycleStatus.RUNNING, "worker": worker, "started_at": now, "heartbeat_at": now,
              "finished_at": None, "error": ""}
    try:
        with transaction.atomic():
            return CycleRun.objects.create(as_of=as_of, steps=[], counts={}, **fields), worker
    except IntegrityError:
        pass
    stale = now - timedelta(minutes=stale_minutes)
    claimable = Q(status=CycleStatus.FAILED) | Q(status=CycleStatus.RUNNING, heartbeat_at__lt=stale)
    if force:
        claimable |= Q(status=CycleStatus.DONE)
    taken = CycleRun.objects.filter(claimable, as_of=as_of).update(attempts=F("attempts") + 1, **fields)
    return CycleRun.objects.get(as_of=as_of), (worker if taken else None)


class Run:
    """One worker's run of the night: what every step is given (core.nightly.Night)."""

    def __init__(self, claimed: CycleRun, worker: str, actor, progress: Progress, send_now: bool):
        self.record, self.worker, self.actor, self.progress, self.send_now = claimed, worker, actor, progress, send_now
        self.as_of: date = claimed.as_of
        self.shared: dict[str, Any] = {}
        self.counts: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.step = ""

    def run_steps(self, stop_after: str | None = None) -> bool:
        """Every registered step in order; False when stopped after `stop_after`."""
        todo = steps()
        for index, step in enumerate(todo):
            self.progress(_("risk cycle"), index, len(todo))
            self.run_step(step)
            if step.name == stop_after:
                return False
        self.progress(_("risk cycle"), len(todo), len(todo))
        return True

    def run_step(self, step: Step) -> None:
        started = time.perf_counter()
        self.step = step.name
        step.run(self)
        self.timings[step.name] = round(time.perf_counter() - started, 3)

    def checkpoint(self, counts: dict[str, Any] | None = None, *, added: dict[str, int] | None = None) -> None:
        """Inside a step's transaction: check the claim is ours, record the step and its counts."""
        run = CycleRun.objects.select_for_update().filter(pk=self.record.pk, worker=self.worker,
                                                          status=CycleStatus.RUNNING).first()
        if run is None:
            raise CycleTakenOver(f"the risk cycle of {self.as_of} was taken over by another worker")
        merged = {**run.counts, **(counts or {})}
        for key, value in (added or {}).items():
            merged[key] = merged.get(key, 0) + value
        done = run.steps if self.step in run.steps else [*run.steps, self.step]
        CycleRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), counts=merged, steps=done)
        self.counts = merged

    def finish(self) -> None:
        self.step = FINISH
        with transaction.atomic():
            self.checkpoint({"seconds": round(sum(self.timings.values()), 2), "step_seconds": self.timings})
            now = timezone.now()
            CycleRun.objects.filter(pk=self.record.pk, worker=self.worker).update(
                status=CycleStatus.DONE, finished_at=now, heartbeat_at=now)
            record(self.actor, "cycle.finished", "cyclerun", self.record.pk,
                   after={"as_of": self.as_of, "counts": self.counts})

    def fail(self, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic():
            CycleRun.objects.filter(pk=self.record.pk, worker=self.worker).update(
                status=CycleStatus.FAILED, error=message + "\n" + traceback.format_exc()[-4000:],
                heartbeat_at=timezone.now())
            record(self.actor, "cycle.failed", "cyclerun", self.record.pk,
                   after={"as_of": self.as_of, "step": self.step, "error": message})

    def run_after_done(self) -> None:
        """The steps that follow a done night; each one's counts (or its error) are kept under its name."""
        for step in steps(after_done=True):
            self.step = step.name
            try:
                counts = step.run(self) or {}
            except Exception as exc:  # a failure of these steps is theirs, not the night's
                log.exception("%s after the risk cycle of %s failed", step.name, self.as_of)
                counts = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                record(self.actor, "cycle.step_failed", "cyclerun", self.record.pk,
                       after={"as_of": self.as_of, "step": step.name, **counts})
            stored = CycleRun.objects.get(pk=self.record.pk)
            CycleRun.objects.filter(pk=self.record.pk).update(counts={**stored.counts, step.name: counts})
