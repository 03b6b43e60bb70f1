"""Ledger endpoints of /api/v1: the scoped invoice list, one invoice with its payments, the exchange rates,
the AR reconciliation.

As everywhere in the API, rows are restricted by `scope(...)` (core.permissions) and nothing else; an
invoice of a customer outside the caller's portfolio is a 404.
"""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import Path, Query, Router

from fengkong.core import dates
from fengkong.core.currencies import functional_currency
from fengkong.core.permissions import require, scope
from fengkong.core.schemas import KEY_IN_PATH, Day, Text, answers, caller, page

from .models import FxRate, Invoice
from .queries import reconciliation as reconciliation_report
from .schemas import (
    FxRateFilters,
    FxRatePage,
    InvoiceDetailOut,
    InvoiceFilters,
    InvoicePage,
    ReconciliationFilters,
    ReconciliationOut,
    invoice_detail,
    invoice_page,
    reconciliation_page,
)

router = Router(tags=["invoices"])

InvoiceNumber = Annotated[Text, Path(description="The ERP invoice number." + KEY_IN_PATH)]


@router.get("/invoices", response=answers(InvoicePage, 403, 422), url_name="invoice_list")
def list_invoices(request, filters: Query[InvoiceFilters]):
    """Invoices you may see: filter by customer code, open, overdue on `as_of`, due date range."""
    user = caller(request)
    require(user, "receivables.view_invoice")
    invoices = Invoice.objects.all()
    if filters.customer:
        invoices = invoices.filter(customer__code=filters.customer)
    return invoice_page(user, filters, invoices)


@router.get("/invoices/{key:number}", response=answers(InvoiceDetailOut, 403, 404, 422),
            url_name="invoice_detail")
def get_invoice(request, number: InvoiceNumber, as_of: Query[Day | None] = None):
    """One invoice with the payments allocated to it and its credit notes."""
    user = caller(request)
    require(user, "receivables.view_invoice")
    invoice = scope(Invoice.objects.select_related("customer"), user).filter(number=number).first()
    if invoice is None:
        raise Http404(f"No invoice {number} in your portfolio.")
    return invoice_detail(user, invoice, as_of or dates.business_today())


@router.get("/fx-rates", response=answers(FxRatePage, 403, 422), url_name="fx_rate_list", tags=["fx-rates"])
def list_fx_rates(request, filters: Query[FxRateFilters]):
    """Exchange rates to the functional currency, newest first (docs/currencies.md). Rates are not portfolio
    data: whoever may read them sees them all."""
    user = caller(request)
    require(user, "receivables.view_fxrate")
    rates = FxRate.objects.order_by("-date", "currency")
    if filters.currency:
        rates = rates.filter(currency=filters.currency.strip().upper())
    if filters.as_of:
        rates = rates.filter(date__lte=filters.as_of)
    return {**page(rates, filters.limit, filters.offset), "functional_currency": functional_currency()}


@router.get("/reconciliation", response=answers(ReconciliationOut, 403, 422), url_name="reconciliation",
            tags=["reconciliation"])
def reconciliation(request, filters: Query[ReconciliationFilters]):
    """The AR reconciliation report: every invoice whose ERP open amount differs from amount − allocated
    receipts − credit notes, with the sums per customer (rows and sums: only the customers you may see)."""
    user = caller(request)
    require(user, "receivables.view_reconciliation")
    report = reconciliation_report(user, filters.as_of)
    return reconciliation_page(report, filters.limit, filters.offset)
