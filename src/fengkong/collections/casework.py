"""What the night does to collections, in bulk: cases from the day's overdue items, promises judged.

Design decisions:
- Cases come from monitoring's zoned book of the night (monitoring.nightly.monitored): every customer
  with overdue money of at least the monitoring policy's materiality has one open case; its amounts are
  rewritten each night; a customer with no such money left has its case closed. The disputed part of each
  item (open disputes) is taken out of the chase per item, before the zone sums; what an acceptance bill
  held, presented or paid settles of an item is taken out of its open amount before that (bills.py).
- A new case goes to the collector of the customer's portfolio with the fewest open cases (ties: the
  lowest id), or to nobody when the portfolio has no collector: a collector takes it, a manager assigns it.
- Both functions run inside the step's transaction and read what they change in it: run again (a second
  night, a resumed run) they open, close and judge nothing twice; timeline events, alerts and audit
  events are written only for what changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db.models import Count, F, Sum
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _

from fengkong.core.audit import Change, record_many
from fengkong.core.money import from_fen, to_fen
from fengkong.customers.models import Customer
from fengkong.customers.queries import customer_labels
from fengkong.engine import promises as judging
from fengkong.monitoring.alerts import in_site_language, new_alert, raise_alerts
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.dispatch import People
from fengkong.monitoring.policy import Policy as MonitoringPolicy
from fengkong.receivables.models import PaymentAllocation
from fengkong.scoring.models import InvoicePrediction

from .choices import SETTLING_BILL, CasePromise, CaseStatus, EventKind, PlanStatus, PromiseState
from .models import (
    BillAllocation,
    CaseEvent,
    CollectionCase,
    DisputeItem,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
)
from .policy import Policy

ZONE_COLUMNS = ("amount_normal", "amount_attention", "amount_warning", "amount_danger")
FIGURES = ("zone", "max_days_overdue", "overdue_items", *ZONE_COLUMNS, "overdue_amount", "disputed_amount",
           "expected_loss")
BROKEN_TITLE = _("%(customer)s broke a promise to pay %(amount)s by %(date)s (%(paid)s paid)")
MISSED_TITLE = _("%(customer)s missed instalment %(number)s of its plan: %(amount)s by %(date)s (%(paid)s paid); "
                 "the plan is broken")
CHUNK = 5000


@dataclass
class Synced:
    open: int = 0
    opened: int = 0
    closed: int = 0


def case_figures(items: pl.DataFrame, disputed: pl.DataFrame, materiality_fen: int,
                 billed: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per customer with overdue money of at least `materiality_fen`: the case's figures in fen.

    items: invoice_id, customer_id, open_fen, days_overdue, zone (monitoring's zoned book);
    disputed: invoice_id, disputed_fen (what open disputes hold on each invoice);
    billed: invoice_id, billed_fen (what acceptance bills held, presented or paid settle: taken out of the
    open amount first, so an invoice a bill settles whole leaves the case)."""
    overdue = items.filter(pl.col("days_overdue") > 0)
    if billed is not None and not billed.is_empty():
        overdue = overdue.join(billed, on="invoice_id", how="left").with_columns(
            (pl.col("open_fen") - pl.min_horizontal(pl.col("billed_fen").fill_null(0), pl.col("open_fen")))
            .alias("open_fen")).drop("billed_fen").filter(pl.col("open_fen") > 0)
    overdue = overdue.join(disputed, on="invoice_id", how="left").with_columns(
        pl.min_horizontal(pl.col("disputed_fen").fill_null(0), pl.col("open_fen")).alias("disputed_fen"))
    overdue = overdue.with_columns((pl.col("open_fen") - pl.col("disputed_fen")).alias("chase_fen"))
    zones = [pl.col("chase_fen").filter(pl.col("zone") == z).sum().alias(c) for z, c in enumerate(ZONE_COLUMNS)]
    per = overdue.group_by("customer_id").agg(
        pl.col("open_fen").sum().alias("total_fen"), pl.col("chase_fen").sum().alias("overdue_amount"),
        pl.col("disputed_fen").sum().alias("disputed_amount"), pl.col("zone").max().cast(pl.Int64),
        pl.col("days_overdue").max().cast(pl.Int64).alias("max_days_overdue"),
        pl.len().cast(pl.Int64).alias("overdue_items"), *zones)
    return per.filter(pl.col("total_fen") >= max(materiality_fen, 1)).sort("customer_id")


