"""A customer's live credit figures: limit, exposure and what is still available, with the flags that
stop an order.

Design decisions:
- Exposure = open receivables + open sales orders (imported from the ERP) + reserved credit checks.
  An imported order whose number is the reference of a reserved check is counted once, as the check.
- Everything comes from ONE query: the customer row, its credit profile, one pass over its open invoices
  (receivables, overdue, the oldest overdue due date) and scalar subqueries (open orders, reservations,
  the stop-supply flag, a valid secured guarantee). The credit check runs it on every sales order, so it
  is one round trip and its SQL is written once (see _standing_sql); `standing_many` is the ORM twin.
- Money is Decimal; `available` may be negative (already over the limit); `utilisation_percent` is None
  when there is no limit to measure against.
- Knock-outs (the policy's `knockouts`: an open item in the danger zone, stop-supply, litigation, the
  blacklist) are listed in `knockouts`; while one applies nothing is available: `available` is at most 0
  (the overdraft stays visible when already over the limit) for the page, the API and the credit check.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateField, DecimalField, Exists, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from fengkong.core.money import MAX_DIGITS, PLACES, from_fen, quantize
from fengkong.customers.models import Customer
from fengkong.monitoring.choices import Zone
from fengkong.monitoring.models import ItemZone, StopSupply
from fengkong.receivables.choices import OrderStatus
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.fx import Rates, rates_on, refuse_missing
from fengkong.receivables.models import Invoice, SalesOrder

from . import policy as policy_module
from .choices import ACTIVE_CHECK_STATUSES, SECURED_KINDS
from .models import CreditCheck, CreditProfile, Guarantee
from .reasons import knockout_text

ZERO = Decimal("0.00")
OPEN_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.PARTIAL)  # as SalesOrderQuerySet.open()


@dataclass(frozen=True)
class Standing:
    customer_id: int
    limit: Decimal
    receivables: Decimal
    open_orders: Decimal
    reserved: Decimal
    exposure: Decimal
    available: Decimal
    utilisation_percent: Decimal | None
    max_days_overdue: int
    overdue_amount: Decimal
    stop_supply: bool
    blacklisted: bool
    litigation: bool
    grade: str
    term_days: int
    next_review: date | None
    review_expired: bool
    owner_id: int | None
    owner: str              # the accountable owner's username, "" when nobody answers for the limit yet
    secured: bool           # a valid collateral or third-party guarantee (what grade C needs)
    customer_status: str
    as_of: date
    danger_zone: bool = False   # an open item in monitoring's danger zone (at the last cycle)
    knockouts: tuple[str, ...] = ()  # the policy's knock-outs that apply (credit.policy.KNOCKOUTS)

    @property
    def blocked(self) -> bool:
        return bool(self.knockouts)

    @property
    def block_reason(self) -> str:
        """The knock-outs that apply, in words of the active language ("" when none)."""
        return knockout_text(self.knockouts)

    @property
    def headroom(self) -> Decimal:
        """Limit less exposure, whatever knock-out applies (what the limit alone would leave)."""
        return self.limit - self.exposure

    @property
    def over_limit(self) -> bool:
        return self.available < 0

    def with_order(self, amount: Decimal) -> Decimal:
        """What would be available after reserving `amount`."""
        return self.available - amount


def _money() -> DecimalField:
    return DecimalField(max_digits=MAX_DIGITS, decimal_places=PLACES)


def _sum(queryset, field: str) -> Coalesce:
    """A correlated SUM over `queryset` (already filtered on customer=OuterRef('pk')), 0 when empty."""
    total = queryset.order_by().values("customer").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=_money()), Value(ZERO), output_field=_money())


def _converted_sum(queryset, field: str, rates: Rates) -> Coalesce:
    """A correlated SUM of `field` in the functional currency, each row rounded to the fen (as the SQL twin)."""
    return _sum(queryset.annotate(f_functional=Round(rates.converted(field), 2)), "f_functional")


def _annotated(customers, today: date, rates: Rates, exclude_reference: str | None = None):
    mine = {"customer": OuterRef("pk")}
    open_items = Invoice.objects.filter(**mine, open_amount__gt=0)
    checked = CreditCheck.objects.filter(reference=OuterRef("number"), customer=OuterRef("customer"),
                                         status__in=ACTIVE_CHECK_STATUSES)
    orders = SalesOrder.objects.open().filter(**mine).exclude(Exists(checked))
    if exclude_reference:
        orders = orders.exclude(number=exclude_reference)
    oldest = (open_items.filter(due_date__lt=today).order_by().values("customer")
              .annotate(d=Min("due_date")).values("d"))
    secured = Guarantee.objects.filter(**mine, kind__in=SECURED_KINDS, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return customers.annotate(
        f_receivables=_converted_sum(open_items, "open_amount", rates),
        f_overdue=_converted_sum(open_items.filter(due_date__lt=today), "open_amount", rates),
        f_oldest_due=Subquery(oldest, output_field=DateField()),
        f_orders=_converted_sum(orders, "open_amount", rates),
        f_reserved=_sum(CreditCheck.objects.filter(**mine, status__in=ACTIVE_CHECK_STATUSES), "functional_amount"),
        f_stop=Exists(StopSupply.objects.filter(**mine, active=True)),
        f_danger=Exists(ItemZone.objects.filter(**mine, zone__gte=Zone.DANGER)),
        f_secured=Exists(secured),
        f_limit=F("credit__limit"), f_grade=F("credit__grade"), f_term=F("credit__term_days"),
        f_next_review=F("credit__next_review"), f_blacklisted=F("credit__blacklisted"),
        f_litigation=F("credit__litigation"), f_owner_id=F("credit__owner_id"),
        f_owner=F("credit__owner__username"),
    ).values("pk", "status", "f_receivables", "f_overdue", "f_oldest_due", "f_orders", "f_reserved", "f_stop",
             "f_secured", "f_limit", "f_grade", "f_term", "f_next_review", "f_blacklisted", "f_litigation",
             "f_owner_id", "f_owner", "f_danger")


def _decimal(value) -> Decimal:
    # SQLite hands back int or float for a SUM of decimals; str() keeps what it printed, not binary noise
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _knockouts(row: dict, on: tuple[str, ...]) -> tuple[str, ...]:
    present = {"danger_zone": row["f_danger"], "stop_supply": row["f_stop"], "litigation": row["f_litigation"],
               "blacklist": row["f_blacklisted"]}
    return tuple(name for name in on if present.get(name))


def _knockouts_on() -> tuple[str, ...]:
    return policy_module.current().knockouts  # cached per version: one small query


def _standing(row: dict, today: date, knockouts_on: tuple[str, ...]) -> Standing:
    limit = _decimal(row["f_limit"])
    receivables, orders, reserved = (_decimal(row[k]) for k in ("f_receivables", "f_orders", "f_reserved"))
    exposure = receivables + orders + reserved
    utilisation = quantize(exposure * 100 / limit) if limit > 0 else None
    oldest, next_review = _day(row["f_oldest_due"]), _day(row["f_next_review"])
    knockouts = _knockouts(row, knockouts_on)
    available = min(limit - exposure, ZERO) if knockouts else limit - exposure
    return Standing(
        customer_id=row["pk"], limit=limit, receivables=receivables, open_orders=orders, reserved=reserved,
        exposure=exposure, available=available, utilisation_percent=utilisation,
        max_days_overdue=(today - oldest).days if oldest else 0, overdue_amount=_decimal(row["f_overdue"]),
        stop_supply=bool(row["f_stop"]), blacklisted=bool(row["f_blacklisted"]), litigation=bool(row["f_litigation"]),
        grade=row["f_grade"] or "", term_days=row["f_term"] or 0, next_review=next_review,
        review_expired=next_review is not None and next_review < today, owner_id=row["f_owner_id"],
        owner=row["f_owner"] or "", secured=bool(row["f_secured"]), customer_status=row["status"], as_of=today,
        danger_zone=bool(row["f_danger"]), knockouts=knockouts,
    )


def standing(customer, today: date, *, exclude_reference: str | None = None,
             knockouts: tuple[str, ...] | None = None, rates: Rates | None = None) -> Standing:
    """The customer's figures on `today` (one query), in the functional currency at `rates` (default
    `today`'s, one more small query; an amount without a rate raises MissingRate). `exclude_reference`:
    leave out an imported open order with this number (the order being checked is added by the caller).
    `knockouts`: the knock-outs the policy turns on (None: those of the policy in force, one more small
    query)."""
    pk = getattr(customer, "pk", customer)
    rates = rates or rates_on(today)
    day = connection.ops.adapt_datefield_value(today)
    active = [str(status) for status in ACTIVE_CHECK_STATUSES]  # plain str: psycopg dumps an Enum by name
    orders = [*(str(s) for s in OPEN_ORDER_STATUSES), exclude_reference or "", *active]  # the order filter's
    params = [*orders, *active, True, *(str(k) for k in SECURED_KINDS), day, day, int(Zone.DANGER), *orders,
              day, day, pk, pk]
    with connection.cursor() as cursor:
        cursor.execute(_standing_sql(connection.vendor, rates), params)
        row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no customer with id {pk}")
    *row, unconverted = row
    if unconverted:
        raise MissingRate(unconverted, today)
    values = dict(zip(FIELDS, row, strict=True))
    values.update({key: from_fen(int(values[key])) for key in FEN_FIELDS})
    return _standing(values, today, _knockouts_on() if knockouts is None else knockouts)


FIELDS = ("pk", "status", "f_receivables", "f_overdue", "f_oldest_due", "f_orders", "f_reserved", "f_stop",
          "f_secured", "f_limit", "f_grade", "f_term", "f_next_review", "f_blacklisted", "f_litigation",
          "f_owner_id", "f_owner", "f_danger")


def _standing_sql(vendor: str, rates: Rates) -> str:
    return _standing_sql_for(vendor, rates.functional, tuple(sorted(rates.by_currency.items())))


# The columns the SQL twin sums in functional fen (converted per row, as the cycle does).
FEN_FIELDS = ("f_receivables", "f_overdue", "f_orders")


@functools.lru_cache(maxsize=64)
def _standing_sql_for(vendor: str, functional: str, by_currency: tuple) -> str:
    """The hot-path query, written once: building the same query with the ORM on every credit check cost
    more CPU than the database spent running it. `standing_many` (ORM) is its twin; the tests hold them
    equal. One pass over the customer's open invoices gives receivables, overdue and the oldest due date.
    Money is converted per row to functional fen (receivables.fx, the day's rates written in as Decimal
    literals); the last column names a currency of an open invoice or order that has no rate."""
    rates = Rates(date.min, functional, dict(by_currency))
    t = {name: connection.ops.quote_name(model._meta.db_table) for name, model in {
        "customer": Customer, "profile": CreditProfile, "user": get_user_model(), "invoice": Invoice,
        "order": SalesOrder, "check": CreditCheck, "stop": StopSupply, "guarantee": Guarantee,
        "zone": ItemZone}.items()}
    statuses = ", ".join(["%s"] * len(ACTIVE_CHECK_STATUSES))
    open_orders = ", ".join(["%s"] * len(OPEN_ORDER_STATUSES))
    secured = ", ".join(["%s"] * len(SECURED_KINDS))
    inv_fen, order_fen = rates.sql_fen("i.open_amount", "i.currency"), rates.sql_fen("o.open_amount", "o.currency")
    order_filter = f"""FROM {t["order"]} o
            WHERE o.customer_id = c.id AND o.open_amount > 0 AND o.status IN ({open_orders}) AND o.number <> %s
              AND NOT EXISTS (SELECT 1 FROM {t["check"]} k WHERE k.reference = o.number
                              AND k.customer_id = o.customer_id AND k.status IN ({statuses}))"""  # noqa: S608 - quoted table names and placeholder lists only  # nosec B608
    # only quoted table names, placeholder lists and the rates (codes and Decimals) are formatted in; every
    # value is a parameter
    return f"""
