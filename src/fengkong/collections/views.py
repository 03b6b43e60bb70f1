"""Collections pages: the worklist (one row per customer's case), the case page with its contact, promise and
dispute forms, the disputes a person owns, and the attachment download.

Design decisions:
- Every read starts from a `for_user` queryset (core.permissions.scope); a case, customer or dispute the user
  may not see is "not found" (404), like one that does not exist. What the role may not do is 403, raised by
  the actions.
- Contacts, promises and disputes are posted per customer (/collections/customers/<code>/...), so they can be
  logged from the customer page as well as from the case, and a customer with no open case can be worked.
- The worklist's order is stated on the page: expected loss, zone, broken promises, next action due.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.permissions import require, scope
from fengkong.customers.queries import visible_customers
from fengkong.monitoring.choices import ZONE_COLOURS
from fengkong.receivables.models import Invoice

from . import actions, charts, strategies
from .choices import PROMISE_COLOURS, STEP_LABELS, DisputeStatus
from .exceptions import CollectionsError
from .forms import (
    ContactForm,
    DisputeForm,
    PerformanceForm,
    PromiseForm,
    ReassignForm,
    ResolveDisputeForm,
    WorklistFilterForm,
    filter_cases,
)
from .models import (
    AcceptanceBill,
    Attachment,
    CollectionCase,
    CollectionsPolicy,
    Dispute,
    InstalmentPlan,
    PromiseToPay,
)
from .performance import collector_performance
from .queries import best_contacts, promise_reliability

PAGE_SIZE = 50
ROWS = 50


@login_required
@permission_required("collections.view_collectioncase", raise_exception=True)
def worklist(request):
    user, today = request.user, dates.business_today()
    form = WorklistFilterForm(request.GET)
    cases = filter_cases(CollectionCase.objects.for_user(user), form.filters(), user, today)
    page = Paginator(cases.select_related("customer", "owner").by_priority(), PAGE_SIZE).get_page(
        request.GET.get("page"))
    policy = CollectionsPolicy.current().parsed()
    best = best_contacts(user, [case.customer for case in page.object_list])
    for case in page.object_list:
        case.best_contact = best.get(case.customer_id)
        case.step_label = _step_label(policy, case)
        case.due = case.next_action_on is not None and case.next_action_on <= today
    mine = CollectionCase.objects.for_user(user).open().filter(owner=user)
    workload = (list(CollectionCase.objects.for_user(user).open().values("owner__username")
                     .annotate(n=Count("pk"), due=Count("pk", filter=Q(next_action_on__lte=today)))
                     .order_by("-n", "owner__username")) if user.has_perm("collections.reassign_case") else None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "collections/worklist.html", {
        "form": form, "page": page, "query": query.urlencode(), "today": today,
        "due_today": mine.filter(next_action_on__lte=today).count(), "mine": mine.count(),
        "zone_colours": ZONE_COLOURS, "promise_colours": PROMISE_COLOURS, "workload": workload,
    })


def _step_label(policy, case) -> str:
    steps = policy.steps(case.strategy)
    step = steps[min(case.step, len(steps) - 1)]
    return str(STEP_LABELS.get(step.action, step.action))


def _visible_case(request, pk: int) -> CollectionCase:
    return get_object_or_404(CollectionCase.objects.for_user(request.user)
                             .select_related("customer", "customer__portfolio", "owner"), pk=pk)


def _open_invoices(customer, user) -> list:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:200])


def case_context(request, case: CollectionCase, **forms) -> dict:
    user, customer = request.user, case.customer
    invoices = _open_invoices(customer, user)
    policy = CollectionsPolicy.current().parsed()
    steps = [{"label": STEP_LABELS.get(s.action, s.action), "owner": s.owner, "wait_days": s.wait_days,
              "current": i == case.step} for i, s in enumerate(policy.steps(case.strategy))]
    return {
        "case": case, "customer": customer, "invoices": invoices, "today": dates.business_today(),
        "contacts": list(case.customer.collection_contacts.select_related("logged_by").order_by("-at", "-pk")[:ROWS]),
        "promises": list(PromiseToPay.objects.filter(customer=customer).prefetch_related("invoices")[:ROWS]),
        "disputes": list(Dispute.objects.for_user(user).filter(customer=customer).select_related("owner")
                         .prefetch_related("items__invoice")[:ROWS]),
        "events": list(case.events.select_related("user")[:ROWS]),
        "attachments": list(case.attachments.all()[:ROWS]),
        "plans": list(InstalmentPlan.objects.for_user(user).filter(customer=customer)[:ROWS]),
        "can_propose_plan": user.has_perm("collections.add_instalmentplan") and case.is_open,
        "bills": list(AcceptanceBill.objects.for_user(user).filter(customer=customer)
                      .order_by("-received_on", "-pk")[:ROWS]),
        "can_record_bill": user.has_perm("collections.add_acceptancebill"),
        "reliability": promise_reliability(customer),
        "best_contact": best_contacts(user, [customer]).get(customer.pk),
        "steps": steps,
        "contact_form": forms.get("contact_form") or ContactForm(),
        "promise_form": forms.get("promise_form") or PromiseForm(invoices=invoices),
        "dispute_form": forms.get("dispute_form") or DisputeForm(invoices=invoices),
        "reassign_form": forms.get("reassign_form") or ReassignForm(),
        "can_work": user.has_perm("collections.add_contact") and case.is_open,
        "can_take": user.has_perm("collections.take_case") and case.is_open and case.owner_id is None,
        "can_reassign": user.has_perm("collections.reassign_case") and case.is_open,
        "zone_colours": ZONE_COLOURS, "promise_colours": PROMISE_COLOURS,
        **strategies.page_context(case, policy, user),
    }


@login_required
@permission_required("collections.view_collectioncase", raise_exception=True)
def case_detail(request, pk: int):
    case = _visible_case(request, pk)
    return render(request, "collections/case.html", case_context(request, case))


def _back(customer) -> str:
    case = CollectionCase.objects.open().filter(customer=customer).first()
    return reverse("collections-case", args=[case.pk]) if case else reverse("customer-detail", args=[customer.code])


def _customer(request, code: str):
    return get_object_or_404(visible_customers(request.user), code=code)


def _invalid(request, customer, form_name: str, form, status: int = 400):
    case = CollectionCase.objects.for_user(request.user).open().filter(customer=customer).select_related(
        "customer", "owner").first()
    if case is None:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("customer-detail", customer.code)
    return render(request, "collections/case.html", case_context(request, case, **{form_name: form}), status=status)


@require_POST
@login_required
def log_contact(request, code: str):
    customer = _customer(request, code)
    require(request.user, "collections.add_contact")
    form = ContactForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, customer, "contact_form", form)
    try:
        contact = actions.log_contact(actor=request.user, customer=customer, data=form.contact(),
                                      upload=form.cleaned_data.get("attachment"))
        messages.success(request, _("Contact logged: %(outcome)s.") % {"outcome": contact.get_outcome_display()})
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "contact_form", form)
    return redirect(_back(customer))


@require_POST
@login_required
def record_promise(request, code: str):
    customer = _customer(request, code)
    require(request.user, "collections.add_promisetopay")
    form = PromiseForm(request.POST, invoices=_open_invoices(customer, request.user))
    if not form.is_valid():
        return _invalid(request, customer, "promise_form", form)
    try:
        promise = actions.record_promise(actor=request.user, customer=customer, amount=form.cleaned_data["amount"],
                                         due_date=form.cleaned_data["due_date"], invoices=form.chosen())
        messages.success(request, _("Promise to pay %(amount)s by %(date)s recorded.") % {
            "amount": promise.amount, "date": promise.due_date})
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "promise_form", form)
    return redirect(_back(customer))


@require_POST
@login_required
def open_dispute(request, code: str):
    customer = _customer(request, code)
    require(request.user, "collections.add_dispute")
    form = DisputeForm(request.POST, invoices=_open_invoices(customer, request.user))
    if not form.is_valid():
        return _invalid(request, customer, "dispute_form", form)
    data = form.cleaned_data
    items = [actions.DisputedInvoice(i, data.get("amount")) for i in form.chosen()]
    try:
        dispute = actions.open_dispute(actor=request.user, customer=customer, reason=data["reason"], team=data["team"],
                                       owner=data["owner"], items=items, description=data.get("description") or "",
                                       due_date=data.get("due_date"))
        messages.success(request, _("Dispute opened; %(owner)s is asked to answer it.") % {
            "owner": dispute.owner.get_username()})
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "dispute_form", form)
    return redirect(_back(customer))


@require_POST
@login_required
def take_case(request, pk: int):
    case = _visible_case(request, pk)
    try:
        actions.take_case(actor=request.user, case=case)
        messages.success(request, _("The case is yours."))
    except CollectionsError as exc:
        messages.error(request, str(exc))
    return redirect("collections-case", pk=case.pk)


@require_POST
@login_required
def reassign_case(request, pk: int):
    case = _visible_case(request, pk)
    require(request.user, "collections.reassign_case")
    form = ReassignForm(request.POST)
    if not form.is_valid():
        return render(request, "collections/case.html", case_context(request, case, reassign_form=form), status=400)
    try:
        actions.reassign_cases(actor=request.user, cases=[case], owner=form.cleaned_data["owner"])
        messages.success(request, _("Case given to %(owner)s.") % {"owner": form.cleaned_data["owner"].get_username()})
    except CollectionsError as exc:
        messages.error(request, str(exc))
    return redirect("collections-case", pk=case.pk)


@login_required
def attachment_download(request, pk: int):
    if not request.user.has_perm("collections.view_attachment"):
        raise PermissionDenied
    attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


# --- disputes ----------------------------------------------------------------------------------------

@login_required
@permission_required("collections.view_dispute", raise_exception=True)
def dispute_list(request):
    show = request.GET.get("show", "open")
    disputes = Dispute.objects.for_user(request.user).select_related("customer", "owner")
    if show == "mine":
        disputes = disputes.filter(owner=request.user, status=DisputeStatus.OPEN)
    elif show != "all":
        show = "open"
        disputes = disputes.filter(status=DisputeStatus.OPEN)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        disputes = disputes.filter(Q(customer__code__icontains=q) | Q(customer__name__icontains=q))
    page = Paginator(disputes.order_by("status", "due_date", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collections/disputes.html", {"page": page, "show": show, "q": q,
                                                          "today": dates.business_today()})


def _visible_dispute(request, pk: int) -> Dispute:
    return get_object_or_404(Dispute.objects.for_user(request.user).select_related("customer", "owner", "opened_by",
                                                                                   "resolved_by"), pk=pk)


def _dispute_context(request, dispute: Dispute, form=None) -> dict:
    user = request.user
    may_resolve = user.has_perm("collections.resolve_dispute") and (
        dispute.owner_id == user.pk or user.has_perm("collections.reassign_case"))
    return {"dispute": dispute, "items": list(dispute.items.select_related("invoice")), "total": dispute.total(),
            "form": form or ResolveDisputeForm(), "can_resolve": may_resolve and dispute.status == DisputeStatus.OPEN,
            "today": dates.business_today()}


@login_required
@permission_required("collections.view_dispute", raise_exception=True)
def dispute_detail(request, pk: int):
    dispute = _visible_dispute(request, pk)
    return render(request, "collections/dispute.html", _dispute_context(request, dispute))


@require_POST
@login_required
def dispute_resolve(request, pk: int):
    dispute = _visible_dispute(request, pk)
    require(request.user, "collections.resolve_dispute")
    form = ResolveDisputeForm(request.POST)
    if not form.is_valid():
        return render(request, "collections/dispute.html", _dispute_context(request, dispute, form), status=400)
    try:
        actions.resolve_dispute(actor=request.user, dispute=dispute, resolution=form.cleaned_data["resolution"],
                                root_cause=form.cleaned_data["root_cause"], note=form.cleaned_data["note"])
        messages.success(request, _("Dispute resolved."))
    except CollectionsError as exc:
        messages.error(request, str(exc))
    return redirect("collections-dispute", pk=dispute.pk)


# --- collector performance ---------------------------------------------------------------------------

@login_required
@permission_required("collections.view_performance", raise_exception=True)
def performance(request):
    """The period's figures per collector, per portfolio and for the team (collections.performance)."""
    form = PerformanceForm(request.GET or None)
    result = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        try:
            result = collector_performance(request.user, data.get("from"), data.get("to"))
        except CollectionsError as exc:
            form.add_error(None, str(exc))
    if result is not None and not form.is_bound:
        form = PerformanceForm(initial={"from": result.date_from, "to": result.date_to})
    chart = None
    named = [line for line in result.collectors if line.collector] if result else []
    if named:
        chart = charts.performance_figure(named, settings.FUNCTIONAL_CURRENCY)
    return render(request, "collections/performance.html", {"form": form, "result": result, "chart": chart},
                  status=200 if result is not None else 400)