def disputed_items() -> pl.DataFrame:
    rows = (DisputeItem.objects.filter(dispute__status="open").values("invoice_id")
            .annotate(total=Sum("amount")).values_list("invoice_id", "total"))
    pairs = [(pk, to_fen(total)) for pk, total in rows]
    return pl.DataFrame(pairs, schema={"invoice_id": pl.Int64, "disputed_fen": pl.Int64}, orient="row")


def billed_items() -> pl.DataFrame:
    rows = (BillAllocation.objects.filter(bill__status__in=SETTLING_BILL).values("invoice_id")
            .annotate(total=Sum("amount")).values_list("invoice_id", "total"))
    pairs = [(pk, to_fen(total)) for pk, total in rows]
    return pl.DataFrame(pairs, schema={"invoice_id": pl.Int64, "billed_fen": pl.Int64}, orient="row")


def expected_losses(as_of: date) -> dict[int, Decimal]:
    """The payment-delay model's expected loss on each customer's overdue invoices (its latest predictions)."""
    rows = (InvoicePrediction.objects.filter(invoice__open_amount__gt=0, invoice__due_date__lt=as_of)
            .values("customer_id").annotate(total=Sum("expected_loss")).values_list("customer_id", "total"))
    return dict(rows)


def sync_cases(items: pl.DataFrame, as_of: date, policy: Policy, *, materiality_fen: int, people: People,
               actor=None) -> Synced:
    """Open, update and close the cases from the night's zoned items. Call inside the step's transaction."""
    figures = case_figures(items, disputed_items(), materiality_fen, billed_items())
    losses = expected_losses(as_of)
    wanted = {row["customer_id"]: row for row in figures.iter_rows(named=True)}
    existing = {c.customer_id: c for c in CollectionCase.objects.open()}
    out = Synced()
    changed = []
    for customer_id, case in existing.items():
        row = wanted.get(customer_id)
        if row is None:
            continue
        values = _values(row, losses.get(customer_id))
        if any(getattr(case, k) != v for k, v in values.items()) or case.updated_on != as_of:
            for k, v in values.items():
                setattr(case, k, v)
            case.updated_on = as_of
            changed.append(case)
    CollectionCase.objects.bulk_update(changed, [*FIGURES, "updated_on"], batch_size=1000)
    out.opened = _open_new(wanted, existing, losses, as_of, policy, people)
    out.closed = _close_paid(set(existing) - set(wanted), as_of)
    out.open = len(wanted)
    if out.opened or out.closed:
        record_many(actor, [Change("collection_cases.synced", "collectioncase", str(as_of),
                                   after={"opened": out.opened, "closed": out.closed, "open": out.open})])
    return out


def _values(row: dict, loss: Decimal | None) -> dict:
    values = {k: row[k] for k in ("zone", "max_days_overdue", "overdue_items")}
    values |= {k: from_fen(row[k]) for k in (*ZONE_COLUMNS, "overdue_amount", "disputed_amount")}
    values["expected_loss"] = loss if loss is not None else Decimal("0.00")
    return values