SELECT c.id, c.status, COALESCE(inv.receivables, 0), COALESCE(inv.overdue, 0), inv.oldest,
  COALESCE((SELECT SUM({order_fen}) {order_filter}), 0),
  COALESCE((SELECT SUM(k.functional_amount) FROM {t["check"]} k WHERE k.customer_id = c.id AND k.status IN ({statuses})), 0),
  EXISTS (SELECT 1 FROM {t["stop"]} s WHERE s.customer_id = c.id AND s.active = %s),
  EXISTS (SELECT 1 FROM {t["guarantee"]} g WHERE g.customer_id = c.id AND g.kind IN ({secured})
          AND g.valid_from <= %s AND (g.valid_until IS NULL OR g.valid_until >= %s)),
  p."limit", p.grade, p.term_days, p.next_review, p.blacklisted, p.litigation, p.owner_id, u.username,
  EXISTS (SELECT 1 FROM {t["zone"]} z WHERE z.customer_id = c.id AND z.zone >= %s),
  COALESCE(inv.no_rate, (SELECT MAX({_no_rate(rates, "o")}) {order_filter}))
FROM {t["customer"]} c
LEFT JOIN {t["profile"]} p ON p.customer_id = c.id
LEFT JOIN {t["user"]} u ON u.id = p.owner_id
LEFT JOIN (SELECT SUM({inv_fen}) AS receivables,
                  SUM(CASE WHEN i.due_date < %s THEN {inv_fen} ELSE 0 END) AS overdue,
                  MIN(CASE WHEN i.due_date < %s THEN i.due_date END) AS oldest,
                  MAX({_no_rate(rates, "i")}) AS no_rate
           FROM {t["invoice"]} i WHERE i.customer_id = %s AND i.open_amount > 0) inv ON 1 = 1
WHERE c.id = %s"""  # noqa: S608 - only quoted table names, placeholder lists and Decimal rates are formatted in; every value is a parameter  # nosec B608


def _no_rate(rates: Rates, alias: str) -> str:
    """SQL: the row's currency when it has no rate, else NULL (MAX of it names one)."""
    return f"CASE WHEN ({rates.sql_factor(f'{alias}.currency')}) IS NULL THEN {alias}.currency END"


def standing_many(customer_ids: Iterable[int], today: date) -> dict[int, Standing]:
    """Figures of many customers in one query (lists, the sales page); missing ids are left out."""
    rates = rates_on(today)
    customers = Customer.objects.filter(pk__in=list(customer_ids))
    for model in (Invoice, SalesOrder):
        refuse_missing(model.objects.filter(customer__in=customers, open_amount__gt=0).order_by()
                       .values_list("currency", flat=True).distinct(), rates)
    rows = _annotated(customers, today, rates)
    on = _knockouts_on()
    return {row["pk"]: _standing(row, today, on) for row in rows}
