"""Helpers for dual-review tests: a change held by the credit analyst, decided by the risk manager."""

from __future__ import annotations

import pytest
from django.utils import translation

from fengkong.core import later as background
from fengkong.customers import actions
from fengkong.customers.models import Customer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def renamed(book, users):
    """The analyst renames Chongqing's first customer: the new legal name waits for review."""

    def _renamed(name: str = "重庆渝中精密机械集团有限公司", customer: Customer | None = None, actor=None):
        customer = Customer.objects.get(pk=(customer or book["customers"][0]).pk)
        customer.name = name
        actions.save_customer(actor=actor or users["credit_analyst"], customer=customer, via="admin")
        return customer.held_change

    return _renamed


@pytest.fixture
def queued(monkeypatch):
    """Re-assessments queued once their change commits (the task `credit.reassess`): (customer ids, trigger)."""
    calls = []
    monkeypatch.setitem(background.TASKS, "credit.reassess",
                        lambda ids, trigger, actor_id=None: calls.append((sorted(ids), trigger)))
    return calls
