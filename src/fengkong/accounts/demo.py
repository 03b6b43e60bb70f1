"""The demo company's people: one user per role and three regional portfolios.

Passwords are random, generated once per data directory and kept in DATA_DIR/demo-logins.txt (0600),
so a demo left running on a network never has a well-known password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from fengkong.core import regions

from .choices import PortfolioKind, Role
from .models import Portfolio
from .roles import ensure_roles

PORTFOLIOS = [
    ("CQ", "重庆片区", "50"),
    ("SC", "四川片区", "51"),
    ("NAT", "全国其他", ",".join(p for p in regions.PROVINCES if p not in {"50", "51"})),
]

# username, role, portfolios (collectors and sales are scoped)
PEOPLE = [
    ("admin", Role.ADMIN, []),
    ("manager", Role.RISK_MANAGER, []),
    ("director", Role.RISK_COMMITTEE, []),
    ("cfo", Role.RISK_COMMITTEE, []),
    ("analyst", Role.CREDIT_ANALYST, []),
    ("collector", Role.COLLECTOR, ["CQ"]),
    ("legal", Role.LEGAL_OFFICER, []),
    ("industry", Role.INDUSTRY_ANALYST, []),
    ("sales", Role.SALES, ["SC"]),
    ("finance", Role.FINANCE, []),
    ("auditor", Role.AUDITOR, []),
]

# the risk manager also sits on the risk committee: three members, two approvals for a large limit
ALSO = {"manager": [Role.RISK_COMMITTEE]}


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    password: str


@transaction.atomic
def ensure_demo_people() -> list[Login]:
    groups = ensure_roles()
    portfolios = {code: _portfolio(code, name, prefixes) for code, name, prefixes in PORTFOLIOS}
    password = _demo_password()
    logins = []
    for username, role, scoped in PEOPLE:
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.is_staff = role in {Role.ADMIN, Role.AUDITOR}
            user.is_superuser = role == Role.ADMIN
            user.save()
        user.groups.set([groups[role], *(groups[r] for r in ALSO.get(username, ()))])
        for code in scoped:
            portfolios[code].members.add(user)
        logins.append(Login(username, Role(role).label, password))
    return logins


def _portfolio(code: str, name: str, prefixes: str) -> Portfolio:
    portfolio, _ = Portfolio.objects.update_or_create(
        code=code, defaults={"name": name, "kind": PortfolioKind.REGION, "region_prefixes": prefixes})
    return portfolio


def _demo_password() -> str:
    path = settings.DATA_DIR / "demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()
