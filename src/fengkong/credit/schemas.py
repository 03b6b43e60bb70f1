"""What the API shows of credit profiles and assessments.

Money is a string with two decimals (api.common.Money). Reasons and missing inputs keep their stored
structure (code and figures) and add `text`, worded in the request's language (credit.reasons).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from fengkong.core.schemas import DEFAULT_LIMIT, Limit, Money, Offset, Page


class StandingOut(Schema):
    """Live figures today (credit.figures.standing)."""

    limit: Money
    receivables: Money
    open_orders: Money
    reserved: Money = Field(description="Exposure reserved by approved credit checks")
    exposure: Money = Field(description="Receivables + open orders + reserved credit checks")
    available: Money = Field(description="Limit minus exposure; negative when over the limit; at most 0 while a "
                                         "knock-out applies")
    utilisation_percent: Decimal | None = Field(description="Exposure / limit in %, null without a limit")
    max_days_overdue: int
    overdue_amount: Money
    stop_supply: bool
    blacklisted: bool
    litigation: bool
    review_expired: bool
    danger_zone: bool = Field(description="An open item is in monitoring's danger zone")
    knockouts: list[str] = Field(description="The policy's knock-outs that apply (danger_zone, stop_supply, "
                                             "litigation, blacklist): no credit is available while one does")


class CustomerStandingOut(StandingOut):
    """A customer's live figures as an order form or an ERP reads them: who, as of when, and its terms."""

    customer: str
    customer_name: str
    as_of: date
    grade: str
    term_days: int
    next_review: date | None
    owner: str = Field(description="Username of the limit's accountable owner, '' for nobody yet")


class ReasonOut(Schema):
    code: str
    text: str
    metric: str | None = None
    dimension: str | None = None
    value: Any = None
    points: float | None = None
    lost: float | None = Field(None, description="Points of the 0-100 total the metric cost")
    missing: str | None = Field(None, description="The missing-input rule applied, if the input was missing")


class MissingOut(Schema):
    metric: str
    dimension: str
    rule: str = Field(description="worst, neutral or exclude")
    points: float | None
    text: str


class AssessmentSummaryOut(Schema):
    id: int
    as_of: date
    created_at: datetime
    trigger: str
    triggered_by: str | None
    policy_version: int
    total: Decimal
    grade: str
    previous_grade: str
    suggested_limit: Money
    suggested_term_days: int
    guarantee_requirement: str


class AssessmentOut(AssessmentSummaryOut):
    scores: dict[str, Any] = Field(description="Per dimension: score, weight (%), and each metric's points")
    inputs: dict[str, Any] = Field(description="The inputs as they stood on as_of; null = missing")
    reasons: list[ReasonOut]
    missing: list[MissingOut]


class CreditProfileOut(Schema):
    customer: str
    customer_name: str
    grade: str
    score: Decimal | None
    limit: Money
    term_days: int
    guarantee_requirement: str
    owner: str | None = Field(description="Who answers for the limit: the approver of the limit in force")
    limit_approved_at: datetime | None
    assessed_on: date | None
    next_review: date | None
    standing: StandingOut
    assessment: AssessmentOut | None = Field(description="The latest assessment (needs credit.view_assessment)")


class AssessmentPage(Page):
    customer: str
    items: list[AssessmentSummaryOut]


class AssessmentFilters(Schema):
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0
