"""Acceptance bill pages: the bills of your portfolio (held first, soonest maturing first), the record form of a
customer, a bill's page with what it settles and the presented, paid and dishonoured buttons for those who may
press them. A bill of another portfolio is not found (404)."""

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

from . import bills
from .choices import BILL_COLOURS, BillStatus
from .exceptions import BillClosed, CollectionsError
from .forms import BillForm, BillReasonForm
from .models import AcceptanceBill, CollectionCase

PAGE_SIZE = 50


def _bills(user):
    return AcceptanceBill.objects.for_user(user).select_related("customer", "recorded_by", "closed_by")


@login_required
@permission_required("collections.view_acceptancebill", raise_exception=True)
def bill_list(request):
    status = request.GET.get("status", BillStatus.HELD)
    rows = _bills(request.user)
    if status in BillStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("maturity_date", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collections/bills.html", {
        "page": page, "status": status, "statuses": BillStatus.choices, "bill_colours": BILL_COLOURS})


def _invoices(customer, user) -> list:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:200])


def _new_page(request, customer, form, status: int = 200):
    case = CollectionCase.objects.for_user(request.user).open().filter(customer=customer).first()
    return render(request, "collections/bill_new.html", {
        "customer": customer, "case": case, "form": form, "today": dates.business_today()}, status=status)


@login_required
def bill_new(request, code: str):
    """GET: the record form; POST: record the bill and show it."""
    customer = get_object_or_404(visible_customers(request.user), code=code)
    require(request.user, "collections.add_acceptancebill")
    invoices = _invoices(customer, request.user)
    if request.method != "POST":
        return _new_page(request, customer, BillForm(invoices=invoices))
    form = BillForm(request.POST, invoices=invoices)
    if form.is_valid():
        data = form.cleaned_data
        draft = bills.BillDraft(number=data["number"], acceptor_name=data["acceptor_name"],
                                acceptor_uscc=data.get("acceptor_uscc") or "", amount=data["amount"],
                                issue_date=data["issue_date"], maturity_date=data["maturity_date"],
                                endorsers=form.endorser_list())
        try:
            bill = bills.record_bill(actor=request.user, customer=customer, draft=draft, invoices=form.chosen(),
                                     note=data.get("note") or "")
        except CollectionsError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Acceptance bill %(number)s recorded: it settles %(amount)s.") % {
                "number": bill.number, "amount": bill.amount})
            return redirect("collections-bill", bill.pk)
    return _new_page(request, customer, form, status=400)


def _visible_bill(request, pk: int) -> AcceptanceBill:
    return get_object_or_404(_bills(request.user), pk=pk)


def _bill_page(request, bill: AcceptanceBill, form=None, status: int = 200):
    may_move = request.user.has_perm("collections.change_acceptancebill")
    return render(request, "collections/bill.html", {
        "bill": bill, "customer": bill.customer,
        "allocations": list(bill.allocations.select_related("invoice").order_by("invoice__due_date", "pk")),
        "may_present": may_move and bill.status == BillStatus.HELD,
        "may_close": may_move and bill.status in (BillStatus.HELD, BillStatus.PRESENTED),
        "form": form or BillReasonForm(), "bill_colours": BILL_COLOURS,
    }, status=status)


@login_required
@permission_required("collections.view_acceptancebill", raise_exception=True)
def bill_detail(request, pk: int):
    return _bill_page(request, _visible_bill(request, pk))


def _status(exc: CollectionsError) -> int:
    """409 when the bill already moved on, 400 for what the bill itself does not allow."""
    return 409 if isinstance(exc, BillClosed) else 400


def _step(request, pk: int, action, done: str):
    bill = _visible_bill(request, pk)
    try:
        action(actor=request.user, bill=bill)
    except CollectionsError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, bill, status=_status(exc))
    messages.success(request, done)
    return redirect("collections-bill", bill.pk)


@require_POST
@login_required
def bill_present(request, pk: int):
    return _step(request, pk, bills.present_bill, _("Acceptance bill marked presented."))


@require_POST
@login_required
def bill_paid(request, pk: int):
    return _step(request, pk, bills.mark_paid, _("Acceptance bill marked paid."))


@require_POST
@login_required
def bill_dishonour(request, pk: int):
    bill = _visible_bill(request, pk)
    require(request.user, "collections.change_acceptancebill")
    form = BillReasonForm(request.POST)
    if not form.is_valid():
        return _bill_page(request, bill, form, status=400)
    try:
        bills.dishonour_bill(actor=request.user, bill=bill, reason=form.cleaned_data["reason"])
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _bill_page(request, bill, form, status=_status(exc))
    messages.success(request, _("Acceptance bill marked dishonoured: the debt is open again."))
    return redirect("collections-bill", bill.pk)