def _open_new(wanted: dict, existing: dict, losses: dict, as_of: date, policy: Policy, people: People) -> int:
    fresh = sorted(set(wanted) - set(existing))
    if not fresh:
        return 0
    portfolios = dict(_customers(fresh))
    load = defaultdict(int, dict(CollectionCase.objects.open().filter(owner__isnull=False).values("owner_id")
                                 .annotate(n=Count("pk")).values_list("owner_id", "n")))
    cases = []
    for customer_id in fresh:
        collectors = sorted(people.collectors.get(portfolios.get(customer_id), []), key=lambda u: u.pk)
        owner = min(collectors, key=lambda u: (load[u.pk], u.pk)) if collectors else None
        if owner is not None:
            load[owner.pk] += 1
        cases.append(CollectionCase(customer_id=customer_id, owner=owner, opened_on=as_of, updated_on=as_of,
                                    strategy=policy.default_strategy, step=0, next_action_on=as_of, step_since=as_of,
                                    policy_version=policy.version, **_values(wanted[customer_id],
                                                                            losses.get(customer_id))))
    CollectionCase.objects.bulk_create(cases, batch_size=1000, ignore_conflicts=True)
    opened = []
    for start in range(0, len(fresh), CHUNK):
        opened += list(CollectionCase.objects.open().filter(customer_id__in=fresh[start:start + CHUNK])
                       .values_list("pk", "owner__username"))
    CaseEvent.objects.bulk_create([CaseEvent(case_id=pk, kind=EventKind.OPENED, params={"owner": owner})
                                   for pk, owner in opened], batch_size=2000)
    return len(opened)


def _customers(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield from Customer.objects.filter(pk__in=ids[start:start + CHUNK]).values_list("pk", "portfolio_id")


def _close_paid(customer_ids: set[int], as_of: date) -> int:
    ids = sorted(customer_ids)
    closed = 0
    for start in range(0, len(ids), CHUNK):
        cases = list(CollectionCase.objects.open().filter(customer_id__in=ids[start:start + CHUNK])
                     .values_list("pk", flat=True))
        closed += CollectionCase.objects.filter(pk__in=cases, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED, closed_on=as_of, updated_on=as_of, next_action_on=None)
        CaseEvent.objects.bulk_create([CaseEvent(case_id=pk, kind=EventKind.CLOSED, params={"as_of": str(as_of)})
                                       for pk in cases], batch_size=2000)
    return closed


# --- promises ----------------------------------------------------------------------------------------

@dataclass
class Judged:
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    alerts_raised: int = 0
    plans_completed: int = 0
    plans_broken: int = 0


def pending_promises(as_of: date) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, PromiseToPay]]:
    """The pending promises as the engine reads them (judging.PROMISE_SCHEMA), what receipts paid on each
    one's invoices within its window (judging.PAID_SCHEMA), and the promises by id."""
    promises = {p.pk: p for p in PromiseToPay.objects.pending().filter(taken_on__lte=as_of)}
    through = PromiseToPay.invoices.through
    open_now = dict(through.objects.filter(promisetopay__state=PromiseState.PENDING).values("promisetopay_id")
                    .annotate(total=Sum("invoice__open_amount")).values_list("promisetopay_id", "total"))
    # what was paid after `as_of` was still owed on it (a night for a past day sees the book of that day)
    later = (PaymentAllocation.objects.filter(invoice__promises__state=PromiseState.PENDING,
                                              payment__payment_date__gt=as_of)
             .values("invoice__promises__id").annotate(total=Sum("amount"))
             .values_list("invoice__promises__id", "total"))
    for pk, total in later:
        open_now[pk] = (open_now.get(pk) or Decimal(0)) + total
    rows = (PaymentAllocation.objects.filter(invoice__promises__state=PromiseState.PENDING,
                                             payment__payment_date__gte=F("invoice__promises__taken_on"),
                                             payment__payment_date__lte=as_of)
            .values("invoice__promises__id", "payment__payment_date").annotate(total=Sum("amount"))
            .values_list("invoice__promises__id", "payment__payment_date", "total"))
    paid = [(pk, to_fen(total)) for pk, day, total in rows
            if pk in promises and day <= promises[pk].due_date + timedelta(days=promises[pk].tolerance_days)]
    frame = pl.DataFrame([(p.pk, to_fen(p.amount), p.judged_after(), to_fen(p.tolerance_amount),
                           to_fen(open_now.get(p.pk) or Decimal(0))) for p in promises.values()],
                         schema=judging.PROMISE_SCHEMA, orient="row")
    return frame, pl.DataFrame(paid, schema=judging.PAID_SCHEMA, orient="row"), promises


