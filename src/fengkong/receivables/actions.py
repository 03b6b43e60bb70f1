"""State changes of the ledger's reference data: exchange rates (docs/currencies.md).

The ledger itself (invoices, payments and their allocations, credit notes, sales orders) is written by
imports (integrations.importer and its writers, audited per batch) and, for the odd correction, in the
Django admin, where core.admin.AuditedModelAdmin writes each save's audit event with the fields before and
after. Exchange rates come by import (kind fx-rates) or one at a time from finance through
`save_fx_rate`: `receivables.manage_fxrate`, one transaction, the event `fx_rate.created` / `fx_rate.changed`
with the rate before and after; nothing is written when nothing changed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengkong.core import currencies
from fengkong.core.audit import record
from fengkong.core.permissions import require

from .models import FxRate

MAX_RATE = Decimal("1e12")


def clean_rate(value) -> Decimal:
    """A rate above 0, below 10^12, with at most 8 decimal places."""
    try:
        rate = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"rate": _("not a rate: %(value)s") % {"value": value}}) from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationError({"rate": _("a rate must be more than zero, not %(value)s") % {"value": value}})
    if rate >= MAX_RATE or rate != rate.quantize(Decimal("1e-8")):
        raise ValidationError({"rate": _("a rate has at most 12 digits before and 8 after the point: %(value)s")
                               % {"value": value}})
    return rate


def clean_currency(value) -> str:
    """An ISO code other than the functional currency (names and unambiguous signs accepted)."""
    code = currencies.normalise(value)
    if code is None:
        raise ValidationError({"currency": currencies.problem(str(value or ""))})
    if code == currencies.functional_currency():
        raise ValidationError({"currency": _("this is the functional currency (%(code)s): its rate is always 1")
                               % {"code": code}})
    return code


@transaction.atomic(durable=True)
def save_fx_rate(*, actor, day: date, currency: str, rate, source: str = "") -> FxRate:
    """Add the rate of `currency` on `day`, or correct the one stored (audited, before and after)."""
    require(actor, "receivables.manage_fxrate")
    currency, rate, source = clean_currency(currency), clean_rate(rate), str(source or "").strip()[:80]
    stored = FxRate.objects.select_for_update().filter(date=day, currency=currency).first()
    if stored is not None and stored.rate == rate and stored.source == source:
        return stored
    before = {"rate": str(stored.rate), "source": stored.source} if stored else None
    fx = stored or FxRate(date=day, currency=currency)
    fx.rate, fx.source = rate, source
    fx.save()
    record(actor, "fx_rate.changed" if stored else "fx_rate.created", "fxrate", fx.pk, before=before,
           after={"date": day.isoformat(), "currency": currency, "rate": str(rate), "source": source})
    return fx
