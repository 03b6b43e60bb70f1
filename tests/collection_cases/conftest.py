"""Collections fixtures: a movable business date, a Chongqing and a Sichuan customer with overdue invoices,
and helpers to pay an invoice (a receipt allocated to it) and to run the night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.cycle.actions import run_cycle
from fengkong.receivables.models import Invoice, Payment, PaymentAllocation

DUE = date(2026, 6, 1)


def day(n: int) -> date:
    """The business date `n` days after DUE."""
    return DUE + timedelta(days=n)


@dataclass
class Clock:
    today: date


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The business date the pages and actions see; tests move it with `clock.today = ...`."""
    now = Clock(day(40))
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: now.today)
    return now


@pytest.fixture(autouse=True)
def send_now(monkeypatch):
    monkeypatch.setattr("fengkong.cycle.actions.SEND_NOW", True)


def invoice(customer, number: str, due: date = DUE, amount: str = "10000.00", open_amount: str | None = None):
    value = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=due - timedelta(days=30),
                                  due_date=due, amount=value,
                                  open_amount=value if open_amount is None else Decimal(open_amount))


def pay(invoice: Invoice, amount: str, on: date, number: str | None = None) -> Payment:
    """A receipt of `amount` on `on`, allocated to `invoice` (whose open amount drops by it)."""
    value = Decimal(amount)
    payment = Payment.objects.create(number=number or f"RC-{invoice.number}-{on:%m%d}-{value}",
                                     customer=invoice.customer, payment_date=on, amount=value)
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=value)
    Invoice.objects.filter(pk=invoice.pk).update(open_amount=invoice.open_amount - value)
    invoice.refresh_from_db()
    return payment


def night(as_of: date, **options):
    return run_cycle(as_of=as_of, **options)


@pytest.fixture
def cq(portfolios):
    return make_customer("C000201", "500103", portfolios["CQ"], name="重庆两江机电有限公司")


@pytest.fixture
def sc(portfolios):
    return make_customer("C000202", "510100", portfolios["SC"], name="成都高新电子有限公司")


@pytest.fixture
def ledger(users, cq, sc, clock):
    """CQ owes two overdue invoices (10,000 due DUE, 4,000 due DUE+20) and one not yet due; SC one overdue."""
    return {
        "a1": invoice(cq, "CL-A1"),
        "a2": invoice(cq, "CL-A2", due=day(20), amount="4000.00"),
        "a3": invoice(cq, "CL-A3", due=day(100), amount="7000.00"),
        "b1": invoice(sc, "CL-B1", due=day(-70), amount="30000.00"),
    }
