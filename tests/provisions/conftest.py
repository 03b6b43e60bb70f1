"""The worked book of tests/engine/test_provisions.py in the database: seven invoices, three month-ends
(January–March 2026), five buckets, the write-off of invoice 3 booked as a receipt (the ledger has no
write-offs yet)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from tests.conftest import make_customer, make_user
from tests.engine.test_provisions import BOOK, EVENTS

from fengkong.accounts.choices import Role
from fengkong.provisions import actions
from fengkong.receivables.models import Invoice, Payment, PaymentAllocation

AS_OF = date(2026, 3, 31)
POLICY = {"edges": [0, 30, 60, 90], "lookback_months": 2, "recovery_rate": "0.2", "scenarios": []}


def fen(value: int) -> Decimal:
    return Decimal(value) / 100


@pytest.fixture
def worked_book(portfolios):
    customers = {1: make_customer("C000001", "500103", portfolios["CQ"], name="=HYPERLINK(\"x\")重庆公司"),
                 2: make_customer("C000002", "500112", portfolios["CQ"]),
                 3: make_customer("C000003", "510100", portfolios["SC"])}
    invoices = {}
    for number, customer, issued, due, amount, open_now in BOOK:
        invoices[number] = Invoice.objects.create(number=f"AR{number:04d}", customer=customers[customer],
                                                  issue_date=issued, due_date=due, amount=fen(amount),
                                                  open_amount=fen(open_now))
    for n, (number, day, amount, _written_off) in enumerate(EVENTS):
        invoice = invoices[number]
        payment = Payment.objects.create(number=f"RC{n:04d}", customer=invoice.customer, payment_date=day,
                                         amount=fen(amount))
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=fen(amount))
    return customers


@pytest.fixture
def finance_pair(users, roles):
    return users[Role.FINANCE], make_user("finance2", Role.FINANCE, roles)


@pytest.fixture
def policy(finance_pair):
    return actions.publish_policy(actor=finance_pair[0], config=POLICY, note="worked example")


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English; the zh-hans catalogue translates them (a test may override it)."""
    with translation.override("en"):
        yield