def instalments_ahead() -> pl.DataFrame:
    """For each instalment of a followed plan, what the plan's earlier instalments take first from what was paid
    (judging.AHEAD_SCHEMA): the sum of their amounts."""
    rows = sorted(Instalment.objects.filter(plan__status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE],
                                            promise__isnull=False)
                  .values_list("plan_id", "number", "promise_id", "amount"))
    out, running, plan = [], 0, None
    for plan_id, _number, promise_id, amount in rows:
        running = 0 if plan_id != plan else running
        plan = plan_id
        out.append((promise_id, running))
        running += to_fen(amount)
    return pl.DataFrame(out, schema=judging.AHEAD_SCHEMA, orient="row")


def judge_promises(as_of: date, policy: Policy, monitoring_policy: MonitoringPolicy, *, people: People | None,
                   actor=None) -> Judged:
    """Judge every pending promise whose date and tolerance have passed; a broken one raises an alert and
    moves its customer's case one step up its strategy. Call inside the step's transaction."""
    frame, paid, promises = pending_promises(as_of)
    judged = judging.judge(frame, paid, as_of, instalments_ahead())
    out = Judged()
    if judged.is_empty():
        return out
    cases = {c.customer_id: c for c in CollectionCase.objects.open().filter(
        customer_id__in=sorted({p.customer_id for p in promises.values()}))}
    done, events, changes, broken = [], [], [], []
    for promise_id, paid_fen, state in judged.iter_rows():
        promise = promises[promise_id]
        promise.state, promise.paid_amount, promise.evaluated_on = state, from_fen(paid_fen), as_of
        done.append(promise)
        setattr(out, state, getattr(out, state) + 1)
        case = cases.get(promise.customer_id)
        if case is not None:
            events.append(CaseEvent(case=case, kind=EventKind.PROMISE_EVALUATED, params={
                "promise": promise.pk, "state": state, "paid": str(promise.paid_amount),
                "amount": str(promise.amount)}))
        changes.append(Change("promise.judged", "promisetopay", str(promise.pk), after={
            "state": state, "paid": promise.paid_amount, "amount": promise.amount, "as_of": as_of}))
        if state == judging.BROKEN:
            broken.append(promise)
    PromiseToPay.objects.bulk_update(done, ["state", "paid_amount", "evaluated_on"], batch_size=1000)
    events += follow_plans(as_of, cases, changes, out)
    events += _move_cases(cases, done, broken, as_of, policy)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    record_many(actor, changes)
    if broken:
        counts = raise_alerts(_broken_alerts(broken, as_of, monitoring_policy), policy=monitoring_policy,
                              as_of=as_of, actor=actor, people=people, send_messages=False)
        out.alerts_raised = counts["alerts_raised"]
    return out


def plan_status(states: list[str]) -> str | None:
    """A followed plan's status from its instalments' states: broken once one is broken, completed once every
    one is kept (or partially kept), on track once one is; None while none is judged."""
    if PromiseState.BROKEN in states:
        return PlanStatus.BROKEN
    judged = [s for s in states if s in (PromiseState.KEPT, PromiseState.PARTIALLY_KEPT)]
    if judged and len(judged) == len(states):
        return PlanStatus.COMPLETED
    return PlanStatus.ACTIVE if judged else None


