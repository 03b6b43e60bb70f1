"""Reads of the ledger for pages, exports and other apps, always through the one scoping function.

Design decisions:
- Every query here starts from `visible_customers(user)` or `scope(queryset, user)`; nothing filters by
  portfolio itself, so the web shows exactly what the API and exports show.
- Aging is computed by the pure engine (`engine.aging.age`). The database first adds up the open
  amount per due date, so a book of millions of open items reaches Python as a few thousand
  (due date, fen) pairs; the engine does the bucketing, exactly, in integer fen.
- "Today" is the business date (core.dates.business_today).
- Every sum is in the functional currency, each currency's part converted at the as-of date's rate
  (receivables.fx); a currency without a rate raises MissingRate rather than being added as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from django.db.models import Count, QuerySet, Sum

from fengkong.core.dates import business_today
from fengkong.core.money import from_fen
from fengkong.core.permissions import scope
from fengkong.customers.queries import visible_customers
from fengkong.engine.aging import AgingProfile, age

from .fx import Rates, rates_on
from .models import Invoice, Payment, SalesOrder

ZERO = Decimal("0.00")


def aging_of(invoices: QuerySet, as_of: date, rates: Rates | None = None) -> AgingProfile:
    """Aging profile of the open items in `invoices` (already scoped by the caller), in the functional
    currency at `as_of`'s rates."""
    rates = rates or rates_on(as_of)
    per_day = list(invoices.open().order_by().values("due_date", "currency")
                   .annotate(open=Sum("open_amount"), items=Count("pk"))
                   .values_list("due_date", "currency", "open", "items"))
    return age(np.array([row[0] for row in per_day], dtype="datetime64[D]"),
               np.array([rates.fen(_decimal(row[2]), row[1]) for row in per_day], dtype=np.int64), as_of,
               items=np.array([row[3] for row in per_day], dtype=np.int64))


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def total(queryset: QuerySet, field: str, rates: Rates | None = None) -> Decimal:
    """SUM of `field` in the functional currency (today's rates unless `rates` are given)."""
    return (rates or rates_on(business_today())).total(queryset, field)


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
    rates = rates_on(as_of)
    profile = aging_of(invoices, as_of, rates)
    top = _top_overdue(invoices.overdue(as_of), rates)
    return BookOverview(
        customers=visible_customers(user).count(),
        open_receivables=from_fen(profile.total_fen),
        overdue=from_fen(profile.overdue_fen),
        open_orders=total(scope(SalesOrder.objects.open(), user), "open_amount", rates),
        aging=profile,
        top_overdue=top,
    )


def _top_overdue(overdue: QuerySet, rates: Rates, n: int = 10) -> list[dict]:
    """The n customers with the most overdue, in the functional currency."""
    sums: dict[tuple[str, str], Decimal] = {}
    for code, name, currency, amount in (overdue.values("customer__code", "customer__name", "currency")
                                         .annotate(overdue=Sum("open_amount")).order_by()
                                         .values_list("customer__code", "customer__name", "currency", "overdue")):
        sums[(code, name)] = sums.get((code, name), ZERO) + rates.to_functional(_decimal(amount), currency)
    ranked = sorted(sums.items(), key=lambda item: (-item[1], item[0][0]))[:n]
    return [{"customer__code": code, "customer__name": name, "overdue": amount} for (code, name), amount in ranked]


@dataclass(frozen=True)
class Exposure:
    open_receivables: Decimal
    open_orders: Decimal

    @property
    def total(self) -> Decimal:
        return self.open_receivables + self.open_orders


def exposure_of(customers: QuerySet, user, as_of: date | None = None) -> Exposure:
    """Open receivables plus open (not yet invoiced) sales orders of `customers`, as the user may see them,
    in the functional currency at `as_of`'s rates (default today's)."""
    rates = rates_on(as_of or business_today())
    return Exposure(
        open_receivables=total(scope(Invoice.objects.open(), user).filter(customer__in=customers),
                               "open_amount", rates),
        open_orders=total(scope(SalesOrder.objects.open(), user).filter(customer__in=customers),
                          "open_amount", rates),
    )


def open_invoices(customer, user, limit: int = 500) -> list[Invoice]:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:limit])


def recent_payments(customer, user, limit: int = 10) -> list[Payment]:
    return list(scope(Payment.objects.all(), user).filter(customer=customer)
                .order_by("-payment_date", "number")[:limit])
