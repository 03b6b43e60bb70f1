"""Instalment plans: a collector proposes a schedule of instalments for a customer with an open case; somebody
else approves it at the level of its amount (the collections policy's `plans.approval_levels`); approved, each
instalment becomes a promise to pay that the night judges like any other (casework.follow_plans moves the plan).

Design decisions:
- The schedule must add up to the amount the plan covers, which is at most what the covered invoices owe and
  is not in dispute (the named invoices, else the oldest open ones, as for a promise: actions.covered_invoices).
  Dates are today or later, strictly rising, the last within `plans.max_days_ahead`.
- Maker-checker: the proposer never approves or rejects (the action refuses, and a check constraint holds it
  in the database). A level's permission also approves the levels below it (a risk manager approves a
  collections manager's plans).
- Deciding is a conditional UPDATE from proposed: of two approvers at once one wins, the other is told the plan
  was decided (PlanDecided, a 409). At most one plan per customer is proposed or followed (a partial unique
  constraint), so two collectors proposing at once store one.
- The instalments' promises are written when the plan is approved, taken on that day with the policy's
  tolerance of that day; while they are pending, dunning waits (the promise hold). A broken or cancelled
  plan's instalments not yet judged are cancelled, so they count nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum

from fengkong.core import dates
from fengkong.core.audit import record
from fengkong.core.money import quantize, to_fen
from fengkong.core.permissions import require
from fengkong.customers.models import Customer
from fengkong.receivables.models import Invoice

from .actions import covered_invoices, ensure_visible, event, open_case_now
from .choices import (
    FOLLOWED_PLAN,
    PLAN_LEVEL_PERMISSIONS,
    CasePromise,
    EventKind,
    PlanLevel,
    PlanStatus,
    PromiseState,
)
from .exceptions import PlanDecided, PlanInvalid
from .models import CollectionCase, CollectionsPolicy, Instalment, InstalmentPlan, PromiseToPay


@dataclass(frozen=True)
class ScheduledInstalment:
    due_date: date
    amount: Decimal


def check_schedule(schedule: Sequence[ScheduledInstalment], amount: Decimal, today: date, *,
                   max_instalments: int, max_days_ahead: int) -> list[ScheduledInstalment]:
    """The schedule with its amounts rounded to fen, or PlanInvalid naming the instalment at fault."""
    if len(schedule) < 2:
        raise PlanInvalid("a plan has at least two instalments", field="instalments")
    if len(schedule) > max_instalments:
        raise PlanInvalid(f"a plan has at most {max_instalments} instalments, not {len(schedule)}",
                          field="instalments")
    out: list[ScheduledInstalment] = []
    for n, given in enumerate(schedule, start=1):
        value = quantize(Decimal(given.amount))
        if value <= 0:
            raise PlanInvalid(f"instalment {n}: the amount must be more than 0, not {value}", field="instalments")
        if given.due_date < today:
            raise PlanInvalid(f"instalment {n}: the date {given.due_date} is in the past", field="instalments")
        if out and given.due_date <= out[-1].due_date:
            raise PlanInvalid(f"instalment {n}: the date {given.due_date} is not after instalment {n - 1}'s "
                              f"({out[-1].due_date}); the dates must rise", field="instalments")
        if given.due_date > today + timedelta(days=max_days_ahead):
            raise PlanInvalid(f"instalment {n}: the date {given.due_date} is more than {max_days_ahead} days ahead",
                              field="instalments")
        out.append(ScheduledInstalment(given.due_date, value))
    total = sum((i.amount for i in out), Decimal("0.00"))
    if total != amount:
        raise PlanInvalid(f"the instalments add up to {total}, but the plan covers {amount}: expected {amount}, "
                          f"got {total}", field="instalments")
    return out


@transaction.atomic(durable=True)
def propose_plan(*, actor, customer: Customer, amount: Decimal, instalments: Sequence[ScheduledInstalment],
                 invoices: Sequence[Invoice] = (), note: str = "", today: date | None = None) -> InstalmentPlan:
    """Propose a plan covering `amount` on the named invoices (else the oldest open ones), paid by `instalments`."""
    require(actor, "collections.add_instalmentplan")
    ensure_visible(actor, customer)
    policy = CollectionsPolicy.current().parsed()
    today = today or dates.business_today()
    case = open_case_now(customer)
    if case is None:
        raise PlanInvalid(f"{customer.code} has no open collection case: a plan is proposed on a case",
                          field="customer")
    amount = quantize(Decimal(amount))
    if amount <= 0:
        raise PlanInvalid(f"the plan's amount must be more than 0, not {amount}", field="amount")
    schedule = check_schedule(instalments, amount, today, max_instalments=policy.plans.max_instalments,
                              max_days_ahead=policy.plans.max_days_ahead)
    if InstalmentPlan.objects.filter(customer=customer, status__in=[PlanStatus.PROPOSED, *FOLLOWED_PLAN]).exists():
        raise PlanInvalid(f"{customer.code} already has a plan proposed or under way", field="customer")
    covered = covered_invoices(customer, amount, invoices, today)
    owed = sum(covered.values(), Decimal("0.00"))
    if amount > owed:
        what = "the named invoices owe" if invoices else "the customer owes"
        raise PlanInvalid(f"the plan's {amount} is more than {what} and is not in dispute ({owed})", field="amount")
    level = policy.plans.level_for(to_fen(amount))
    try:
        with transaction.atomic():
            plan = InstalmentPlan.objects.create(
                case=case, customer=customer, amount=amount, owed_at_proposal=owed, oldest_first=not invoices,
                level=level, note=note.strip()[:500], proposed_by=actor, proposed_on=today,
                policy_version=policy.version)
    except IntegrityError:
        raise PlanInvalid(f"{customer.code} already has a plan proposed or under way", field="customer") from None
    plan.invoices.set(list(covered))
    Instalment.objects.bulk_create([Instalment(plan=plan, number=n, due_date=i.due_date, amount=i.amount)
                                    for n, i in enumerate(schedule, start=1)])
    numbers = sorted(Invoice.objects.filter(pk__in=list(covered)).values_list("number", flat=True))
    event(case, EventKind.PLAN_PROPOSED, user=actor, plan=plan.pk, amount=amount, instalments=len(schedule))
    record(actor, "instalment_plan.proposed", "instalmentplan", plan.pk, after={
        "customer": customer.code, "amount": amount, "level": level, "invoices": numbers,
        "instalments": [[str(i.due_date), str(i.amount)] for i in schedule]})
    return plan


def may_decide(user, plan: InstalmentPlan) -> bool:
    """Whether `user` may approve or reject `plan`: the permission of its level or a higher one, and not the
    person who proposed it."""
    levels = list(PlanLevel.values)
    needed = levels[levels.index(plan.level):] if plan.level in levels else levels[-1:]
    return (user.is_active and plan.proposed_by_id != user.pk
            and any(user.has_perm(PLAN_LEVEL_PERMISSIONS[level]) for level in needed))


def _decider(actor, plan: InstalmentPlan) -> None:
    require(actor, "collections.view_instalmentplan")
    ensure_visible(actor, plan.customer)
    if plan.proposed_by_id == actor.pk:
        raise PermissionDenied("you proposed this plan: somebody else approves or rejects it")
    if not may_decide(actor, plan):
        raise PermissionDenied(f"a plan of {plan.amount} is approved at the {plan.level.replace('_', ' ')} level")


def _decide(plan: InstalmentPlan, actor, status: str, today: date, reason: str = "") -> None:
    """From proposed to `status`, or PlanDecided if somebody decided it first."""
    if not InstalmentPlan.objects.filter(pk=plan.pk, status=PlanStatus.PROPOSED).update(
            status=status, decided_by=actor, decided_on=today, reason=reason,
            closed_on=today if status == PlanStatus.REJECTED else None):
        raise PlanDecided(f"the plan is already {InstalmentPlan.objects.get(pk=plan.pk).status}")


@transaction.atomic(durable=True)
def approve_plan(*, actor, plan: InstalmentPlan, today: date | None = None) -> InstalmentPlan:
    """Approve a proposed plan: its instalments become promises to pay, judged by the night from today."""
    _decider(actor, plan)
    today = today or dates.business_today()
    if InstalmentPlan.objects.get(pk=plan.pk).status != PlanStatus.PROPOSED:
        raise PlanDecided(f"the plan is already {InstalmentPlan.objects.get(pk=plan.pk).status}")
    instalments = list(plan.instalments.order_by("number"))
    if instalments and instalments[0].due_date < today:
        raise PlanInvalid(f"instalment 1's date {instalments[0].due_date} has passed: reject the plan and propose "
                          f"a new one", field="instalments")
    _decide(plan, actor, PlanStatus.APPROVED, today)
    policy = CollectionsPolicy.current().parsed()
    case = open_case_now(plan.customer)
    invoices = list(plan.invoices.all())
    for instalment in instalments:
        promise = PromiseToPay.objects.create(
            case=case, customer=plan.customer, amount=instalment.amount, due_date=instalment.due_date,
            taken_on=today, oldest_first=plan.oldest_first, owed_at_promise=plan.owed_at_proposal,
            tolerance_days=policy.tolerance_days, tolerance_amount=Decimal(policy.tolerance_fen) / 100,
            policy_version=policy.version, taken_by=plan.proposed_by)
        promise.invoices.set(invoices)
        instalment.promise = promise
    Instalment.objects.bulk_update(instalments, ["promise"])
    if case is not None:
        CollectionCase.objects.filter(pk=case.pk).update(promise_status=CasePromise.PENDING,
                                                         next_action_on=instalments[0].promise.judged_after())
    event(case, EventKind.PLAN_APPROVED, user=actor, plan=plan.pk, amount=plan.amount)
    record(actor, "instalment_plan.approved", "instalmentplan", plan.pk,
           before={"status": PlanStatus.PROPOSED}, after={"status": PlanStatus.APPROVED, "level": plan.level,
                                                          "promises": [i.promise_id for i in instalments]})
    plan.refresh_from_db()
    return plan


@transaction.atomic(durable=True)
def reject_plan(*, actor, plan: InstalmentPlan, reason: str, today: date | None = None) -> InstalmentPlan:
    """Reject a proposed plan, saying why (the collector reads it on the plan page)."""
    _decider(actor, plan)
    reason = reason.strip()[:300]
    if not reason:
        raise PlanInvalid("say why the plan is rejected", field="reason")
    _decide(plan, actor, PlanStatus.REJECTED, today or dates.business_today(), reason)
    event(open_case_now(plan.customer), EventKind.PLAN_REJECTED, user=actor, plan=plan.pk, reason=reason)
    record(actor, "instalment_plan.rejected", "instalmentplan", plan.pk,
           before={"status": PlanStatus.PROPOSED}, after={"status": PlanStatus.REJECTED, "reason": reason})
    plan.refresh_from_db()
    return plan


@transaction.atomic(durable=True)
def cancel_plan(*, actor, plan: InstalmentPlan, reason: str, today: date | None = None) -> InstalmentPlan:
    """Withdraw a proposed plan (its proposer) or stop a followed one (somebody who may approve it); the
    instalments not yet judged are cancelled, dunning goes on."""
    require(actor, "collections.add_instalmentplan")
    ensure_visible(actor, plan.customer)
    if not (plan.status == PlanStatus.PROPOSED and plan.proposed_by_id == actor.pk) and not any(
            actor.has_perm(p) for p in PLAN_LEVEL_PERMISSIONS.values()):
        raise PermissionDenied("its proposer withdraws a proposed plan; a manager who approves plans stops one")
    reason = reason.strip()[:300]
    if not reason:
        raise PlanInvalid("say why the plan is cancelled", field="reason")
    today = today or dates.business_today()
    before = plan.status
    if not InstalmentPlan.objects.filter(pk=plan.pk, status__in=[PlanStatus.PROPOSED, *FOLLOWED_PLAN]).update(
            status=PlanStatus.CANCELLED, reason=reason, closed_on=today):
        raise PlanDecided(f"the plan is already {InstalmentPlan.objects.get(pk=plan.pk).status}")
    cancelled = PromiseToPay.objects.filter(instalment__plan=plan, state=PromiseState.PENDING).update(
        state=PromiseState.CANCELLED, evaluated_on=today)
    case = open_case_now(plan.customer)
    if case is not None and cancelled and not PromiseToPay.objects.pending().filter(customer=plan.customer).exists():
        CollectionCase.objects.filter(pk=case.pk).update(promise_status=CasePromise.NONE)
    event(case, EventKind.PLAN_CANCELLED, user=actor, plan=plan.pk, reason=reason)
    record(actor, "instalment_plan.cancelled", "instalmentplan", plan.pk,
           before={"status": before}, after={"status": PlanStatus.CANCELLED, "reason": reason,
                                             "instalments_cancelled": cancelled})
    plan.refresh_from_db()
    return plan


def paid_so_far(plan: InstalmentPlan) -> Decimal:
    """What the plan's judged instalments were paid (the page's progress)."""
    return (PromiseToPay.objects.filter(instalment__plan=plan).exclude(state=PromiseState.PENDING)
            .aggregate(t=Sum("paid_amount"))["t"] or Decimal("0.00"))