def follow_plans(as_of: date, cases: dict, changes: list[Change], out: Judged) -> list[CaseEvent]:
    """The plans whose instalments were judged on `as_of`: on track, completed, or broken (its instalments not
    yet due are cancelled). Returns their timeline events; a plan already moved is left alone (a second run)."""
    plans = (InstalmentPlan.objects.filter(status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE],
                                           instalments__promise__evaluated_on=as_of).distinct()
             .prefetch_related("instalments__promise"))
    events = []
    for plan in plans:
        instalments = list(plan.instalments.all())
        status = plan_status([i.promise.state for i in instalments if i.promise_id])
        if status is None or status == plan.status:
            continue
        closed = as_of if status in (PlanStatus.BROKEN, PlanStatus.COMPLETED) else None
        InstalmentPlan.objects.filter(pk=plan.pk).update(status=status, closed_on=closed)
        if status == PlanStatus.BROKEN:
            PromiseToPay.objects.filter(instalment__plan=plan, state=PromiseState.PENDING).update(
                state=PromiseState.CANCELLED, evaluated_on=as_of)
            out.plans_broken += 1
        out.plans_completed += status == PlanStatus.COMPLETED
        changes.append(Change("instalment_plan.followed", "instalmentplan", str(plan.pk),
                              before={"status": plan.status}, after={"status": status, "as_of": as_of}))
        case = cases.get(plan.customer_id)
        if case is not None and closed:
            kind = EventKind.PLAN_BROKEN if status == PlanStatus.BROKEN else EventKind.PLAN_COMPLETED
            events.append(CaseEvent(case=case, kind=kind, params={"plan": plan.pk, "as_of": str(as_of)}))
    return events


def _move_cases(cases: dict, done: list[PromiseToPay], broken: list[PromiseToPay], as_of: date,
                policy: Policy) -> list[CaseEvent]:
    """Each case's promise status after judging; a broken promise moves the case one step up its strategy."""
    by_customer = {p.customer_id: p.state for p in sorted(done, key=lambda p: (p.due_date, p.pk))}
    still = set(PromiseToPay.objects.pending().filter(customer_id__in=list(by_customer))
                .exclude(pk__in=[p.pk for p in done]).values_list("customer_id", flat=True))
    for customer_id, state in by_customer.items():
        case = cases.get(customer_id)
        if case is not None:
            status = CasePromise.PENDING if customer_id in still else state
            CollectionCase.objects.filter(pk=case.pk).update(promise_status=status)
    events = []
    for promise in broken:
        case = cases.get(promise.customer_id)
        if case is None:
            continue
        top = len(policy.steps(case.strategy)) - 1
        CollectionCase.objects.filter(pk=case.pk).update(step=Least(F("step") + 1, top),
                                                         broken_promises=F("broken_promises") + 1,
                                                         next_action_on=as_of, step_since=as_of)
        events.append(CaseEvent(case=case, kind=EventKind.STEP, params={
            "from": case.step, "to": min(case.step + 1, top), "why": "promise_broken", "promise": promise.pk}))
        case.step = min(case.step + 1, top)
    return events


def _broken_alerts(broken: list[PromiseToPay], as_of: date, policy: MonitoringPolicy) -> list:
    """One alert per broken promise; a missed instalment's says so and names its plan."""
    names = customer_labels(sorted({p.customer_id for p in broken}))
    template, missed = in_site_language(BROKEN_TITLE), in_site_language(MISSED_TITLE)
    currency = settings.FUNCTIONAL_CURRENCY
    instalments = {i.promise_id: i for i in Instalment.objects.filter(promise__in=[p.pk for p in broken])}
    alerts = []
    for p in broken:
        instalment = instalments.get(p.pk)
        words = {"customer": names.get(p.customer_id, str(p.customer_id)), "amount": p.amount, "date": p.due_date,
                 "paid": p.paid_amount, "number": instalment.number if instalment else ""}
        details = {"promise": p.pk, "amount": str(p.amount), "paid": str(p.paid_amount),
                   "due_date": str(p.due_date), "currency": currency}
        if instalment is not None:
            details |= {"plan": instalment.plan_id, "instalment": instalment.number}
        alerts.append(new_alert(AlertKind.PROMISE_BROKEN, customer_id=p.customer_id, key=f"promise_broken:p{p.pk}",
                                as_of=as_of, policy=policy, title=(missed if instalment else template) % words,
                                details=details))
    return alerts

