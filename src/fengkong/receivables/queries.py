"""Reads of the ledger for pages, exports and other apps, always through the one scoping function.

Design decisions:
- Every query here starts from `visible_customers(user)` or `scope(queryset, user)`; nothing filters by
  portfolio itself, so the web shows exactly what the API and exports show.
- Aging is computed by the pure engine (`engine.aging.age`). The database first adds up the open
  amount per due date, so a book of millions of open items reaches Python as a few thousand
  (due date, fen) pairs; the engine does the bucketing, exactly, in integer fen.
- "Today" is the business date (core.dates.business_today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from django.db.models import Count, QuerySet, Sum

from fengkong.core.money import from_fen, to_fen
from fengkong.core.permissions import scope
from fengkong.customers.queries import visible_customers
from fengkong.engine.aging import AgingProfile, age

from .models import Invoice, Payment, SalesOrder

ZERO = Decimal("0.00")


def aging_of(invoices: QuerySet, as_of: date) -> AgingProfile:
    """Aging profile of the open items in `invoices` (already scoped by the caller)."""
    per_day = list(invoices.open().order_by().values("due_date")
                   .annotate(open=Sum("open_amount"), items=Count("pk")).values_list("due_date", "open", "items"))
    return age(np.array([row[0] for row in per_day], dtype="datetime64[D]"),
               np.array([to_fen(row[1]) for row in per_day], dtype=np.int64), as_of,
               items=np.array([row[2] for row in per_day], dtype=np.int64))


def total(queryset: QuerySet, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


@dataclass(frozen=True)
class BookOverview:
    customers: int
    open_receivables: Decimal
    overdue: Decimal
    open_orders: Decimal
    aging: AgingProfile
    top_overdue: list[dict]


def book_overview(user, as_of: date) -> BookOverview:
    invoices = scope(Invoice.objects.all(), user)
    profile = aging_of(invoices, as_of)
    top = (invoices.overdue(as_of).values("customer__code", "customer__name")
           .annotate(overdue=Sum("open_amount")).order_by("-overdue", "customer__code")[:10])
    return BookOverview(
        customers=visible_customers(user).count(),
        open_receivables=from_fen(profile.total_fen),
        overdue=from_fen(profile.overdue_fen),
        open_orders=total(scope(SalesOrder.objects.open(), user), "open_amount"),
        aging=profile,
        top_overdue=list(top),
    )


@dataclass(frozen=True)
class Exposure:
    open_receivables: Decimal
    open_orders: Decimal

    @property
    def total(self) -> Decimal:
        return self.open_receivables + self.open_orders


def exposure_of(customers: QuerySet, user) -> Exposure:
    """Open receivables plus open (not yet invoiced) sales orders of `customers`, as the user may see them."""
    return Exposure(
        open_receivables=total(scope(Invoice.objects.open(), user).filter(customer__in=customers),
                               "open_amount"),
        open_orders=total(scope(SalesOrder.objects.open(), user).filter(customer__in=customers),
                          "open_amount"),
    )


def open_invoices(customer, user, limit: int = 500) -> list[Invoice]:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:limit])


def recent_payments(customer, user, limit: int = 10) -> list[Payment]:
    return list(scope(Payment.objects.all(), user).filter(customer=customer)
                .order_by("-payment_date", "number")[:limit])
