"""What the API shows of invoices, and the filters and ordering an invoice list accepts.

Ordering is a whitelist (a client cannot sort by an arbitrary column); every order ends with the
invoice number so pages are stable. `days_overdue` is measured on `as_of` (default: today in the
configured time zone), the same date the `overdue` filter uses.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from fengkong.core import dates
from fengkong.core.permissions import scope
from fengkong.core.schemas import DEFAULT_LIMIT, Day, Limit, Money, Offset, Page, Text, check_range, page

from .models import CreditNote, PaymentAllocation

ORDERINGS = ("due_date", "-due_date", "issue_date", "-issue_date", "number", "-number", "amount", "-amount",
             "open_amount", "-open_amount", "customer", "-customer")
Ordering = Literal[ORDERINGS]  # type: ignore[valid-type]
SORT_COLUMNS = {"customer": "customer__code"}


class InvoiceSort(Schema):
    """Filters and ordering of an invoice list (also used for one customer's invoices)."""

    open: bool = Field(False, description="Only invoices with an open amount")
    overdue: bool = Field(False, description="Only open invoices due before as_of")
    as_of: Day | None = Field(None, description="Date overdue is measured on (default today)")
    due_from: Day | None = Field(None, description="Due on or after this date")
    due_to: Day | None = Field(None, description="Due on or before this date")
    ordering: Ordering = Field("due_date", description="One of: " + ", ".join(ORDERINGS))
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0

    @model_validator(mode="after")
    def due_range_in_order(self):
        check_range(self.due_from, self.due_to, "due_from", "due_to")
        return self


class InvoiceFilters(InvoiceSort):
    customer: Text | None = Field(None, description="Customer code")


class InvoiceOut(Schema):
    number: str
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    issue_date: date
    due_date: date
    amount: Money
    open_amount: Money
    currency: str
    contract_ref: str
    disputed: bool
    source: str
    days_overdue: int


    @staticmethod
    def resolve_days_overdue(obj) -> int:
        return obj.days_overdue(getattr(obj, "as_of", None) or dates.business_today())


class InvoicePage(Page):
    as_of: date
    items: list[InvoiceOut]


class AllocationOut(Schema):
    payment: str = Field(description="Receipt number", alias="payment.number")
    payment_date: date = Field(alias="payment.payment_date")
    amount: Money


class CreditNoteOut(Schema):
    number: str
    issue_date: date
    amount: Money
    currency: str
    reason: str


class InvoiceDetailOut(InvoiceOut):
    allocations: list[AllocationOut] | None = Field(None, description="null when your role may not see payments")
    credit_notes: list[CreditNoteOut] | None = Field(None, description="null when your role may not see them")

    @staticmethod
    def resolve_allocations(obj):
        return obj.allocations_out

    @staticmethod
    def resolve_credit_notes(obj):
        return obj.credit_notes_out


def invoice_page(user, filters: InvoiceSort, invoices) -> dict:
    """One page of `invoices`, scoped to what `user` may see, filtered and ordered as asked."""
    as_of = filters.as_of or dates.business_today()
    invoices = scope(invoices, user).select_related("customer")
    if filters.open:
        invoices = invoices.open()
    if filters.overdue:
        invoices = invoices.overdue(as_of)
    if filters.due_from:
        invoices = invoices.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        invoices = invoices.filter(due_date__lte=filters.due_to)
    column = SORT_COLUMNS.get(filters.ordering.lstrip("-"), filters.ordering.lstrip("-"))
    invoices = invoices.order_by(("-" if filters.ordering.startswith("-") else "") + column, "number")
    result = page(invoices, filters.limit, filters.offset)
    for invoice in result["items"]:
        invoice.as_of = as_of
    return {**result, "as_of": as_of}


def invoice_detail(user, invoice, as_of: date):
    """An invoice with its allocations and credit notes, each shown only with the permission to see it."""
    invoice.as_of = as_of
    invoice.allocations_out = _visible(user, "receivables.view_paymentallocation", PaymentAllocation.objects
                                       .filter(invoice=invoice).select_related("payment")
                                       .order_by("payment__payment_date", "payment__number"), "invoice__customer")
    invoice.credit_notes_out = _visible(user, "receivables.view_creditnote",
                                        CreditNote.objects.filter(invoice=invoice).order_by("issue_date", "number"))
    return invoice


def _visible(user, perm: str, queryset, customer_path: str = "customer"):
    return list(scope(queryset, user, customer_path)) if user.has_perm(perm) else None


class FxRateFilters(Schema):
    currency: Text | None = Field(None, max_length=3, description="Only this currency (ISO 4217 code).")
    as_of: Day | None = Field(None, description="Only rates on or before this day.")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


# --- the AR reconciliation report ---------------------------------------------------------------------

class ReconciliationFilters(Schema):
    as_of: Day | None = Field(None, description="The date to reconcile (default today): the ERP open amount "
                              "as it stood then against what was allocated and credited by then")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class FxRateOut(Schema):
    date: date
    currency: str
    rate: str = Field(description="Units of the functional currency for one unit of `currency`.")
    source: str

    @staticmethod
    def resolve_rate(obj) -> str:
        return str(obj.rate.normalize())


class FxRatePage(Page):
    functional_currency: str
    items: list[FxRateOut]


class ReconciliationRowOut(Schema):
    invoice: str
    customer: str = Field(description="The customer's code")
    customer_name: str
    currency: str
    amount: Money
    erp_open: Money = Field(description="The open amount the ERP gave (未核销金额)")
    derived_open: Money = Field(description="Amount − allocated receipts − credit notes, never below 0")
    difference: Money = Field(description="erp_open − derived_open, in the invoice's currency")
    functional_difference: Money = Field(description="The difference in the functional currency at the as-of rate")


class CustomerDifferenceOut(Schema):
    customer: str
    customer_name: str
    invoices: int
    difference: Money = Field(description="In the functional currency")


class ReconciliationOut(Page):
    as_of: date
    invoices_checked: int = Field(description="Invoices with an ERP open amount you may see")
    currency: str = Field(description="The functional currency of `difference` and `by_customer`")
    difference: Money = Field(description="The sum of the differences of all rows, over all pages, in the "
                              "functional currency (each converted at the as-of date's rate)")
    difference_by_currency: dict[str, Money] = Field(description="The differences summed per invoice currency")
    by_customer: list[CustomerDifferenceOut]
    items: list[ReconciliationRowOut]


def reconciliation_page(report, limit: int, offset: int) -> dict:
    rows = [{"invoice": r.number, "customer": r.customer_code, "customer_name": r.customer_name,
             "currency": r.currency, "amount": r.amount, "erp_open": r.erp_open, "derived_open": r.derived_open,
             "difference": r.difference, "functional_difference": r.functional_difference}
            for r in report.rows[offset:offset + limit]]
    return {"count": report.count, "limit": limit, "offset": offset, "as_of": report.as_of,
            "invoices_checked": report.invoices_checked, "currency": report.currency,
            "difference": report.difference, "difference_by_currency": report.difference_by_currency,
            "by_customer": [{"customer": c.customer_code, "customer_name": c.customer_name, "invoices": c.invoices,
                             "difference": c.difference} for c in report.by_customer],
            "items": rows}
