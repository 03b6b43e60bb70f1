"""Shared fixtures: the roles, two portfolios (Chongqing, Sichuan), one user per role, and a small book.

Personas: every role has a user named after it; the collector works the Chongqing portfolio and the
sales user the Sichuan one, so scoping can be checked both ways.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from fengkong.accounts.choices import PortfolioKind, Role
from fengkong.accounts.models import Portfolio
from fengkong.accounts.roles import ensure_roles
from fengkong.core import uscc
from fengkong.customers.models import Customer
from fengkong.receivables.models import Invoice

PASSWORD = "Correct-horse-9"
AS_OF = date(2026, 11, 28)


@pytest.fixture
def roles(db):
    return ensure_roles()


@pytest.fixture
def portfolios(db):
    cq = Portfolio.objects.create(code="CQ", name="重庆", kind=PortfolioKind.REGION, region_prefixes="50")
    sc = Portfolio.objects.create(code="SC", name="四川", kind=PortfolioKind.REGION, region_prefixes="51")
    return {"CQ": cq, "SC": sc}


def make_user(username: str, role: str | None, groups, portfolios=()):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                is_staff=role in {Role.ADMIN, Role.AUDITOR})
    if role:
        user.groups.add(groups[role])
    for portfolio in portfolios:
        portfolio.members.add(user)
    return user


@pytest.fixture
def users(roles, portfolios):
    """One user per role, named after the role; plus `nobody` with no role."""
    made = {}
    for role in Role.values:
        scoped = {Role.COLLECTOR: [portfolios["CQ"]], Role.SALES: [portfolios["SC"]]}.get(role, [])
        made[role] = make_user(role, role, roles, scoped)
    made["nobody"] = make_user("nobody", None, roles)
    return made


def make_customer(code: str, region: str, portfolio=None, **extra) -> Customer:
    credit = uscc.make("9", "1", region, f"{int(code[1:]):08d}")
    return Customer.objects.create(code=code, name=extra.pop("name", f"测试客户{code}有限公司"),
                                   credit_code=credit, region=region, industry=extra.pop("industry", "C"),
                                   portfolio=portfolio, **extra)


def make_invoice(customer, number: str, amount="10000.00", open_amount=None, days_overdue=0) -> Invoice:
    due = AS_OF - timedelta(days=days_overdue)
    amount = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=due - timedelta(days=30),
                                  due_date=due, amount=amount,
                                  open_amount=amount if open_amount is None else Decimal(open_amount))


@pytest.fixture
def book(portfolios):
    """Two customers in Chongqing, one in Chengdu, each with invoices in several aging buckets."""
    cq1 = make_customer("C000001", "500103", portfolios["CQ"], name="重庆渝中精密机械有限公司")
    cq2 = make_customer("C000002", "500112", portfolios["CQ"], industry="E")
    sc1 = make_customer("C000003", "510100", portfolios["SC"], name="成都锦江电子有限公司")
    invoices = [
        make_invoice(cq1, "AR0001", "12000.00", days_overdue=-10),
        make_invoice(cq1, "AR0002", "8000.00", "3000.00", days_overdue=45),
        make_invoice(cq2, "AR0003", "50000.00", days_overdue=95),
        make_invoice(sc1, "AR0004", "20000.00", days_overdue=5),
        make_invoice(sc1, "AR0005", "7000.00", "0.00", days_overdue=100),
    ]
    return {"customers": [cq1, cq2, sc1], "invoices": invoices}
