"""What the API shows of a legal case, its deadlines and a court fee."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from fengkong.core.schemas import (
    DEFAULT_LIMIT,
    Code,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    amount_in,
    free_text,
)

# An amount a client sends, in yuan: "1000000.00" or a number, at least 0, at most two decimals.
AmountIn = Annotated[Decimal, amount_in(digits=13, more_than_zero=False)]


class LegalCaseOut(Schema):
    id: int
    number: str
    customer: Code = Field(description="Customer code")
    origin: str
    stage: str
    outcome: str
    currency: str
    principal: Money
    interest: Money
    liquidated_damages: Money
    costs: Money
    recovered: Money
    at_risk: Money = Field(description="The claim less what was recovered")
    next_deadline: date | None
    court: str
    court_case_number: str
    owner: Username = None
    opened_at: datetime


class LegalCasePage(Page):
    items: list[LegalCaseOut]


class LegalCaseFilters(Schema):
    stage: Text | None = None
    customer: Text | None = Field(None, description="Customer code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class DeadlineOut(Schema):
    id: int
    case: str = Field(alias="case.number")
    kind: str
    due_on: date
    note: str


class DeadlinePage(Page):
    items: list[DeadlineOut]


class FeeLineOut(Schema):
    lower_fen: int
    upper_fen: int | None
    part_fen: int
    basis_points: int
    fee_fen: int


class CourtFeeOut(Schema):
    kind: str
    amount_fen: int
    fee_fen: int
    note: str
    lines: list[FeeLineOut]


class CourtFeeQuery(Schema):
    amount: AmountIn = Field(Decimal("0"), description="The amount claimed in yuan, e.g. \"1000000.00\"")
    kind: str = Field("acceptance", description="acceptance, acceptance_summary, payment_order, preservation, "
                                                "enforcement", pattern="^(acceptance|acceptance_summary|"
                                                                       "payment_order|preservation|enforcement)$")


class OpenCaseIn(Schema):
    customer: Text = Field(description="Customer code")
    referral: int | None = Field(None, ge=1, description="The legal-referral task this case takes over")
    principal: AmountIn | None = Field(None, description="Empty for a referral: the customer's overdue amount")
    interest: AmountIn = Decimal("0.00")
    liquidated_damages: AmountIn = Decimal("0.00")
    costs: AmountIn = Decimal("0.00")
    summary: str = free_text("", max_length=2000)


class MoveIn(Schema):
    stage: str = Field(description="The stage to move to (demand_letter, payment_order, preservation, litigation, "
                                   "judgment, appeal, enforcement, mediation, restructuring, bankruptcy, closed)",
                       max_length=20)
    details: dict[str, Any] = Field(default_factory=dict, description="The stage's dates and amounts (docs/legal.md)")
    note: str = free_text("", max_length=2000)


class StageOut(Schema):
    id: int
    stage: str
    entered_on: date
    details: dict[str, Any]
    note: str


class LimitationOut(Schema):
    invoice: str
    customer: str = Field(alias="customer_code")
    due_date: date
    open_amount: Money
    started: date = Field(description="The day the period (re)started: after the due date, or the last interruption")
    ends: date
    days_left: int
    warning: int | None = Field(description="180, 90 or 30 once reached; 0 when the period has ended")


class LimitationPage(Page):
    items: list[LimitationOut]
