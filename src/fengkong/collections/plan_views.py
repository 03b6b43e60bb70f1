"""Instalment plan pages: the plans waiting for a decision (and all others), the propose form of a customer with
an open case, a plan's page with its schedule and each instalment's state, and the approve, reject and cancel
buttons of those who may press them (plans.may_decide). A plan of another portfolio is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.permissions import require, scope
from fengkong.customers.queries import visible_customers
from fengkong.receivables.models import Invoice

from . import plans
from .choices import FOLLOWED_PLAN, PLAN_COLOURS, PROMISE_COLOURS, PlanStatus
from .exceptions import CollectionsError, PlanDecided
from .forms import PlanDecisionForm, PlanForm
from .models import CollectionCase, InstalmentPlan

PAGE_SIZE = 50


def _plans(user):
    return InstalmentPlan.objects.for_user(user).select_related("customer", "proposed_by", "decided_by")


@login_required
@permission_required("collections.view_instalmentplan", raise_exception=True)
def plan_list(request):
    status = request.GET.get("status", PlanStatus.PROPOSED)
    rows = _plans(request.user)
    if status in PlanStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-proposed_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collections/plans.html", {
        "page": page, "status": status, "statuses": PlanStatus.choices, "plan_colours": PLAN_COLOURS})


def _form_context(request, customer, case, form) -> dict:
    return {"customer": customer, "case": case, "form": form, "today": dates.business_today()}


def _invoices(customer, user) -> list:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:200])


@login_required
def plan_new(request, code: str):
    """GET: the propose form; POST: propose the plan and show it."""
    customer = get_object_or_404(visible_customers(request.user), code=code)
    require(request.user, "collections.add_instalmentplan")
    case = CollectionCase.objects.for_user(request.user).open().filter(customer=customer).first()
    if case is None:
        messages.error(request, _("%(code)s has no open collection case: a plan is proposed on a case.") % {
            "code": customer.code})
        return redirect("customer-detail", customer.code)
    invoices = _invoices(customer, request.user)
    if request.method != "POST":
        return render(request, "collections/plan_new.html", _form_context(request, customer, case,
                                                                          PlanForm(invoices=invoices)))
    form = PlanForm(request.POST, invoices=invoices)
    if form.is_valid():
        schedule = [plans.ScheduledInstalment(due, amount) for due, amount in form.schedule()]
        try:
            plan = plans.propose_plan(actor=request.user, customer=customer, amount=form.cleaned_data["amount"],
                                      instalments=schedule, invoices=form.chosen(),
                                      note=form.cleaned_data.get("note") or "")
        except CollectionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Instalment plan of %(amount)s proposed; it waits for approval.") % {
                "amount": plan.amount})
            return redirect("collections-plan", plan.pk)
    return render(request, "collections/plan_new.html", _form_context(request, customer, case, form), status=400)


def _status(exc: CollectionsError) -> int:
    """409 when somebody decided the plan first, 400 for what the plan itself does not allow."""
    return 409 if isinstance(exc, PlanDecided) else 400


def _visible_plan(request, pk: int) -> InstalmentPlan:
    return get_object_or_404(_plans(request.user), pk=pk)


def _plan_page(request, plan: InstalmentPlan, form=None, status: int = 200):
    user = request.user
    may_decide = plan.status == PlanStatus.PROPOSED and plans.may_decide(user, plan)
    may_cancel = user.has_perm("collections.add_instalmentplan") and (
        (plan.status == PlanStatus.PROPOSED and plan.proposed_by_id == user.pk)
        or (plan.is_live and any(user.has_perm(p) for p in ("collections.approve_plan",
                                                            "collections.approve_large_plan"))))
    return render(request, "collections/plan.html", {
        "plan": plan, "customer": plan.customer,
        "instalments": list(plan.instalments.select_related("promise").order_by("number")),
        "invoices": sorted(i.number for i in plan.invoices.all()), "paid": plans.paid_so_far(plan),
        "may_decide": may_decide, "own": plan.proposed_by_id == user.pk, "may_cancel": may_cancel,
        "followed": plan.status in FOLLOWED_PLAN, "form": form or PlanDecisionForm(),
        "plan_colours": PLAN_COLOURS, "promise_colours": PROMISE_COLOURS,
    }, status=status)


@login_required
@permission_required("collections.view_instalmentplan", raise_exception=True)
def plan_detail(request, pk: int):
    return _plan_page(request, _visible_plan(request, pk))


@require_POST
@login_required
def plan_approve(request, pk: int):
    plan = _visible_plan(request, pk)
    try:
        plans.approve_plan(actor=request.user, plan=plan)
    except CollectionsError as exc:
        messages.error(request, str(exc))
        return _plan_page(request, plan, status=_status(exc))
    messages.success(request, _("Instalment plan approved: the night follows its instalments."))
    return redirect("collections-plan", plan.pk)


def _with_reason(request, pk: int, action, done: str):
    plan = _visible_plan(request, pk)
    require(request.user, "collections.view_instalmentplan")
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, form, status=400)
    try:
        action(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _plan_page(request, plan, form, status=_status(exc))
    messages.success(request, done)
    return redirect("collections-plan", plan.pk)


@require_POST
@login_required
def plan_reject(request, pk: int):
    return _with_reason(request, pk, plans.reject_plan, _("Instalment plan rejected."))


@require_POST
@login_required
def plan_cancel(request, pk: int):
    return _with_reason(request, pk, plans.cancel_plan, _("Instalment plan cancelled."))
