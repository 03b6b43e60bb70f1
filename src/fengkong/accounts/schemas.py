"""API shapes of accounts: a portfolio, and who the caller is (GET /me)."""

from __future__ import annotations

from ninja import Schema


class PortfolioOut(Schema):
    code: str
    name: str
    kind: str


class MeOut(Schema):
    username: str
    name: str
    email: str
    roles: list[str]
    portfolios: list[PortfolioOut]
    sees_all_customers: bool
