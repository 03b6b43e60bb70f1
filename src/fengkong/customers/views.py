"""Customer list (search, filters, htmx live search) and the customer page.

The customer page shows what customers and receivables know (master data, exposure, aging, invoices,
payments, contacts, statements); what the apps above know of the customer (monitoring's stop-supply
banner and history, credit's profile, the credit models' scores) comes as panels of the page
"customers.detail" (core.panels), each in its slot: `banner` above everything, `main` after the
exposure, `after_invoices` after the open invoices.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404, render

from fengkong.core import dates
from fengkong.core.charts import aging_figure, aging_rows
from fengkong.core.panels import render_panels
from fengkong.core.permissions import scope
from fengkong.receivables import queries as ledger

from .forms import CustomerFilterForm
from .models import FinancialStatement
from .queries import visible_customers

PAGE_SIZE = 25


def search(customers: QuerySet, filters: dict[str, str]) -> QuerySet:
    if text := filters.get("q", "").strip():
        customers = customers.filter(Q(code__icontains=text) | Q(name__icontains=text)
                                     | Q(credit_code__icontains=text.upper()))
    if industry := filters.get("industry"):
        customers = customers.filter(industry=industry)
    if province := filters.get("province"):
        customers = customers.filter(region__startswith=province)
    if status := filters.get("status"):
        customers = customers.filter(status=status)
    return customers


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    form = CustomerFilterForm(request.GET)
    customers = search(visible_customers(request.user), form.filters())
    shows_receivables = request.user.has_perm("receivables.view_invoice")
    if shows_receivables:
        customers = customers.annotate(open_total=Sum("invoices__open_amount"))
    page = Paginator(customers.select_related("portfolio").order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "shows_receivables": shows_receivables}
    template = "customers/_results.html" if request.htmx and not request.htmx.boosted else "customers/list.html"
    return render(request, template, context)


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, code: str):
    customer = get_object_or_404(visible_customers(request.user).select_related("group", "portfolio"), code=code)
    as_of = dates.business_today()
    profile = ledger.aging_of(scope(ledger.Invoice.objects.filter(customer=customer), request.user), as_of)
    group_members = (visible_customers(request.user).filter(group=customer.group) if customer.group_id
                     else None)
    return render(request, "customers/detail.html", {
        "customer": customer,
        "as_of": as_of,
        "contacts": customer.contacts.all() if request.user.has_perm("customers.view_contact") else None,
        "exposure": ledger.exposure_of(visible_customers(request.user).filter(pk=customer.pk), request.user),
        "group_exposure": ledger.exposure_of(group_members, request.user) if group_members is not None else None,
        "group_size": group_members.count() if group_members is not None else 0,
        "invoices": ledger.open_invoices(customer, request.user),
        "payments": ledger.recent_payments(customer, request.user),
        "credit_balances": ledger.credit_balances(customer, request.user),
        "financials": list(scope(FinancialStatement.objects.filter(customer=customer), request.user)[:8]),
        "aging_chart": aging_figure(profile, height=240),
        "aging_rows": aging_rows(profile),
        "overdue_total": ledger.from_fen(profile.overdue_fen),
        "panels": render_panels("customers.detail", request, customer=customer),
    })
