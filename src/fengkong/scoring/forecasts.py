"""The cash forecast a user may see: the company's (stored each cycle) for those who see every customer,
their portfolio's (summed from its invoices' week probabilities) for collectors and anyone scoped.

A collector's page must not show the company's totals any more than other portfolios' invoices: the
forecast is summed over the same scoped InvoicePrediction rows the invoice list shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from fengkong.core.money import from_fen, to_fen
from fengkong.core.permissions import scope, sees_all

from .choices import ModelUse
from .models import CashForecast, InvoicePrediction, ModelVersion
from .registry import champion

WEEKS = 13


@dataclass(frozen=True)
class Forecast:
    model: ModelVersion
    as_of: date
    open_amount: Decimal
    weeks: list[dict]        # week, start, end (ISO dates), expected_fen
    portfolio_only: bool     # summed over the user's portfolio, not the company's

    @property
    def expected_total(self) -> Decimal:
        return from_fen(sum(int(w["expected_fen"]) for w in self.weeks))


def forecast_for(user, as_of: date | None = None) -> Forecast | None:
    """The latest forecast (or that of `as_of`) of the payment-delay champion, as `user` may see it."""
    model = champion(ModelUse.PAYMENT_DELAY)
    if model is None:
        return None
    stored = CashForecast.objects.filter(model=model)
    stored = (stored.filter(as_of=as_of) if as_of else stored.order_by("-as_of")).first()
    if stored is None:
        return None
    if sees_all(user):
        return Forecast(model, stored.as_of, stored.open_amount, stored.weeks, portfolio_only=False)
    made = InvoicePrediction.objects.filter(model=model, as_of=stored.as_of)
    if not made.exists():  # predictions are replaced each cycle: an older day's cannot be split by portfolio
        return None
    rows = scope(made, user)
    expected = [0.0] * WEEKS
    for open_amount, p_weeks in rows.values_list("open_amount", "p_weeks").iterator(chunk_size=5000):
        fen = to_fen(open_amount)
        for k, p in enumerate((p_weeks or [])[:WEEKS]):
            expected[k] += fen * p
    weeks = [{"week": k + 1, "start": (stored.as_of + timedelta(days=7 * k + 1)).isoformat(),
              "end": (stored.as_of + timedelta(days=7 * (k + 1))).isoformat(), "expected_fen": round(e)}
             for k, e in enumerate(expected)]
    total = rows.aggregate(total=Sum("open_amount"))["total"] or Decimal("0.00")
    return Forecast(model, stored.as_of, total, weeks, portfolio_only=True)
