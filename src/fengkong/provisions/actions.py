"""Every change of a provision: publishing a policy, setting an individual provision, proposing a month-end
provision (finance) and deciding it (another person, maker-checker), which locks the period.

Computing is a read (`compute`): it reads the ledger in bulk, calls the engine and changes nothing, so the
command can show a provision before anybody proposes it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.money import from_fen, to_fen
from fengkong.core.permissions import require, users_with_perm
from fengkong.engine import provisions as engine
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell
from fengkong.receivables.fx import rates_on

from . import month_ends as ledger_reads
from . import policy as policy_module
from . import recovery as recovery_module
from . import write_offs
from .choices import RunStatus
from .exceptions import Conflict, NothingToProvide, PeriodLocked, ProvisionError, SelfApproval
from .models import IndividualProvision, ProvisionLine, ProvisionPolicy, ProvisionRun

Progress = Callable[[str, int, int], None]
MAX_NOTE = 500


def month_ends(as_of: date, lookback: int) -> list[date]:
    """The `lookback` month-ends before `as_of`, then `as_of` itself: the snapshots of a provision."""
    ends, year, month = [as_of], as_of.year, as_of.month
    for _n in range(lookback):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return sorted(e for e in dict.fromkeys(ends) if e <= as_of)


@dataclass(frozen=True)
class Computed:
    as_of: date
    policy: policy_module.Policy
    months: list[date]
    result: engine.Provision
    individuals: dict[int, IndividualProvision]
    recovery: recovery_module.RecoveryRate

    def matrix_json(self) -> dict:
        m = self.result.matrix
        return {"edges": list(m.edges), "rolled_fen": list(m.rolled_fen), "collected_fen": list(m.collected_fen),
                "roll_rates": list(m.roll_rates), "loss_rates": list(m.loss_rates),
                "adjusted_rates": list(m.adjusted_rates), "multiplier": m.multiplier,
                "recovery_rate": m.recovery_rate, "balance_fen": list(self.result.balance_fen),
                "provision_fen": list(self.result.provision_fen), "months": [d.isoformat() for d in self.months],
                "scenarios": [{"name": s.name, "probability": s.probability, "multiplier": s.multiplier}
                              for s in self.policy.scenarios],
                "individual_customers": sorted(self.individuals),
                "recovery_source": self.recovery.source, "recovery_cases": self.recovery.cases}


def _no_progress(stage: str, done: int, total: int) -> None:
    """The default when nobody watches."""


def compute(as_of: date, *, policy: policy_module.Policy | None = None, progress: Progress = _no_progress
            ) -> Computed:
    """The provision at `as_of` under the policy in force (or `policy`), read from the ledger as it stood at
    each month-end of the look-back. Changes nothing."""
    policy = policy or ProvisionPolicy.current().parsed()
    months = month_ends(as_of, policy.lookback_months)
    progress(_("Reading the ledger"), 0, 4)
    rates = rates_on(as_of)
    items, events = ledger_reads.ledger(months[0], as_of, rates)
    progress(_("Month-end aging"), 1, 4)
    snapshots = engine.month_end_snapshots(items, events, months, policy.edges)
    progress(_("Roll rates"), 2, 4)
    rolled, collected = engine.roll_flows(snapshots, len(policy.edges) + 1, len(months))
    recovery = recovery_module.recovery_rate(months[0], as_of, rates, policy.recovery_rate,
                                             policy.recovery_min_cases)
    mat = engine.matrix(rolled, collected, policy.edges, recovery.rate, policy.scenarios)
    progress(_("Provision per customer"), 3, 4)
    individuals = {i.customer_id: i for i in IndividualProvision.objects.active()}
    specs = [engine.Individual(c, rate=float(i.rate) if i.rate is not None else None,
                               amount_fen=to_fen(i.amount) if i.amount is not None else None, reason=i.reason)
             for c, i in individuals.items()]
    result = engine.provide(snapshots.filter(snapshots.get_column("month") == len(months) - 1), mat, specs)
    progress(_("Provision per customer"), 4, 4)
    return Computed(as_of, policy, months, result, individuals, recovery)


def publish_policy(*, actor, config: dict, note: str = "") -> ProvisionPolicy:
    """Check `config` (left-out settings take the defaults) and publish it as the next version."""
    require(actor, "provisions.publish_provisionpolicy")
    full = policy_module.parse(config).config  # PolicyInvalid with every problem
    for _attempt in range(3):
        try:
            with transaction.atomic(durable=True):
                version = (ProvisionPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                published = ProvisionPolicy.objects.create(version=version, config=full, published_by=actor,
                                                           note=(note or "")[:MAX_NOTE])
                record(actor, "provision_policy.published", "provisionpolicy", published.pk,
                       after={"version": version, "config": full, "note": published.note})
                return published
        except IntegrityError:
            continue  # another version took this number at the same moment: take the next
    raise Conflict(_("Policy versions are being published at the same moment; try again."))


@transaction.atomic(durable=True)
def set_individual_provision(*, actor, customer, reason: str, rate: Decimal | None = None,
                             amount: Decimal | None = None) -> IndividualProvision:
    """Give `customer` an individual provision (a rate of its balance, or an amount), ending any earlier one."""
    require(actor, "provisions.add_individualprovision")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this customer is provided for individually.")})
    if (rate is None) == (amount is None):
        raise ValidationError({"rate": _("Give either a rate or an amount.")})
    if rate is not None and not Decimal(0) <= rate <= Decimal(1):
        raise ValidationError({"rate": _("The rate is a share from 0 to 1.")})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    ended = IndividualProvision.objects.active().select_for_update().filter(customer=customer)
    for old in ended:
        old.ended_at = timezone.now()
        old.save(update_fields=["ended_at"])
        record(actor, "individual_provision.ended", "individualprovision", old.pk)
    made = IndividualProvision.objects.create(customer=customer, rate=rate, amount=amount, reason=reason[:MAX_NOTE],
                                              created_by=actor)
    record(actor, "individual_provision.set", "individualprovision", made.pk,
           after={"customer": customer.code, "rate": rate, "amount": amount, "reason": made.reason})
    return made


def run_link(run: ProvisionRun) -> str:
    return reverse("provisions-run", args=[run.pk])


def propose_run(*, actor, as_of: date, note: str = "", progress: Progress = _no_progress,
                computed: Computed | None = None) -> ProvisionRun:
    """Compute the provision at `as_of` and store it, with its movement since the last approved month-end,
    awaiting another person's approval. A locked period (an approved month-end on or after `as_of`) is refused.
    `computed` is a `compute` of the same day made just before (the command shows it first)."""
    require(actor, "provisions.propose_provisionrun")
    note = (note or "").strip()[:MAX_NOTE]
    _refuse_locked(as_of)
    if as_of > timezone.localdate():
        raise ProvisionError(_("%(day)s is in the future; a provision is made at a month-end that has passed.")
                             % {"day": as_of.isoformat()})
    if computed is None or computed.as_of != as_of:
        computed = compute(as_of, progress=progress)
    if not computed.result.gross_fen:
        raise NothingToProvide(_("No receivables were open on %(day)s.") % {"day": as_of.isoformat()})
    return _store_run(actor, computed, note)


def propose_system_run(*, as_of: date, progress: Progress = _no_progress) -> ProvisionRun:
    """The night's proposal of a past month-end (provisions.nightly): made by nobody, so any finance user
    approves it. Refused as propose_run refuses (locked, already proposed, nothing open)."""
    computed = compute(as_of, progress=progress)
    if not computed.result.gross_fen:
        raise NothingToProvide(_("No receivables were open on %(day)s.") % {"day": as_of.isoformat()})
    try:
        return _store_run(None, computed, _("Proposed by the night after the month-end."))
    except IntegrityError:
        raise Conflict(_("A provision of %(day)s is already proposed; it must be decided first.")
                       % {"day": as_of.isoformat()}) from None


def _refuse_locked(as_of: date) -> None:
    latest = ProvisionRun.objects.approved().filter(as_of__gte=as_of).order_by("-as_of").first()
    if latest is not None:
        raise PeriodLocked(_("The provision of %(day)s is approved and locked; a month-end on or before it "
                             "cannot be changed.") % {"day": latest.as_of.isoformat()})


@transaction.atomic(durable=True)
def _store_run(actor, computed: Computed, note: str) -> ProvisionRun:
    _refuse_locked(computed.as_of)
    if ProvisionRun.objects.select_for_update().filter(as_of=computed.as_of, status=RunStatus.PROPOSED).exists():
        raise Conflict(_("A provision of %(day)s is already proposed; it must be decided first.")
                       % {"day": computed.as_of.isoformat()})
    previous = ProvisionRun.objects.approved().filter(as_of__lt=computed.as_of).order_by("-as_of").first()
    opening = previous.closing if previous else Decimal("0.00")
    written, recovered = write_offs.period_amounts(previous.as_of if previous else None, computed.as_of)
    moved = engine.movement(to_fen(opening), computed.result.total_fen, written, recovered)
    run = ProvisionRun.objects.create(
        as_of=computed.as_of, policy_version=computed.policy.version, matrix=computed.matrix_json(),
        gross_amount=from_fen(computed.result.gross_fen), opening=from_fen(moved.opening_fen),
        charge=from_fen(moved.charge_fen), reversal=from_fen(moved.reversal_fen),
        write_off=from_fen(moved.write_off_fen), recoveries=from_fen(moved.recoveries_fen),
        closing=from_fen(moved.closing_fen), proposed_by=actor, note=note)
    lines = computed.result.lines
    ProvisionLine.objects.bulk_create(
        (ProvisionLine(run=run, customer_id=c, bucket=b, balance=from_fen(f), rate=Decimal(f"{r:.10f}"),
                       provision=from_fen(p), individual=i)
         for c, b, f, r, p, i in lines.select("customer_id", "bucket", "balance_fen", "rate", "provision_fen",
                                              "individual").iter_rows()), batch_size=2000)
    record(actor, "provision_run.proposed", "provisionrun", run.pk,
           after={"as_of": run.as_of, "closing": run.closing, "charge": run.charge, "reversal": run.reversal,
                  "write_off": run.write_off, "recoveries": run.recoveries,
                  "policy_version": run.policy_version, "lines": len(lines)})
    approvers = users_with_perm("provisions.approve_provisionrun")
    tell(approvers.exclude(pk=actor.pk) if actor else approvers, template=Template.APPROVAL_REQUEST,
         title=_("The provision of %(day)s awaits approval") % {"day": run.as_of.isoformat()},
         body=_("%(who)s proposes a provision of %(amount)s at %(day)s.") % {
             "who": actor.get_username() if actor else _("The night"), "amount": f"{run.closing:,}",
             "day": run.as_of.isoformat()},
         link=run_link(run))
    return run


@transaction.atomic(durable=True)
def decide_run(*, actor, run: ProvisionRun, approve: bool, note: str = "") -> ProvisionRun:
    """Approve (the period is locked) or reject a proposed provision; nobody decides their own."""
    require(actor, "provisions.approve_provisionrun")
    note = (note or "").strip() if isinstance(note, str) else ""
    if not approve and not note:
        raise ValidationError({"note": _("Say why you reject this provision.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": MAX_NOTE}})
    locked = ProvisionRun.objects.select_for_update().get(pk=run.pk)
    if locked.proposed_by_id == actor.pk:
        raise SelfApproval(_("Nobody approves the provision they proposed."))
    if locked.status != RunStatus.PROPOSED:
        raise Conflict(_("This provision is %(status)s; only a proposed one can be decided.")
                       % {"status": locked.get_status_display()})
    if approve:
        _refuse_locked(locked.as_of)
        previous = ProvisionRun.objects.approved().filter(as_of__lt=locked.as_of).order_by("-as_of").first()
        if (previous.closing if previous else Decimal("0.00")) != locked.opening:
            raise Conflict(_("An earlier month-end was approved after this was proposed; propose it again."))
    status = RunStatus.APPROVED if approve else RunStatus.REJECTED
    locked.status, locked.decided_by, locked.decided_at, locked.decision_note = status, actor, timezone.now(), note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(actor, f"provision_run.{status}", "provisionrun", locked.pk, before={"status": RunStatus.PROPOSED},
           after={"status": status, "as_of": locked.as_of, "closing": locked.closing, "note": note})
    tell([locked.proposed_by] if locked.proposed_by else [], template=Template.APPROVAL_DECIDED,
         title=_("The provision of %(day)s: %(status)s") % {"day": locked.as_of.isoformat(),
                                                            "status": locked.get_status_display()},
         body=_("%(who)s decided: %(status)s. %(note)s") % {"who": actor.get_username(),
                                                            "status": locked.get_status_display(), "note": note},
         link=run_link(locked))
    return locked


def previous_month_end(day: date) -> date:
    """The last day of the month before `day`'s."""
    return day.replace(day=1) - timedelta(days=1)
