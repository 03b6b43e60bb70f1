"""The payment-delay model on the database's ledger: read it whole up to a day, train, predict.

Bulk, as `scoring.dataset`: one query per table (invoices, receipts, credit notes, statements) cut at the
day, the customers once; the pure code in `fengkong.engine.modelling.delay` does the rest and cuts again
at each observation date, so nothing after a date reaches its features.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
from django.utils import timezone

from fengkong.customers.models import Customer
from fengkong.engine.modelling import delay, ledger
from fengkong.engine.modelling.exceptions import ModellingError

from .dataset import last_date, read_customers, read_ledger_through

Progress = Callable[[str, int, int], None]


def read_ledger_until(as_of: date) -> ledger.LedgerFrames:
    """Every invoice, receipt, credit note and statement dated up to `as_of`, and every customer."""
    return read_ledger_through(as_of, as_of, read_customers())


def train_from_db(as_of: date | None = None, progress: Progress | None = None, *,
                  params: dict | None = None) -> delay.TrainedDelay:
    """Train on the ledger up to `as_of` (default: the ledger's last business date), with the back-test."""
    as_of = as_of or last_date()
    if as_of is None:
        raise ModellingError("The ledger is empty (no invoice, receipt or credit note): there is nothing to learn from.")
    return delay.train_delay(read_ledger_until(as_of), created_at=timezone.now(), as_of=as_of, progress=progress,
                             params=params, source="database", groups=portfolio_groups())


def portfolio_groups() -> dict[str, list[int]]:
    """Each portfolio's id (as text) with its customers' ids: the back-test is stored per portfolio as well,
    so a collector sees their portfolio's part of it and not the company's (scoring.views.cash_forecast)."""
    groups: dict[str, list[int]] = {}
    for customer_id, portfolio_id in (Customer.objects.filter(portfolio__isnull=False).order_by("pk")
                                      .values_list("pk", "portfolio_id").iterator(chunk_size=10000)):
        groups.setdefault(str(portfolio_id), []).append(customer_id)
    return groups


def predict_open_from_db(model: delay.DelayModel, as_of: date) -> pl.DataFrame:
    """The model's prediction for every invoice open at the end of `as_of` (see DelayModel.predict)."""
    return model.predict(delay.open_invoices(read_ledger_until(as_of), as_of), as_of)
