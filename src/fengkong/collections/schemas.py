"""What the collections API shows and accepts. Money leaves as a string with two decimals (core.schemas.Money)
and comes in as a string or a number with at most two decimals; dates are YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictInt, StrictStr, field_validator, model_validator

from fengkong.core.schemas import (
    CODE,
    DEFAULT_LIMIT,
    Day,
    DocumentNumber,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    check_range,
    decimal_in,
    free_text,
    printable,
    whole,
)

from .actions import MAX_DURATION
from .choices import (
    Behaviour,
    BillFlag,
    BillStatus,
    CasePromise,
    CaseStatus,
    Channel,
    DisputeReason,
    DisputeResolution,
    DisputeStatus,
    DisputeTeam,
    Outcome,
    PlanLevel,
    PlanStatus,
    PromiseState,
)

AmountIn = decimal_in(digits=15, more_than_zero=True)
Endorser = printable(200)
CustomerField = Field(max_length=100, description="The ERP customer code", json_schema_extra={"pattern": CODE})


class BestContactOut(Schema):
    """When and how to reach the customer, learned from the contact log (engine.contact_times)."""

    channel: Channel
    weekdays: list[int] = Field(description="The weekday band, 1 Monday … 7 Sunday")
    hours: list[int] = Field(description="The local hour band [from, to): 9, 11 is 9:00 to 10:59")
    reached: int = Field(description="Of the customer's own contacts in this slot, those that reached somebody")
    tried: int = Field(description="The customer's own contacts in this slot (0: its segment's best slot)")
    rate: float = Field(description="The reach rate in the slot, smoothed towards the segment's")
    segment_rate: float = Field(description="The segment's (the customer's industry's) smoothed rate in the slot")

    @staticmethod
    def resolve_weekdays(obj) -> list[int]:
        return list(range(obj.weekday_from + 1, obj.weekday_to + 2))

    @staticmethod
    def resolve_hours(obj) -> list[int]:
        return [obj.hour_from, obj.hour_to]


class CaseOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    status: CaseStatus
    owner: Username
    opened_on: date
    closed_on: date | None
    updated_on: date = Field(description="The night whose figures the case shows")
    strategy: str
    step: int = Field(description="The strategy's step the case is on (0 the first)")
    next_action_on: date | None
    zone: int = Field(description="0 normal, 1 attention, 2 warning, 3 danger")
    max_days_overdue: int
    overdue_items: int
    amount_normal: Money = Field(description="Overdue, in the normal zone (under 30 days), not in dispute")
    amount_attention: Money
    amount_warning: Money
    amount_danger: Money
    overdue_amount: Money = Field(description="Overdue money to chase: all overdue less what is in open disputes")
    disputed_amount: Money
    expected_loss: Money = Field(description="The payment-delay model's expected loss on the overdue invoices")
    promise_status: CasePromise
    broken_promises: int
    behaviour: Behaviour = Field(description="Why the customer does not pay, as the collector set it; with the "
                                             "grade, zone and amount it chooses the strategy")
    behaviour_reason: str
    step_since: date | None = Field(description="The day the case reached its step (the step's wait counts from it)")
    best_contact: BestContactOut | None = Field(None, description="The learned best channel, weekdays and hours to "
                                                "reach the customer; null without contacts in its segment or "
                                                "without the right to read contacts")

    @staticmethod
    def resolve_best_contact(obj):
        return getattr(obj, "best_contact", None)


class CaseFilters(Schema):
    status: Literal["open", "closed", "all"] = "open"
    owner: Literal["mine", "unowned"] | None = None
    zone: int | None = Field(None, ge=0, le=3)
    promise: CasePromise | None = None
    due: bool = Field(False, description="Only cases whose next action is due today or earlier")
    q: Text | None = Field(None, description="Part of the customer's code or name")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class CasePage(Page):
    items: list[CaseOut]


class ReassignIn(Schema):
    owner: StrictStr = Field(max_length=150, description="The username of the new owner")


class ContactLogIn(Schema):
    customer: StrictStr = CustomerField
    channel: Channel
    outcome: Outcome
    at: datetime | None = Field(None, description="When it happened (default: now); not in the future")
    person: StrictStr = free_text("", max_length=80, description="Who was reached")
    duration_seconds: StrictInt = Field(0, ge=0, le=MAX_DURATION)
    notes: StrictStr = free_text("", max_length=4000)
    next_follow_up: Day | None = None
    external_id: StrictStr = Field("", max_length=80, description="The call-centre's record id: a second POST with "
                                                                  "it is refused (409)",
                                   json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f]*$"})

    @field_validator("duration_seconds", mode="before")
    @classmethod
    def whole_seconds(cls, value):
        return whole(value)


class ContactLogOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    case: int | None = Field(alias="case_id")
    channel: Channel
    outcome: Outcome
    at: datetime
    person: str
    duration_seconds: int
    notes: str
    next_follow_up: date | None
    logged_by: Username
    source: str
    external_id: str


class ContactFilters(Schema):
    customer: Text | None = Field(None, description="Customer code")
    outcome: Outcome | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ContactLogPage(Page):
    items: list[ContactLogOut]


class PromiseIn(Schema):
    customer: StrictStr = CustomerField
    amount: AmountIn = Field(description="Yuan, more than 0, at most two decimals", examples=["50000.00"])
    due_date: Day = Field(description="The promised date: today or later")
    invoices: list[DocumentNumber] = Field(
        [], max_length=200, description="Invoice numbers covered; empty: the oldest open invoices")


class PromiseOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    amount: Money
    due_date: date
    taken_on: date
    invoices: list[str]
    oldest_first: bool
    owed_at_promise: Money
    state: PromiseState
    paid_amount: Money
    evaluated_on: date | None
    taken_by: Username

    @staticmethod
    def resolve_invoices(obj) -> list[str]:
        return sorted(i.number for i in obj.invoices.all())


class PromiseFilters(Schema):
    customer: Text | None = None
    state: PromiseState | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class PromisePage(Page):
    items: list[PromiseOut]


class DisputedInvoiceIn(Schema):
    invoice: StrictStr = Field(max_length=60, description="Invoice number")
    amount: AmountIn | None = Field(None, description="The part in dispute (default: all it owes not yet disputed)")


class DisputeIn(Schema):
    customer: StrictStr = CustomerField
    reason: DisputeReason
    team: DisputeTeam
    owner: StrictStr = Field(max_length=150, description="Username of who answers it (sales, quality, warehouse)")
    items: list[DisputedInvoiceIn] = Field(min_length=1, max_length=200)
    description: StrictStr = free_text("", max_length=2000)
    due_date: Day | None = Field(None, description="Answer by (default: the policy's dispute_due_days)")


class DisputeItemOut(Schema):
    invoice: str = Field(alias="invoice.number")
    amount: Money


class DisputeOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    reason: DisputeReason
    team: DisputeTeam
    owner: Username
    status: DisputeStatus
    opened_on: date
    due_date: date
    resolution: str
    root_cause: str
    resolved_on: date | None
    items: list[DisputeItemOut]
    amount: Money

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_amount(obj) -> Decimal:
        return sum((i.amount for i in obj.items.all()), Decimal("0.00"))


class DisputeFilters(Schema):
    status: DisputeStatus | Literal["all"] = DisputeStatus.OPEN
    customer: Text | None = None
    mine: bool = Field(False, description="Only the disputes you answer")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class DisputePage(Page):
    items: list[DisputeOut]


class DisputeResolveIn(Schema):
    resolution: DisputeResolution
    root_cause: StrictStr = free_text(max_length=200, required=True)
    note: StrictStr = free_text("", max_length=500)


class BehaviourIn(Schema):
    behaviour: Behaviour
    reason: StrictStr = free_text(max_length=300, required=True, description="Why (kept with the behaviour)")


# --- collector performance (collections.performance) ----------------------------------------------

class CollectorPerformanceFilters(Schema):
    date_from: Day | None = Field(None, alias="from", description="First day of the period (default: the first "
                                  "day of the last full month, or of `to`'s month)")
    date_to: Day | None = Field(None, alias="to", description="Last day of the period (default: the last day of "
                                "the last full month, or of `from`'s month)")

    @model_validator(mode="after")
    def range_in_order(self):
        check_range(self.date_from, self.date_to, "from", "to")
        return self


class CollectorPerformanceLineOut(Schema):
    collector: str | None = Field(None, description="The case owner (collector lines; null: cases nobody owns "
                                                    "and work on no case)")
    portfolio: str | None = Field(None, description="The portfolio's code (portfolio lines)")
    collected: Money = Field(description="Receipts of the cases' customers in the period while the case was open, "
                                         "in the functional currency")
    promises_taken: int
    promises_kept: int
    promises_partially_kept: int
    promises_broken: int
    kept_rate: float | None = Field(description="Kept over judged in the period (0..1); null when none was judged")
    cei: float | None = Field(description="Collection effectiveness index in percent; null without two monitored "
                                          "days or when nothing was collectible")
    beginning_receivables: Money = Field(alias="beginning", description="Open on `receivables_from`")
    credit_sales: Money = Field(description="Invoiced after `receivables_from` up to `receivables_to`")
    ending_receivables: Money = Field(alias="ending_total", description="Open on `receivables_to`")
    ending_current_receivables: Money = Field(alias="ending_current",
                                              description="Open and not yet due on `receivables_to`")
    cases_closed: int = Field(description="Cases closed in the period")
    contacts: int = Field(description="Contacts logged with a time in the period")
    contacts_reached: int = Field(description="Of those, the ones that reached somebody")
    reached_rate: float | None = Field(description="Contacts that reached somebody over contacts (0..1)")
    disputes_resolved: int
    average_days_to_resolve: float | None = Field(description="Mean days from opening to resolution of the "
                                                              "disputes resolved in the period")


class CollectorPerformanceOut(Schema):
    date_from: date = Field(description="First day of the period")
    date_to: date = Field(description="Last day of the period")
    currency: str = Field(description="The functional currency every amount is in")
    receivables_from: date | None = Field(description="The monitored day the beginning receivables are of")
    receivables_to: date | None = Field(description="The monitored day the ending receivables are of")
    sees_team: bool = Field(description="Whether every collector's line is shown (else only your own)")
    collectors: list[CollectorPerformanceLineOut]
    portfolios: list[CollectorPerformanceLineOut]
    team: CollectorPerformanceLineOut = Field(description="The whole team over the customers you may see")


# --- instalment plans (collections.plans) ------------------------------------------------------------

class PlanInstalmentIn(Schema):
    due_date: Day = Field(description="Today or later, after the instalment before it")
    amount: AmountIn = Field(description="Yuan, more than 0, at most two decimals", examples=["10000.00"])


class PlanIn(Schema):
    customer: StrictStr = CustomerField
    amount: AmountIn = Field(description="What the plan covers: at most what the invoices owe and is not in dispute; "
                                         "the instalments add up to it", examples=["30000.00"])
    instalments: list[PlanInstalmentIn] = Field(min_length=2, max_length=120,
                                                description="In date order; at most the policy's plans.max_instalments")
    invoices: list[DocumentNumber] = Field(
        [], max_length=200, description="Invoice numbers covered; empty: the oldest open invoices")
    note: StrictStr = free_text("", max_length=500)


class PlanInstalmentOut(Schema):
    number: int
    due_date: date
    amount: Money
    state: Literal["scheduled", "pending", "kept", "partially_kept", "broken", "cancelled"] = Field(
        description="scheduled until the plan is approved; then its promise's state")
    paid_amount: Money | None = Field(description="What was paid towards it, once judged")

    @staticmethod
    def resolve_paid_amount(obj) -> Decimal | None:
        judged = obj.promise_id and obj.promise.evaluated_on and obj.promise.state != PromiseState.CANCELLED
        return obj.promise.paid_amount if judged else None


class PlanOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    status: PlanStatus
    amount: Money
    owed_at_proposal: Money
    invoices: list[str]
    oldest_first: bool
    level: PlanLevel = Field(description="Who approves it, by its amount (policy plans.approval_levels)")
    note: str
    proposed_by: Username
    proposed_on: date
    decided_by: Username
    decided_on: date | None
    reason: str = Field(description="Why it was rejected or cancelled")
    closed_on: date | None
    instalments: list[PlanInstalmentOut]

    @staticmethod
    def resolve_invoices(obj) -> list[str]:
        return sorted(i.number for i in obj.invoices.all())

    @staticmethod
    def resolve_instalments(obj) -> list:
        return sorted(obj.instalments.all(), key=lambda i: i.number)


class PlanFilters(Schema):
    status: PlanStatus | Literal["all"] = "all"
    customer: Text | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class PlanPage(Page):
    items: list[PlanOut]


class PlanReasonIn(Schema):
    reason: StrictStr = free_text(max_length=300, required=True, description="Why the plan is rejected")


# --- acceptance bills (collections.bills) ------------------------------------------------------------

class BillIn(Schema):
    customer: StrictStr = CustomerField
    number: StrictStr = free_text(max_length=40, required=True, description="The bill number (票据号码), unique")
    acceptor_name: StrictStr = free_text(max_length=200, required=True, description="The acceptor (承兑人)")
    acceptor_uscc: StrictStr = Field("", max_length=18, description="The acceptor's 统一社会信用代码, if known")
    amount: AmountIn = Field(description="Yuan: at most what the invoices owe, not in dispute nor settled by "
                                         "another bill", examples=["50000.00"])
    issue_date: Day = Field(description="出票日")
    maturity_date: Day = Field(description="到期日: after the issue date, at most the policy's "
                                           "bills.max_term_days after it")
    endorsers: list[Endorser] = Field(
        [], max_length=20, description="The endorsers (背书人), first to last")
    invoices: list[DocumentNumber] = Field(
        [], max_length=200, description="Invoice numbers the bill settles; empty: the oldest open invoices")
    note: StrictStr = free_text("", max_length=500)


class BillAllocationOut(Schema):
    invoice: str = Field(alias="invoice.number")
    amount: Money


class BillOut(Schema):
    id: int
    number: str
    customer: str = Field(alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    acceptor_name: str
    acceptor_uscc: str
    amount: Money
    issue_date: date
    maturity_date: date
    endorsers: list[str]
    status: BillStatus
    flag: BillFlag = Field(description="What the night saw: maturing soon, past maturity not presented, or none")
    settles: bool = Field(description="Whether its allocations settle the invoices (held, presented, paid)")
    allocations: list[BillAllocationOut]
    oldest_first: bool
    note: str
    received_on: date
    recorded_by: Username
    presented_on: date | None
    closed_on: date | None
    closed_by: Username
    reason: str = Field(description="Why it was dishonoured")

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.all())


class BillFilters(Schema):
    status: BillStatus | Literal["all"] = "all"
    customer: Text | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class BillPage(Page):
    items: list[BillOut]


class BillReasonIn(Schema):
    reason: StrictStr = free_text(max_length=300, required=True, description="Why the acceptor refused to pay")
