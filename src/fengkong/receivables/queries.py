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
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from fengkong.core.dates import business_today
from fengkong.core.money import MAX_DIGITS, PLACES, from_fen, quantize
from fengkong.core.permissions import scope
from fengkong.customers.queries import visible_customers
from fengkong.engine.aging import AgingProfile, age

from .choices import OpenBasis
from .fx import Rates, as_decimal, rates_on, refuse_missing
from .models import CreditNote, Invoice, Payment, PaymentAllocation, SalesOrder, WriteOff

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=PLACES)


def aging_of(invoices: QuerySet, as_of: date, rates: Rates | None = None) -> AgingProfile:
    """Aging profile of the open items in `invoices` (already scoped by the caller), in the functional
    currency at `as_of`'s rates."""
    rates = rates or rates_on(as_of)
    per_day = list(invoices.open().order_by().values("due_date", "currency")
                   .annotate(open=Sum("open_amount"), items=Count("pk"))
                   .values_list("due_date", "currency", "open", "items"))
    return age(np.array([row[0] for row in per_day], dtype="datetime64[D]"),
               np.array([rates.fen(as_decimal(row[2]), row[1]) for row in per_day], dtype=np.int64), as_of,
               items=np.array([row[3] for row in per_day], dtype=np.int64))


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
    """The n customers with the most overdue, in the functional currency: converted, summed, ranked and cut
    in the database (a big book's overdue customers never travel to Python)."""
    refuse_missing(overdue.order_by().values_list("currency", flat=True).distinct(), rates)
    top = (overdue.values("customer__code", "customer__name").annotate(overdue=Sum(rates.converted("open_amount")))
           .order_by("-overdue", "customer__code")[:n])
    return [{**row, "overdue": quantize(as_decimal(row["overdue"]))} for row in top]


@dataclass(frozen=True)
class Exposure:
    open_receivables: Decimal
    open_orders: Decimal
    credit_balances: Decimal = ZERO  # unallocated receipts and credit notes standing alone (credit_balances_of)

    @property
    def total(self) -> Decimal:
        return self.open_receivables + self.open_orders

    @property
    def net(self) -> Decimal:
        """What the customer owes and has ordered less the money and credits of theirs not yet applied."""
        return self.total - self.credit_balances


def exposure_of(customers: QuerySet, user, as_of: date | None = None) -> Exposure:
    """Open receivables plus open (not yet invoiced) sales orders of `customers`, as the user may see them,
    in the functional currency at `as_of`'s rates (default today's)."""
    rates = rates_on(as_of or business_today())
    return Exposure(
        open_receivables=total(scope(Invoice.objects.open(), user).filter(customer__in=customers),
                               "open_amount", rates),
        open_orders=total(scope(SalesOrder.objects.open(), user).filter(customer__in=customers),
                          "open_amount", rates),
        credit_balances=credit_balances_of(customers, user, rates),
    )


def credit_balances_of(customers: QuerySet, user, rates: Rates) -> Decimal:
    """Credit balances of `customers` in the functional currency: what receipts have not been allocated to an
    invoice (amount − allocations; the importer refuses allocations above a receipt's amount) plus credit notes
    against no invoice. They are stored as those: a receipt without allocations, a credit note without its
    invoice (an ERP's negative rows, docs/import.md)."""
    payments = scope(Payment.objects.all(), user).filter(customer__in=customers)
    allocated = (PaymentAllocation.objects.filter(payment__in=payments).annotate(currency=F("payment__currency")))
    credits = scope(CreditNote.objects.filter(invoice__isnull=True), user).filter(customer__in=customers)
    return rates.total(payments, "amount") - rates.total(allocated, "amount") + rates.total(credits, "amount")


@dataclass(frozen=True)
class CreditBalance:
    kind: str  # "receipt" or "credit_note"
    number: str
    day: date
    currency: str
    amount: Decimal  # still to be applied, in its own currency


def credit_balances(customer, user, limit: int = 100) -> list[CreditBalance]:
    """The customer's unallocated receipts (their part not allocated) and credit notes against no invoice,
    newest first."""
    allocated = Subquery(PaymentAllocation.objects.filter(payment=OuterRef("pk")).order_by().values("payment")
                         .annotate(s=Sum("amount")).values("s"), output_field=MONEY)
    receipts = (scope(Payment.objects.filter(customer=customer), user)
                .annotate(open=ExpressionWrapper(F("amount") - Coalesce(allocated, Value(ZERO)), output_field=MONEY))
                .filter(open__gt=0).order_by("-payment_date", "number")[:limit])
    notes = scope(CreditNote.objects.filter(customer=customer, invoice__isnull=True), user).order_by(
        "-issue_date", "number")[:limit]
    rows = [CreditBalance("receipt", p.number, p.payment_date, p.currency, quantize(as_decimal(p.open)))
            for p in receipts]
    rows += [CreditBalance("credit_note", n.number, n.issue_date, n.currency, n.amount) for n in notes]
    return sorted(rows, key=lambda r: (r.day, r.number), reverse=True)[:limit]


