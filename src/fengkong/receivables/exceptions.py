"""Why a change to the ledger, or a conversion of it, is refused: the receivables errors.

Each has a message written for a credit manager.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _


class ReceivablesError(Exception):
    """Base of the receivables errors."""


class MissingRate(ReceivablesError):
    """No exchange rate of `currency` on or before `as_of`: amounts in it cannot be converted."""

    def __init__(self, currency: str, as_of: date):
        self.currency, self.as_of = currency, as_of
        super().__init__(_("No exchange rate for %(currency)s on or before %(date)s: amounts in %(currency)s "
                           "cannot be converted to %(functional)s. Import the rates (fengkong import fx-rates "
                           "FILE) or add one on the exchange-rates page.")
                         % {"currency": currency, "date": as_of.isoformat(), "functional": settings.FUNCTIONAL_CURRENCY})

