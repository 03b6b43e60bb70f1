"""What the API shows of a legal case, its deadlines and a court fee."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
    decimal_in,
    free_text,
    printable,
)

# An amount a client sends, in yuan: "1000000.00" or a number, at least 0, at most two decimals.
AmountIn = decimal_in(digits=13, more_than_zero=False)
PositiveAmountIn = decimal_in(digits=13, more_than_zero=True)
ShareIn = decimal_in(digits=3, more_than_zero=False, unit="percent")
CaseNumber = printable(20)
HoursIn = decimal_in(digits=6, more_than_zero=False, unit="hours")


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


class FirmPerformanceOut(Schema):
    id: int = Field(alias="firm.pk")
    name: str = Field(alias="firm.name")
    active: bool = Field(alias="firm.active")
    cases: int
    open_cases: int
    claim: Money
    recovered: Money
    costs: Money = Field(description="Lawyers' fees, court fees, guarantees and other costs of the firm's cases")
    lawyer_fees: Money
    net: Money = Field(description="Recovered net of the costs")
    recovery_rate: Decimal | None = Field(description="Recovered / claim (0.2500 = 25%)")
    days_to_judgment: Decimal | None = Field(description="Mean days from engagement to the first-instance judgment")
    cost_per_yuan: Decimal | None = Field(description="Costs per yuan recovered")
    by_stage: dict[str, int]


class FirmPerformancePage(Page):
    items: list[FirmPerformanceOut]


class FirmIn(Schema):
    name: Text = Field(description="The firm's name", min_length=1, max_length=120)
    credit_code: str = Field("", max_length=18, description="Unified social credit code (optional)")
    contact: str = free_text("", max_length=60)
    phone: str = free_text("", max_length=40)
    email: str = free_text("", max_length=254)


class FirmOut(Schema):
    id: int
    name: str
    credit_code: str
    active: bool


class EngageIn(Schema):
    firm: int = Field(ge=1, le=2**63 - 1, description="The law firm's id")
    cases: list[CaseNumber] = Field(min_length=1, max_length=500,
                                                              description="Case numbers: one, or a batch")
    fee_kind: str = Field(pattern="^(fixed|hourly|contingency|mixed)$", description="fixed, hourly, contingency, mixed")
    fixed_fee: AmountIn = Field(Decimal("0.00"), description="Per case")
    hourly_rate: AmountIn = Decimal("0.00")
    contingency_share: ShareIn = Field(
        Decimal("0.00"), description="Percent of the recoveries, 0 to 100")
    engaged_on: date
    note: str = free_text("", max_length=2000)


class EngagementOut(Schema):
    id: int
    number: str
    firm: str = Field(alias="firm.name")
    scope: str
    fee_kind: str
    fixed_fee: Money
    hourly_rate: Money
    contingency_share: Decimal
    engaged_on: date
    ended_on: date | None = Field(description="Null while the firm works the cases")
    end_reason: str = Field(description="Why it ended (empty while it runs)")
    ended_by: Username = Field(None, description="Who ended it")
    cases: list[str] = Field(description="The numbers of every case it covers or covered")

    @staticmethod
    def resolve_cases(engagement) -> list[str]:
        numbers = {c.number for c in engagement.cases.all()} | {c.number for c in engagement.engaged_cases.all()}
        return sorted(numbers)


class EndEngagementIn(Schema):
    ended_on: date = Field(description="The day it ends: not before it started, not in the future")
    reason: str = free_text(max_length=2000, required=True, description="Why it ends: kept with the engagement")


class FirmInvoiceIn(Schema):
    number: Text = Field(min_length=1, max_length=40, description="The firm's invoice number")
    issued_on: date
    amount: PositiveAmountIn
    hours: HoursIn = Decimal("0.00")


class FirmInvoiceOut(Schema):
    id: int
    number: str
    issued_on: date
    amount: Money
    expected: Money = Field(description="What the arrangement allowed for this invoice")
    hours: Decimal
    fixed_part: Money
    hourly_part: Money
    contingency_part: Money


class CostIn(Schema):
    kind: str = Field(pattern="^(court_fee|preservation_guarantee|other)$",
                      description="court_fee, preservation_guarantee, other (lawyers' fees come from firm invoices)")
    amount: PositiveAmountIn | None = Field(
        None, description="Empty for a court fee: the scale's acceptance fee of the claim")
    incurred_on: date
    note: str = free_text("", max_length=200)


class CostOut(Schema):
    id: int
    kind: str
    amount: Money
    incurred_on: date
    note: str


class LegalRecoveryIn(Schema):
    amount: PositiveAmountIn
    received_on: date
    note: str = free_text("", max_length=200)


class RecoveryOut(Schema):
    id: int
    amount: Money
    received_on: date
    note: str


class CaseMoneyOut(Schema):
    case: str
    recovered: Money
    costs: dict[str, Money] = Field(description="Costs by kind")
    total_costs: Money
    net: Money = Field(description="Recovered net of the costs")
    firm: str | None
    invoices: list[FirmInvoiceOut]


# --- when to act (legal.preservation) ----------------------------------------------------------------

class PreservationEvidenceOut(Schema):
    what: str
    when: date
    link: str | None = Field(description="Where the evidence is shown (a page you may open), or null")


class PreservationSignOut(Schema):
    kind: str = Field(description="broken_promises, litigation, unreachable, assets_moving, industry_alarm, "
                                  "danger_zone")
    label: str
    present: bool
    weight: int = Field(description="What the sign adds to the score when present (0 when absent)")
    count: int = Field(description="How many pieces of evidence")
    evidence: list[PreservationEvidenceOut]


class PreservationDecisionOut(Schema):
    id: int
    customer: Code = Field(description="Customer code")
    case: str | None = Field(None, alias="case.number", description="The legal case it was made on, or null")
    decision: str = Field(description="apply_now, wait or not_needed")
    reason: str
    score: int = Field(description="The score of the signs when it was decided")
    signs: list[dict[str, Any]] = Field(description="The signs it was made on, as they stood")
    preservation: int | None = Field(None, alias="preservation_id",
                                     description="The case's preservation stage record an \"apply now\" links to")
    decided_by: Username = None
    decided_at: datetime


class PreservationDecisionIn(Schema):
    decision: str = Field(pattern="^(apply_now|wait|not_needed)$", description="apply_now, wait or not_needed")
    reason: str = free_text(max_length=2000, required=True, description="Why: kept with the decision")


class PreservationSignsOut(Schema):
    customer: str
    case: str | None = Field(description="The open legal case, or null for a customer without one")
    score: int = Field(description="The sum of the weights of the signs present (0–100)")
    count: int = Field(description="How many signs are present")
    overdue: Money = Field(description="Overdue at the last risk cycle")
    at_risk: Money | None = Field(description="The case's claim less what was recovered, or null")
    signs: list[PreservationSignOut]
    decision: PreservationDecisionOut | None = Field(description="The newest decision, or null")


class PreservationSignsPage(Page):
    items: list[PreservationSignsOut]


class PreservationHistoryOut(PreservationSignsOut):
    decisions: list[PreservationDecisionOut] = Field(description="Every decision, newest first")
