"""Customer endpoints of /api/v1: the list with search and filters, one customer with its exposure.

Every queryset starts from `visible_customers(user)` / `scope(...)`: the API filters by portfolio
nowhere else, so it shows exactly what the web shows. A customer outside the caller's portfolio is a
404, like one that does not exist, so the API does not reveal which codes exist elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Annotated

from django.db.models import Count, Q, Sum
from django.http import Http404
from ninja import Path, Query, Router

from fengkong.core import dates
from fengkong.core.permissions import require, scope
from fengkong.core.schemas import KEY_IN_PATH, Day, Text, answers, caller, page
from fengkong.customers.queries import visible_customers
from fengkong.receivables.models import Invoice, SalesOrder
from fengkong.receivables.schemas import InvoicePage, InvoiceSort, invoice_page

from .models import Contact, Customer
from .schemas import CustomerDetailOut, CustomerFilters, CustomerPage, ExposureOut

router = Router(tags=["customers"])

CustomerCode = Annotated[Text, Path(description="The ERP customer code." + KEY_IN_PATH)]


@router.get("/customers", response=answers(CustomerPage, 403, 422), url_name="customer_list")
def list_customers(request, filters: Query[CustomerFilters]):
    """Customers you may see. `q` searches code, name and credit code; `region` is a GB/T 2260 prefix."""
    user = caller(request)
    require(user, "customers.view_customer")
    customers = filtered(visible_customers(user).select_related("portfolio", "group"), filters)
    return page(customers.order_by("code"), filters.limit, filters.offset)


def filtered(customers, filters: CustomerFilters):
    if filters.q:
        q = filters.q
        customers = customers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(credit_code__icontains=q))
    if filters.industry:
        customers = customers.filter(industry=filters.industry.upper())
    if filters.region:
        customers = customers.filter(region__startswith=filters.region)
    if filters.status:
        customers = customers.filter(status=filters.status)
    if filters.portfolio:
        customers = customers.filter(portfolio__code=filters.portfolio)
    return customers


@router.get("/customers/{key:code}", response=answers(CustomerDetailOut, 403, 404, 422),
            url_name="customer_detail")
def customer_detail(request, code: CustomerCode, as_of: Query[Day | None] = None):
    """One customer: master data, group, portfolio, contacts and exposure (overdue measured on `as_of`)."""
    user = caller(request)
    customer = visible_customer(user, code)
    as_of = as_of or dates.business_today()
    contacts = scope(Contact.objects.filter(customer=customer), user) if user.has_perm(
        "customers.view_contact") else None
    customer.contacts_out = list(contacts) if contacts is not None else None
    customer.as_of = as_of
    customer.exposure_out = exposure(customer, user, as_of)
    return customer


@router.get("/customers/{key:code}/invoices", response=answers(InvoicePage, 403, 404, 422),
            url_name="customer_invoices")
def customer_invoices(request, code: CustomerCode, filters: Query[InvoiceSort]):
    """The invoices of one customer, with the same filters and ordering as /invoices."""
    user = caller(request)
    customer = visible_customer(user, code)
    return invoice_page(user, filters, Invoice.objects.filter(customer=customer))


def visible_customer(user, code: str) -> Customer:
    require(user, "customers.view_customer")
    customer = visible_customers(user).select_related("portfolio", "group").filter(code=code).first()
    if customer is None:
        raise Http404(f"No customer {code} in your portfolio.")
    return customer


def exposure(customer: Customer, user, as_of: date) -> list[ExposureOut]:
    """Open receivables, open orders and overdue amount of one customer, per currency."""
    invoices = scope(Invoice.objects.filter(customer=customer), user).open().values("currency").annotate(
        open=Sum("open_amount"), overdue=Sum("open_amount", filter=Q(due_date__lt=as_of)), count=Count("id"))
    orders = scope(SalesOrder.objects.filter(customer=customer), user).open().values("currency").annotate(
        open=Sum("open_amount"))
    rows = defaultdict(lambda: {"open_receivables": Decimal(0), "open_orders": Decimal(0),
                                "overdue": Decimal(0), "open_invoices": 0})
    for row in invoices:
        rows[row["currency"]].update(open_receivables=row["open"] or 0, overdue=row["overdue"] or 0,
                                     open_invoices=row["count"])
    for row in orders:
        rows[row["currency"]]["open_orders"] = row["open"] or 0
    return [ExposureOut(currency=currency, total=values["open_receivables"] + values["open_orders"], **values)
            for currency, values in sorted(rows.items(), key=lambda item: (item[0] != "CNY", item[0]))]
