"""The daily risk cycle: age the whole book, keep snapshots, find zone transitions, raise and act on alerts.

Design decisions:
- One run per business date (CycleRun.as_of unique). A worker claims the run: by creating it, or by a
  conditional UPDATE that takes over a failed run or one left `running` without progress for longer
  than the policy's `stale_run_minutes` (a killed worker). Whoever does not get the claim does nothing,
  so two workers started together send each alert once. A run already done is not repeated unless
  `force=True`; even then every step is idempotent and changes nothing the first run did not.
- The run is a sequence of steps, each in its own transaction that first checks the claim is still
  ours (and records progress). Each step is idempotent on its own, so a run killed after any step is
  completed by the next one without duplicates:
    1. snapshots — a day's customer and book snapshots are deleted and rewritten;
    2. transitions — items entering a higher zone (compared with ItemZone) raise zone alerts, and
       ItemZone is replaced, in the same transaction: either both happen or neither;
    3. resolutions — open zone alerts of customers now below that zone are resolved by the system;
    4. rules — large new overdue amounts, limit utilisation (once limits exist), grade downgrades
       (once grades exist): alerts with deterministic dedup keys, inserted ON CONFLICT DO NOTHING;
    5. escalations — alerts not acknowledged within N days escalate to the risk managers, claimed by
       a conditional UPDATE of `escalated_at`;
    6. messages — handed to the background worker after commit (or sent now), see dispatch.py;
    7. finish — counts, status done and one audited `cycle.finished` event.
  Alerts raised by steps 2, 4 and 5 get their records (tasks, stop-supply flags, audit events) in the
  same transaction; their messages follow in step 6, each alert claimed once (dispatch.py).
- Zone alerts are per customer: a customer gets one alert per zone it enters (the highest zone an item
  reached, when it jumps several), and an open alert of that kind absorbs later entries until it is
  resolved. The alert points at the invoice that triggered it and lists the customer's invoices.
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengkong.core.audit import Change, record, record_many
from fengkong.core.money import from_fen

from . import store
from .assess import Assessment, assess
from .choices import (
    KIND_LEVELS,
    KIND_ZONE,
    ZONE_ALERT_KINDS,
    AlertKind,
    AlertStatus,
    CycleStatus,
    Zone,
)
from .dispatch import Dispatcher, People, claim_pending, messages_pending, send_pending_messages
from .exceptions import CycleTakenOver
from .models import ActionItem, Alert, CycleRun, MonitoringPolicy
from .policy import Policy

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
STEPS = ("load", "snapshots", "transitions", "resolutions", "rules", "escalations", "messages", "finish")
SEND_NOW = False  # messages sent inside run_cycle (tests, `run-cycle --send-now`) rather than by the worker
ZONE_TITLE = gettext_lazy("%(customer)s entered the %(zone)s zone: %(items)s invoice(s), %(amount)s open")
ADDED_COUNTS = {"alerts_raised", "alerts_resolved", "escalations", "action_items", "stop_supply", "notifications",
                "letters", "transitions"}


def run_cycle(*, as_of: date, actor=None, progress: Progress | None = None, force: bool = False,
              stop_after: str | None = None, send_now: bool | None = None) -> CycleRun:
    """Run (or complete) the risk cycle for `as_of` and return its CycleRun.

    When another worker holds the run, or it is done and `force` is false, nothing is done and the run
    is returned as it stands. `stop_after` (a step name) stops there, leaving the run `running`: used to
    simulate a worker killed half-way. Messages are handed to the background worker after commit, or
    sent before the run finishes with `send_now` (default: the module's SEND_NOW).
    """
    stored = MonitoringPolicy.current()
    policy = stored.parsed()
    run, worker = claim(as_of, policy, force)
    if worker is None:
        return run
    cycle = Cycle(run, worker, policy, actor, progress or (lambda *_: None),
                  SEND_NOW if send_now is None else send_now)
    try:
        cycle.run(stop_after)
    except CycleTakenOver:
        raise
    except BaseException as exc:
        cycle.fail(exc)
        raise
    if stop_after is None:
        score_models(run, actor, cycle.progress)
    run.refresh_from_db()
    return run


def score_models(run: CycleRun, actor, progress: Progress) -> None:
    """Once the cycle is done, the credit models score the book (scoring.book). A scoring failure is
    logged, kept in the run's counts and the audit trail, and never fails the risk cycle."""
    from fengkong.scoring.book import score_book

    try:
        counts = score_book(as_of=run.as_of, actor=actor, progress=progress)
    except Exception as exc:  # any failure of the models is theirs, not the cycle's
        log.exception("model scoring after the risk cycle of %s failed", run.as_of)
        counts = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        record(actor, "models.scoring_failed", "cyclerun", run.pk, after={"as_of": run.as_of, **counts})
    stored = CycleRun.objects.get(pk=run.pk)
    CycleRun.objects.filter(pk=run.pk).update(counts={**stored.counts, "models": counts})


def claim(as_of: date, policy: Policy, force: bool = False) -> tuple[CycleRun, str | None]:
    """Claim the run for `as_of`: (run, worker token), or (run, None) when it is not ours to run."""
    worker = uuid.uuid4().hex
    now = timezone.now()
    fields = {"status": CycleStatus.RUNNING, "worker": worker, "started_at": now, "heartbeat_at": now,
              "finished_at": None, "error": "", "policy_version": policy.version, "edges": list(policy.report_edges)}
    try:
        with transaction.atomic():
            return CycleRun.objects.create(as_of=as_of, steps=[], counts={}, **fields), worker
    except IntegrityError:
        pass
    stale = now - timedelta(minutes=policy.stale_run_minutes)
    claimable = Q(status=CycleStatus.FAILED) | Q(status=CycleStatus.RUNNING, heartbeat_at__lt=stale)
    if force:
        claimable |= Q(status=CycleStatus.DONE)
    runs = CycleRun.objects.filter(claimable, as_of=as_of)
    taken = runs.update(attempts=F("attempts") + 1, **fields)
    return CycleRun.objects.get(as_of=as_of), (worker if taken else None)


class Cycle:
    def __init__(self, run: CycleRun, worker: str, policy: Policy, actor, progress: Progress, send_now: bool):
        self.run_, self.worker, self.policy, self.actor, self.progress = run, worker, policy, actor, progress
        self.send_now = send_now
        self.as_of = run.as_of
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self._people: People | None = None

    # --- orchestration ----------------------------------------------------------------------------

    def run(self, stop_after: str | None = None) -> None:
        for step in STEPS:
            started = time.perf_counter()
            self.progress(_("risk cycle"), STEPS.index(step), len(STEPS))
            getattr(self, f"step_{step}")()
            self.timings[step] = round(time.perf_counter() - started, 3)
            if step == stop_after:
                return
        self.progress(_("risk cycle"), len(STEPS), len(STEPS))

    def beat(self, step: str, counts: dict[str, int] | None = None) -> None:
        """Inside a step's transaction: check the claim is ours, record the step and its counts."""
        run = CycleRun.objects.select_for_update().filter(pk=self.run_.pk, worker=self.worker,
                                                          status=CycleStatus.RUNNING).first()
        if run is None:
            raise CycleTakenOver(f"the risk cycle of {self.as_of} was taken over by another worker")
        merged = dict(run.counts)
        for key, value in (counts or {}).items():
            merged[key] = merged.get(key, 0) + value if key in ADDED_COUNTS else value
        steps = run.steps if step in run.steps else [*run.steps, step]
        CycleRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), counts=merged, steps=steps)
        self.counts = merged

    def fail(self, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic():
            CycleRun.objects.filter(pk=self.run_.pk, worker=self.worker).update(
                status=CycleStatus.FAILED, error=message + "\n" + traceback.format_exc()[-4000:],
                heartbeat_at=timezone.now())
            record(self.actor, "cycle.failed", "cyclerun", self.run_.pk, after={"as_of": self.as_of, "error": message})

    @property
    def people(self) -> People:
        if self._people is None:
            self._people = People.load()
        return self._people

    def dispatch_pending(self) -> dict[str, int]:
        return dispatch_pending(self.policy, self.as_of, self.actor, self.people)

    # --- steps ------------------------------------------------------------------------------------

    def step_load(self) -> None:
        items, orders, customers = store.open_items(self.as_of), store.open_orders(), store.customers()
        self.assessment: Assessment = assess(items, orders, customers, self.policy, self.as_of)
        with transaction.atomic():
            self.beat("load", {"open_items": items.height, "customers": self.assessment.customers.height})

    def step_snapshots(self) -> None:
        a = self.assessment
        with transaction.atomic():
            self.beat("snapshots", {"customer_snapshots": a.customers.height, "book_snapshots": a.book.height})
            store.write_customer_snapshots(self.as_of, a.customers)
            store.write_book_snapshots(self.as_of, a.book)

    def step_transitions(self) -> None:
        items = self.assessment.items.filter(pl.col("zone") > 0)
        with transaction.atomic():
            before = store.item_zones()
            joined = items.join(before, on="invoice_id", how="left")
            entered = joined.filter(pl.col("zone_before").is_null() | (pl.col("zone") > pl.col("zone_before")))
            self.raise_alerts(self.zone_alerts(entered))
            reassess_danger_zone(entered)
            store.replace_item_zones(joined.select(
                "invoice_id", "customer_id", "zone", "days_overdue",
                pl.when(pl.col("zone") == pl.col("zone_before")).then(pl.col("since_before"))
                .otherwise(pl.lit(self.as_of)).alias("since")))
            counts = {"transitions": entered.height, "items_in_zones": items.height, **self.dispatch_pending()}
            self.beat("transitions", counts)

    def step_resolutions(self) -> None:
        zones = self.assessment.customers.select("customer_id", "zone", "raw_zone")
        with transaction.atomic():
            self.beat("resolutions")
            resolved = resolve_cleared(zones, self.policy, self.actor)
            self.beat("resolutions", {"alerts_resolved": resolved})

    def step_rules(self) -> None:
        with transaction.atomic():
            self.beat("rules")
            alerts = [*self.large_overdue_alerts(), *self.utilisation_alerts()]
            self.raise_alerts(alerts)
            self.beat("rules", self.dispatch_pending())

    def step_escalations(self) -> None:
        with transaction.atomic():
            self.beat("escalations")
            escalated = self.escalate()
            self.beat("escalations", {"escalations": escalated, **self.dispatch_pending()})

    def step_messages(self) -> None:
        with transaction.atomic():
            self.beat("messages")
            if not self.send_now:
                pending = messages_pending()
                if pending:
                    from .tasks import send_alert_messages

                    transaction.on_commit(lambda: send_alert_messages())
                self.beat("messages", {"messages_queued_for_worker": pending})
                return
        queued = send_pending_messages()
        with transaction.atomic():
            self.beat("messages", {"notifications": queued})

    def step_finish(self) -> None:
        with transaction.atomic():
            self.beat("finish", {"seconds": round(sum(self.timings.values()), 2), "step_seconds": self.timings})
            now = timezone.now()
            CycleRun.objects.filter(pk=self.run_.pk, worker=self.worker).update(
                status=CycleStatus.DONE, finished_at=now, heartbeat_at=now)
            record(self.actor, "cycle.finished", "cyclerun", self.run_.pk,
                   after={"as_of": self.as_of, "policy_version": self.policy.version, "counts": self.counts})

    # --- alerts -----------------------------------------------------------------------------------

    def raise_alerts(self, alerts: list[Alert]) -> int:
        """Insert alerts, skipping any whose dedup key exists; return how many were offered."""
        store.insert_alerts(alerts)
        return len(alerts)

    def new_alert(self, kind: str, customer_id: int, key: str, title: str, invoice_id=None, details=None) -> Alert:
        return Alert(dedup_key=key, kind=kind, level=KIND_LEVELS[kind], customer_id=customer_id,
                     invoice_id=invoice_id, as_of=self.as_of, title=title[:200], details=details or {},
                     policy_version=self.policy.version)

    def open_alerts(self, kinds) -> set[tuple[int, str]]:
        return set(Alert.objects.open().filter(kind__in=list(kinds)).values_list("customer_id", "kind"))

    def zone_alerts(self, entered: pl.DataFrame) -> list[Alert]:
        """One alert per customer and zone entered (items take their highest zone), unless one is open."""
        if entered.is_empty():
            return []
        per_zone = (entered.sort("days_overdue", descending=True)
                    .group_by("customer_id", "zone", maintain_order=True)
                    .agg(pl.col("invoice_id").first(), pl.len().alias("items"), pl.col("open_fen").sum()))
        open_ = self.open_alerts(ZONE_ALERT_KINDS.values())
        names = _customer_names(per_zone.get_column("customer_id").unique().to_list())
        alerts = []
        with translation.override(settings.LANGUAGE_CODE):
            labels = {z: str(z.label) for z in Zone}
            template = str(ZONE_TITLE)
        for customer_id, zone, invoice_id, items, fen in per_zone.iter_rows():
            kind = ZONE_ALERT_KINDS[Zone(zone)]
            if not self.policy.rule(kind).enabled or (customer_id, kind) in open_:
                continue
            title = template % {"customer": names.get(customer_id, str(customer_id)), "zone": labels[Zone(zone)],
                                "items": items, "amount": f"{from_fen(fen):,}"}
            alerts.append(self.new_alert(kind, customer_id, f"{kind}:c{customer_id}:{self.as_of}", title,
                                         invoice_id, {"zone": zone, "items": items, "amount": str(from_fen(fen))}))
        return alerts

    def large_overdue_alerts(self) -> list[Alert]:
        """Customers whose items fallen overdue since the last completed run add up to the threshold or more."""
        kind = AlertKind.LARGE_OVERDUE
        if not self.policy.rule(kind).enabled:
            return []
        last = CycleRun.objects.done().filter(as_of__lt=self.as_of).order_by("-as_of").first()
        window = (self.as_of - last.as_of).days if last else 1
        items = self.assessment.items
        new = (items.filter((pl.col("days_overdue") > 0) & (pl.col("days_overdue") <= window))
               .group_by("customer_id").agg(pl.col("open_fen").sum(), pl.len().alias("items"))
               .filter(pl.col("open_fen") >= self.policy.large_overdue_fen))
        names = _customer_names(new.get_column("customer_id").to_list())
        return [self.new_alert(kind, cid, f"{kind}:c{cid}:{self.as_of}",
                               _large_title(names.get(cid, str(cid)), fen, n),
                               details={"amount": str(from_fen(fen)), "items": n, "window_days": window})
                for cid, fen, n in new.iter_rows()]

    def utilisation_alerts(self) -> list[Alert]:
        """Exposure against the credit limit, for customers whose limit is known (credit limits: issue 4)."""
        limits = credit_limits()
        if limits.is_empty():
            return []
        frame = (self.assessment.customers.select("customer_id", "exposure")
                 .join(limits.filter(pl.col("limit_fen") > 0), on="customer_id", how="inner")
                 .with_columns((pl.col("exposure") * 10000 // pl.col("limit_fen")).alias("basis_points")))
        open_ = self.open_alerts([AlertKind.UTILISATION_90, AlertKind.UTILISATION_100])
        high, low = self.policy.utilisation_exceeded_percent * 100, self.policy.utilisation_attention_percent * 100
        names = _customer_names(frame.get_column("customer_id").to_list())
        alerts = []
        for cid, exposure_fen, limit_fen, bp in frame.iter_rows():
            kind = (AlertKind.UTILISATION_100 if bp >= high else AlertKind.UTILISATION_90 if bp >= low else None)
            if kind is None or not self.policy.rule(kind).enabled or (cid, kind) in open_ or (
                    kind == AlertKind.UTILISATION_90 and (cid, AlertKind.UTILISATION_100) in open_):
                continue
            pct = str(Decimal(bp) / 100)
            alerts.append(self.new_alert(kind, cid, f"{kind}:c{cid}:{self.as_of}",
                                         _utilisation_title(names.get(cid, str(cid)), pct),
                                         details={"exposure": str(from_fen(exposure_fen)),
                                                  "limit": str(from_fen(limit_fen)), "utilisation": pct}))
        return alerts

    def escalate(self) -> int:
        return raise_escalations(self.policy, self.as_of)


def dispatch_pending(policy: Policy, as_of: date, actor=None, people: People | None = None) -> dict[str, int]:
    """Claim and act on every alert not yet dispatched (those just raised, or left by a killed run)."""
    alerts = claim_pending()
    outcome = Dispatcher(policy, as_of, people).run(alerts)
    if outcome.audit:
        record_many(actor, outcome.audit)
    return {"alerts_raised": len(alerts), "action_items": outcome.action_items,
            "stop_supply": outcome.stop_supply, "letters": outcome.letters}


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
    now, alerts = timezone.now(), []
    for old in due:
        if not Alert.objects.filter(pk=old.pk, escalated_at__isnull=True).update(escalated_at=now):
            continue
        alerts.append(Alert(dedup_key=f"{kind}:a{old.pk}", kind=kind, level=KIND_LEVELS[kind],
                            customer_id=old.customer_id, invoice_id=old.invoice_id, as_of=as_of,
                            title=_escalation_title(old, policy.escalation_days)[:200], policy_version=policy.version,
                            details={"escalated_alert": old.pk, "days": policy.escalation_days, "kind": old.kind}))
    store.insert_alerts(alerts)
    return len(alerts)


def check_escalations(*, as_of: date, actor=None) -> dict[str, int]:
    """The escalation check on its own (hourly task): escalate overdue acknowledgements and send them."""
    policy = MonitoringPolicy.current().parsed()
    with transaction.atomic():
        escalated = raise_escalations(policy, as_of)
        counts = {"escalations": escalated, **dispatch_pending(policy, as_of, actor)}
    return {**counts, "notifications": send_pending_messages()}


def credit_limits() -> pl.DataFrame:
    """Approved credit limits in fen by customer (credit profiles); customers without one are absent or 0."""
    from fengkong.credit.assess import credit_limits_frame

    return credit_limits_frame()


def reassess_danger_zone(entered: pl.DataFrame) -> None:
    """Customers with an item newly in the danger zone are re-assessed once this step commits (§2)."""
    from fengkong.credit.assess import reassess_later

    ids = entered.filter(pl.col("zone") >= Zone.DANGER).get_column("customer_id").unique().to_list()
    reassess_later(ids, "danger_zone")


def resolve_cleared(zones: pl.DataFrame, policy: Policy, actor=None) -> int:
    """Resolve open zone alerts of customers now below the alert's zone; cancel their open action items."""
    current = dict(zip(zones.get_column("customer_id").to_list(), zones.get_column("zone").to_list(), strict=True))
    raw = dict(zip(zones.get_column("customer_id").to_list(), zones.get_column("raw_zone").to_list(), strict=True))
    open_ = list(Alert.objects.open().zone_alerts().values_list("pk", "customer_id", "kind"))
    by_reason: dict[str, list[int]] = {}
    for pk, customer_id, kind in open_:
        zone = KIND_ZONE[AlertKind(kind)]
        if current.get(customer_id, 0) >= zone:
            continue
        paid = raw.get(customer_id, 0) < zone
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(_("the overdue invoices of this zone were paid") if paid else
                         _("only residues below the materiality tolerance (%(amount)s) remain in this zone")
                         % {"amount": from_fen(policy.materiality_fen)})
        by_reason.setdefault(reason, []).append(pk)
    now, changes, total = timezone.now(), [], 0
    for reason, ids in by_reason.items():
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            total += Alert.objects.filter(pk__in=chunk, status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED]).update(
                status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=None, resolution=reason[:200])
            ActionItem.objects.open().filter(alert_id__in=chunk).update(status="cancelled", note=reason[:500])
        changes += [Change("alert.resolved", "alert", str(pk), after={"by": "system", "reason": reason})
                    for pk in ids]
    if changes:
        record_many(actor, changes)
    return total


def _customer_names(ids: list[int]) -> dict[int, str]:
    from fengkong.customers.models import Customer

    out = {}
    for start in range(0, len(ids), 5000):
        out.update({pk: f"{code} {name}" for pk, code, name in
                    Customer.objects.filter(pk__in=ids[start:start + 5000]).values_list("pk", "code", "name")})
    return out


def _large_title(customer: str, fen: int, items: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(customer)s: %(amount)s newly overdue (%(items)s invoice(s))") % {
            "customer": customer, "amount": f"{from_fen(fen):,}", "items": items}


def _utilisation_title(customer: str, pct: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(customer)s: credit limit %(pct)s %% used") % {"customer": customer, "pct": pct}


def _escalation_title(alert: Alert, days: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Not acknowledged in %(days)s days: %(title)s") % {"days": days, "title": alert.title}

