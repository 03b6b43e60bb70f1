"""The recovery rate of the loss rates: from the legal cases closed within the look-back when there are enough
of them (recovered of principal, at most the principal per case), else the policy's value; the run and the
page say which."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from fengkong.legal.models import LegalCase
from fengkong.provisions import actions

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def closed_case(customer, n: int, principal: str, recovered: str, closed_on=date(2026, 3, 1)) -> LegalCase:
    return LegalCase.objects.create(number=f"FW-T-{n}", customer=customer, origin="person", currency="CNY",
                                    principal=Decimal(principal), recovered=Decimal(recovered), stage="closed",
                                    outcome="partly", closed_on=closed_on)


def test_too_few_closed_cases_leave_the_policy_rate(worked_book, policy):
    closed_case(worked_book[1], 1, "1000.00", "900.00")
    computed = actions.compute(AS_OF)
    assert computed.recovery.source == "policy" and computed.recovery.cases == 1
    assert computed.result.matrix.recovery_rate == pytest.approx(0.2)


def test_closed_legal_cases_give_the_recovery_rate(worked_book, policy, finance_pair):
    closed_case(worked_book[1], 1, "1000.00", "300.00")
    closed_case(worked_book[2], 2, "2000.00", "100.00")
    closed_case(worked_book[3], 3, "1000.00", "5000.00")   # counts as its principal
    closed_case(worked_book[3], 4, "1000.00", "1000.00", closed_on=date(2025, 1, 1))  # before the look-back
    computed = actions.compute(AS_OF)
    assert computed.recovery.source == "cases" and computed.recovery.cases == 3
    rate = (300 + 100 + 1000) / 4000
    assert computed.result.matrix.recovery_rate == pytest.approx(rate)
    # loss rate of the last bucket (default) is 1 − recovery; the others scale with it
    assert computed.result.matrix.loss_rates[-1] == pytest.approx(1 - rate)
    run = actions.propose_run(actor=finance_pair[0], as_of=AS_OF, computed=computed)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(finance_pair[1])
    page = client.get(f"/provisions/{run.pk}/").content.decode()
    assert "from 3 closed legal cases" in page and "35.0%" in page
    detail = client.get(f"/api/v1/provisions/runs/{run.pk}").json()
    assert detail["recovery_source"] == "cases" and detail["recovery_cases"] == 3
