"""What the API shows of a customer: a list row, and the full page with contacts and exposure.

Exposure is given per currency, because amounts in different currencies are never added up without a
rate (and a converted amount is never stored).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema

from fengkong.accounts.schemas import PortfolioOut
from fengkong.core.schemas import DEFAULT_LIMIT, Limit, Money, Offset, Page, Text

from .choices import CustomerStatus


class GroupOut(Schema):
    code: str
    name: str


class CustomerOut(Schema):
    code: str
    name: str
    credit_code: str | None
    industry: str = Field(description="GB/T 4754 section letter")
    industry_label: str
    region: str = Field(description="GB/T 2260 code")
    region_label: str
    status: str
    portfolio: str | None = Field(None, description="Portfolio code", alias="portfolio.code")
    group: str | None = Field(None, description="Parent group code", alias="group.code")
    salesperson: str
    cooperation_start: date | None

    @staticmethod
    def resolve_industry_label(obj) -> str:
        return str(obj.industry_label())

    @staticmethod
    def resolve_region_label(obj) -> str:
        return str(obj.region_label())


class CustomerFilters(Schema):
    q: Text | None = Field(None, description="Part of the code, name or unified social credit code")
    industry: Text | None = Field(None, description="GB/T 4754 section letter, e.g. C")
    region: Annotated[str, Field(pattern=r"^[0-9]{1,6}$")] | None = Field(  # the pattern inside: else unstated
        None, description="GB/T 2260 code prefix: 50 Chongqing, 5101 Chengdu")
    status: CustomerStatus | None = None
    portfolio: Text | None = Field(None, description="Portfolio code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class CustomerPage(Page):
    items: list[CustomerOut]


class ContactOut(Schema):
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class ExposureOut(Schema):
    currency: str
    open_receivables: Money = Field(description="Open amount of all invoices")
    open_orders: Money = Field(description="Sales orders not yet shipped")
    total: Money = Field(description="Open receivables plus open orders")
    overdue: Money = Field(description="Open amount of invoices due before as_of")
    open_invoices: int


class CustomerDetailOut(CustomerOut):
    group_detail: GroupOut | None = None
    portfolio_detail: PortfolioOut | None = None
    contacts: list[ContactOut] | None = Field(None, description="null when your role may not see contacts")
    as_of: date
    exposure: list[ExposureOut]

    @staticmethod
    def resolve_group_detail(obj):
        return obj.group

    @staticmethod
    def resolve_portfolio_detail(obj):
        return obj.portfolio

    @staticmethod
    def resolve_contacts(obj):
        return obj.contacts_out

    @staticmethod
    def resolve_exposure(obj):
        return obj.exposure_out