def open_invoices(customer, user, limit: int = 500) -> list[Invoice]:
    return list(scope(Invoice.objects.open(), user).filter(customer=customer).order_by("due_date", "number")[:limit])


def recent_payments(customer, user, limit: int = 10) -> list[Payment]:
    return list(scope(Payment.objects.all(), user).filter(customer=customer)
                .order_by("-payment_date", "number")[:limit])


# --- the AR reconciliation report (§10: 与财务部门建立应收款项定期对账机制) ------------------------------

TOLERANCE = Decimal("0.005")  # below half a fen a difference is SQLite's floating decimals, not money


@dataclass(frozen=True)
class ReconciliationRow:
    number: str
    customer_code: str
    customer_name: str
    currency: str
    amount: Decimal
    erp_open: Decimal
    derived_open: Decimal
    functional_difference: Decimal  # the difference in the functional currency, at the as-of date's rate

    @property
    def difference(self) -> Decimal:
        return self.erp_open - self.derived_open


@dataclass(frozen=True)
class CustomerDifference:
    customer_code: str
    customer_name: str
    invoices: int
    difference: Decimal  # in the functional currency


@dataclass(frozen=True)
class Reconciliation:
    """Every invoice whose ERP open amount differs from amount − allocations − credit notes, as of a date.
    A row's amounts are in the invoice's currency; the sums (per customer, in all) are in the functional
    currency (`currency`), each difference converted at the as-of date's rate (receivables.fx)."""

    as_of: date
    invoices_checked: int
    rows: list[ReconciliationRow]
    by_customer: list[CustomerDifference]
    currency: str

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def difference(self) -> Decimal:
        """All differences in the functional currency."""
        return sum((r.functional_difference for r in self.rows), ZERO)

    @property
    def difference_by_currency(self) -> dict[str, Decimal]:
        """The differences summed in each invoice currency, as they stand."""
        found: dict[str, Decimal] = {}
        for row in self.rows:
            found[row.currency] = found.get(row.currency, ZERO) + row.difference
        return dict(sorted(found.items()))


def _settled(model, date_field: str, as_of: date, after: bool):
    """What `model` (allocations, credit notes or write-offs) settled of the outer invoice up to `as_of`, or after it."""
    lookup = f"{date_field}__{'gt' if after else 'lte'}"
    rows = (model.objects.filter(invoice=OuterRef("pk"), **{lookup: as_of}).order_by().values("invoice")
            .annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def reconcilable(user, as_of: date) -> QuerySet:
    """The ERP-basis invoices issued by `as_of` that `user` may see, with their ERP open amount as it stood
    that day (today's plus what was paid or credited after it, as the cycle reads it) and the open amount the
    allocations and credit notes explain (amount − what was paid and credited by then, never below 0)."""
    invoices = Invoice.objects.filter(open_basis=OpenBasis.ERP, issue_date__lte=as_of)
    invoices = invoices if user is None else scope(invoices, user)  # None: a command, the whole book
    later = (_settled(PaymentAllocation, "payment__payment_date", as_of, True)
             + _settled(CreditNote, "issue_date", as_of, True) + _settled(WriteOff, "written_off_on", as_of, True))
    settled = (_settled(PaymentAllocation, "payment__payment_date", as_of, False)
               + _settled(CreditNote, "issue_date", as_of, False)
               + _settled(WriteOff, "written_off_on", as_of, False))
    return invoices.annotate(
        erp_open=Least(F("amount"), F("open_amount") + later, output_field=MONEY),
        derived_open=Greatest(F("amount") - settled, Value(ZERO), output_field=MONEY),
    ).annotate(difference=ExpressionWrapper(F("erp_open") - F("derived_open"), output_field=MONEY))


def reconciliation(user, as_of: date | None = None) -> Reconciliation:
    """The AR reconciliation report for `user` (rows and totals both scoped to what they may see)."""
    as_of = as_of or business_today()
    invoices = reconcilable(user, as_of)
    differing = invoices.exclude(difference__gt=-TOLERANCE, difference__lt=TOLERANCE)
    rates = rates_on(as_of)
    refuse_missing(differing.order_by().values_list("currency", flat=True).distinct(), rates)
    rows = []
    for r in differing.order_by("customer__code", "number").values(
            "number", "customer__code", "customer__name", "currency", "amount", "erp_open", "derived_open"):
        erp_open, derived_open = quantize(r["erp_open"]), quantize(r["derived_open"])
        rows.append(ReconciliationRow(r["number"], r["customer__code"], r["customer__name"], r["currency"],
                                      r["amount"], erp_open, derived_open,
                                      rates.to_functional(erp_open - derived_open, r["currency"])))
    return Reconciliation(as_of, invoices.count(), rows, _by_customer(rows), rates.functional)


def _by_customer(rows: list[ReconciliationRow]) -> list[CustomerDifference]:
    found: dict[str, list[ReconciliationRow]] = {}
    for row in rows:
        found.setdefault(row.customer_code, []).append(row)
    return [CustomerDifference(code, group[0].customer_name, len(group),
                               sum((r.functional_difference for r in group), ZERO))
            for code, group in sorted(found.items())]
