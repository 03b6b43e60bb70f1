"""Monitoring fixtures: a recorder standing in for the notifications outbox, and a small Chongqing customer.

`notified` records every notify() call the cycle makes (alert, audience, template, recipients), so the
tests can say "this happened exactly once" without depending on the channels.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.customers.models import Contact
from fengkong.receivables.models import Invoice

DUE = date(2026, 6, 1)


@dataclass
class Recorder:
    calls: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, **kwargs) -> int:
        with self.lock:
            self.calls.append(kwargs)
        return len(kwargs.get("users") or ()) + (1 if kwargs.get("customer_contact") else 0)

    def templates(self) -> list[str]:
        return sorted(c["template"] for c in self.calls)

    def of(self, template: str) -> list[dict]:
        return [c for c in self.calls if c["template"] == template]


@pytest.fixture(autouse=True)
def send_now(monkeypatch):
    """Messages are sent inside run_cycle here; in production a worker sends them after commit."""
    monkeypatch.setattr("fengkong.cycle.actions.SEND_NOW", True)


@pytest.fixture
def notified(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("fengkong.monitoring.dispatch.notify", recorder)
    monkeypatch.setattr("fengkong.monitoring.actions.notify", recorder)
    return recorder


@pytest.fixture
def customer(portfolios):
    cq = make_customer("C000101", "500103", portfolios["CQ"], name="重庆两江机电有限公司")
    Contact.objects.create(customer=cq, name="王会计", email="wang@example.cn", phone="023-1234567", is_primary=True)
    return cq


def invoice(customer, number: str, due: date = DUE, amount: str = "10000.00", open_amount: str | None = None):
    amount_ = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=due - timedelta(days=30),
                                  due_date=due, amount=amount_,
                                  open_amount=amount_ if open_amount is None else Decimal(open_amount))


def day(n: int) -> date:
    """The business date `n` days after DUE."""
    return DUE + timedelta(days=n)
