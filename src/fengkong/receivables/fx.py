"""Conversion to the functional currency: the one place every threshold, limit, exposure and sum gets its
rates from (docs/currencies.md).

The rule for a day's rate: the latest FxRate of the currency on or before that day. When there is none,
conversion is refused with MissingRate, naming the currency and the day: an amount is never silently taken
to be in the functional currency. The functional currency's rate is 1.

Design decisions:
- `rates_on(as_of)` reads the rates of that day in one query (the table is small: a row per day and
  currency); a `Rates` converts Decimal amounts, builds the SQL expression the cycle's bulk reads use, and
  converts polars columns, so no caller writes its own conversion.
- The SQL expression is a CASE over the few currencies that have a rate; a currency without one gives
  NULL, which the caller turns into MissingRate (`refuse_missing`). A book in the functional currency alone
  gets `amount * 100` back unchanged: it costs nothing.
- Converted amounts are rounded to the fen per amount converted (per item in the cycle, per currency sum on
  pages); an invoice's own currency and amount are never changed or stored converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from fengkong.core.currencies import functional_currency
from fengkong.core.money import MAX_DIGITS, PLACES, quantize, to_fen

from .exceptions import MissingRate
from .models import FxRate

CODE = re.compile(r"^[A-Z]{3}$")
# The amount refuse_unconverted looks at first: the open one where a table has it.
_AMOUNT_OF = {"receivables_invoice": "open_amount", "receivables_salesorder": "open_amount"}


@dataclass(frozen=True)
class Rates:
    """The rates of one day: currency → units of the functional currency per unit."""

    as_of: date
    functional: str
    by_currency: dict[str, Decimal] = field(default_factory=dict)

    def rate(self, currency: str) -> Decimal:
        if currency == self.functional:
            return Decimal(1)
        try:
            return self.by_currency[currency]
        except KeyError:
            raise MissingRate(currency, self.as_of) from None

    def to_functional(self, amount: Decimal, currency: str) -> Decimal:
        """`amount` in `currency` as functional currency, to the fen; MissingRate when there is no rate."""
        return quantize(Decimal(amount) * self.rate(currency))

    def fen(self, amount: Decimal, currency: str) -> int:
        return to_fen(Decimal(amount) * self.rate(currency))

    def sql_factor(self, currency_sql: str) -> str:
        """SQL for the functional fen per unit of the row's currency; NULL for a currency without a rate.
        Only codes matching [A-Z]{3} and Decimal rates are written into it."""
        if not self.by_currency:
            return f"CASE WHEN {currency_sql} = '{self._code(self.functional)}' THEN 100 END"
        whens = " ".join(f"WHEN '{self._code(c)}' THEN {Decimal(r) * 100:f}" for c, r in sorted(self.by_currency.items()))
        return f"CASE {currency_sql} WHEN '{self._code(self.functional)}' THEN 100 {whens} END"

    def sql_fen(self, amount_sql: str, currency_sql: str) -> str:
        """SQL for `amount_sql` in functional fen (BIGINT), rounded per row; NULL for a currency without a rate."""
        return f"CAST(ROUND({amount_sql} * {self.sql_factor(currency_sql)}) AS BIGINT)"

    def sql_unconverted(self, currency_sql: str) -> str:
        """SQL that is 1 for a row whose currency has no rate, else 0: SUM it next to the converted sums and
        call `refuse_unconverted` when it is not 0 (SUM skips the NULLs silently)."""
        return f"CASE WHEN ({self.sql_factor(currency_sql)}) IS NULL THEN 1 ELSE 0 END"

    def refuse_unconverted(self, table: str) -> None:
        """Some amount of `table` (ours: a currency column) had no rate: MissingRate naming the currency.
        Runs only after a conversion came back NULL; the currencies of open amounts are named first."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT currency, MAX({_AMOUNT_OF.get(table, 'amount')}) FROM {table} GROUP BY currency")  # noqa: S608 - our own table and column names  # nosec B608
            found = sorted(cursor.fetchall(), key=lambda row: (not row[1], row[0]))
        for currency, _most in found:
            self.rate(currency)

    def converted(self, field_name: str) -> Case:
        """ORM expression: `field_name` (of a row with a `currency`) in the functional currency; NULL for a
        currency without a rate, so the caller refuses those first (`refuse_missing`)."""
        money = DecimalField(max_digits=MAX_DIGITS + 8, decimal_places=PLACES + 8)
        whens = [When(currency=self.functional, then=ExpressionWrapper(F(field_name), output_field=money))]
        whens += [When(currency=c, then=ExpressionWrapper(F(field_name) * Value(r, output_field=money),
                                                          output_field=money))
                  for c, r in sorted(self.by_currency.items())]
        return Case(*whens, default=None, output_field=money)

    def total(self, queryset: QuerySet, field_name: str) -> Decimal:
        """SUM of `field_name` over `queryset`, each currency's sum converted (one grouped query)."""
        rows = queryset.order_by().values("currency").annotate(s=Sum(field_name)).values_list("currency", "s")
        return sum((self.to_functional(as_decimal(s), c) for c, s in rows), Decimal("0.00"))

    @staticmethod
    def _code(code: str) -> str:
        if not CODE.match(code):
            raise ValueError(f"not a currency code: {code!r}")
        return code


def as_decimal(value) -> Decimal:
    """A database sum as Decimal (SQLite may answer a float or None)."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def rates_on(as_of: date) -> Rates:
    """The rate of every currency that has one on or before `as_of` (the latest such), in one query."""
    latest = (FxRate.objects.filter(currency=OuterRef("currency"), date__lte=as_of).order_by()
              .values("currency").annotate(d=Max("date")).values("d"))
    rows = FxRate.objects.filter(date__lte=as_of, date=Subquery(latest)).values_list("currency", "rate")
    functional = functional_currency()
    return Rates(as_of, functional, {c: Decimal(r) for c, r in rows if c != functional})


def refuse_missing(currencies, rates: Rates) -> None:
    """MissingRate for the first of `currencies` that `rates` cannot convert."""
    for currency in sorted(set(currencies)):
        rates.rate(currency)


def to_functional(amount: Decimal, currency: str, as_of: date) -> Decimal:
    """One amount converted at `as_of`'s rate (for many, take `rates_on` once)."""
    return rates_on(as_of).to_functional(amount, currency)

