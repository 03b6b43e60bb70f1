"""Instalment plan endpoints of /api/v1: list and propose plans, read one, approve or reject it.

Scoped as the other collections endpoints: another portfolio's customer or plan is a 404; a role that may not
propose or decide, or the plan's own proposer, a 403 (the actions); a schedule the action refuses (not adding up,
a date in the past or out of order, more than is owed) a 422 naming the field; a plan somebody decided first a
409."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Path, Query, Router, Status

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller
from fengkong.customers.api import visible_customer
from fengkong.receivables.models import Invoice

from . import plans
from .api_answers import filtered_page, refusal
from .exceptions import CollectionsError, PlanDecided
from .models import InstalmentPlan
from .schemas import PlanFilters, PlanIn, PlanOut, PlanPage, PlanReasonIn

router = Router(tags=["collections"])

PlanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The instalment plan's id")]


def _plans(user):
    require(user, "collections.view_instalmentplan")
    return (InstalmentPlan.objects.for_user(user).select_related("customer", "proposed_by", "decided_by")
            .prefetch_related("invoices", "instalments__promise"))


def _plan(user, plan_id: int) -> InstalmentPlan:
    plan = _plans(user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(f"No instalment plan {plan_id} in your portfolio.")
    return plan


def _answer(exc: CollectionsError) -> Exception:
    return refusal(exc, PlanDecided)


@router.get("/collections/plans", response=answers(PlanPage, 403, 422), url_name="collection_plan_list")
def list_plans(request, filters: Query[PlanFilters]):
    """Instalment plans of your portfolio, the latest proposed first."""
    return filtered_page(_plans(caller(request)), filters, "-proposed_on", "-pk")


@router.post("/collections/plans", response=answers({201: PlanOut}, 400, 403, 404, 422),
             url_name="collection_plan_create")
def create_plan(request, body: PlanIn):
    """Propose an instalment plan for a customer with an open case; it waits for approval at its level."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    found = {i.number: i for i in Invoice.objects.filter(customer=customer, number__in=body.invoices)}
    missing = [n for n in body.invoices if n not in found]
    if missing:
        raise ValidationError({"invoices": [f"{customer.code} has no invoice {', '.join(missing[:10])}"]})
    schedule = [plans.ScheduledInstalment(i.due_date, Decimal(str(i.amount))) for i in body.instalments]
    try:
        plan = plans.propose_plan(actor=user, customer=customer, amount=Decimal(str(body.amount)),
                                  instalments=schedule, invoices=[found[n] for n in body.invoices], note=body.note)
    except CollectionsError as exc:
        raise _answer(exc) from None
    return Status(201, _plan(user, plan.pk))


@router.get("/collections/plans/{plan_id}", response=answers(PlanOut, 403, 404, 422),
            url_name="collection_plan_detail")
def get_plan(request, plan_id: PlanId):
    return _plan(caller(request), plan_id)


@router.post("/collections/plans/{plan_id}/approve", response=answers(PlanOut, 403, 404, 409, 422),
             url_name="collection_plan_approve")
def approve_plan(request, plan_id: PlanId):
    """Approve a proposed plan (not your own; your level must reach its amount's). 409 if it was decided first."""
    user = caller(request)
    try:
        plans.approve_plan(actor=user, plan=_plan(user, plan_id))
    except CollectionsError as exc:
        raise _answer(exc) from None
    return _plan(user, plan_id)


@router.post("/collections/plans/{plan_id}/reject", response=answers(PlanOut, 400, 403, 404, 409, 422),
             url_name="collection_plan_reject")
def reject_plan(request, plan_id: PlanId, body: PlanReasonIn):
    """Reject a proposed plan with the reason. 409 if it was decided first."""
    user = caller(request)
    try:
        plans.reject_plan(actor=user, plan=_plan(user, plan_id), reason=body.reason)
    except CollectionsError as exc:
        raise _answer(exc) from None
    return _plan(user, plan_id)
