"""What the API shows of aging snapshots, alerts and stop-supply flags, and the filters it accepts.

Money is a string with two decimals (api.common.Money). Bucket amounts are a list in the order of
`buckets`, whose labels and day ranges follow the edges the risk cycle used that day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from fengkong.core.schemas import (
    DEFAULT_LIMIT,
    Code,
    Day,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    check_range,
    free_text,
)

from .choices import AlertKind, AlertLevel, AlertStatus

AgingGroup = Literal["book", "customer", "portfolio", "industry", "region"]
StatusFilter = Literal["open", "new", "acknowledged", "resolved", "all"]


class BucketOut(Schema):
    label: str
    low: int | None = Field(description="Fewest days overdue in the bucket (null: includes not yet due)")
    high: int | None = Field(description="Most days overdue in the bucket (null: open-ended)")


class AgingRowOut(Schema):
    key: str = Field(description="Customer code, portfolio code, industry section or province code; '' for the book")
    label: str
    customers: int
    buckets: list[Money]
    open_amount: Money
    overdue_amount: Money
    open_orders: Money
    exposure: Money
    zone: int | None = Field(None, description="Customer rows: 0 normal, 1 attention, 2 warning, 3 danger")
    max_days_overdue: int | None = None


class AgingFilters(Schema):
    group: AgingGroup = Field("book", description="book (one total), customer, portfolio, industry or region")
    as_of: Day | None = Field(None, description="A risk cycle date (default: the latest completed cycle)")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class AgingOut(Page):
    as_of: date | None = Field(description="The cycle the figures come from; null before any cycle has run")
    group: str
    buckets: list[BucketOut]
    total: AgingRowOut
    items: list[AgingRowOut]


class SnapshotOut(Schema):
    as_of: date
    buckets: list[Money]
    open_amount: Money
    overdue_amount: Money
    open_orders: Money
    exposure: Money
    open_items: int
    max_days_overdue: int
    zone: int

    @staticmethod
    def resolve_buckets(obj) -> list:
        return obj.buckets()


class HistoryFilters(Schema):
    date_from: Day | None = Field(None, description="First snapshot date")
    date_to: Day | None = Field(None, description="Last snapshot date")
    limit: Limit = 366
    offset: Offset = 0

    @model_validator(mode="after")
    def range_in_order(self):
        check_range(self.date_from, self.date_to, "date_from", "date_to")
        return self


class CustomerAgingOut(Page):
    customer: str
    customer_name: str
    buckets: list[BucketOut]
    items: list[SnapshotOut]


class ActionItemOut(Schema):
    id: int
    kind: str
    status: str
    due_date: date
    assigned_to: Username
    has_document: bool
    done_at: datetime | None
    note: str

    @staticmethod
    def resolve_has_document(obj) -> bool:
        return bool(obj.document)


class AlertOut(Schema):
    id: int
    kind: AlertKind
    kind_label: str
    level: AlertLevel
    level_label: str
    status: AlertStatus
    title: str
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    portfolio: Code = Field(alias="customer.portfolio")
    invoice: str | None = Field(None, description="Invoice number", alias="invoice.number")
    as_of: date
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: Username
    resolved_at: datetime | None
    resolved_by: Username
    resolution: str
    escalated_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(obj.get_level_display())


class AlertDetailOut(AlertOut):
    details: dict
    action_items: list[ActionItemOut] | None = Field(None, description="null when your role may not see tasks")

    @staticmethod
    def resolve_action_items(obj):
        return obj.action_items_out


class AlertFilters(Schema):
    status: StatusFilter = Field("open", description="open (new or acknowledged), new, acknowledged, resolved, all")
    level: AlertLevel | None = Field(None, description="1 information, 2 attention, 3 warning, 4 danger")
    kind: AlertKind | None = None
    customer: Text | None = Field(None, description="Customer code")
    q: Text | None = Field(None, description="Part of the customer code or name")
    portfolio: Text | None = Field(None, description="Portfolio code")
    date_from: Day | None = Field(None, description="Raised by the cycle of this date or later")
    date_to: Day | None = Field(None, description="Raised by the cycle of this date or earlier")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0

    @model_validator(mode="after")
    def range_in_order(self):
        check_range(self.date_from, self.date_to, "date_from", "date_to")
        return self


class AlertPage(Page):
    items: list[AlertOut]


class ResolveIn(Schema):
    note: str = free_text(min_length=1, max_length=200, required=True, description="How the alert was resolved")

    @model_validator(mode="after")
    def not_blank(self):
        if not self.note.strip():
            raise ValueError("say how the alert was resolved")
        if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in self.note):
            raise ValueError("the note must not contain control characters")
        return self


class StopSupplyOut(Schema):
    customer: str = Field(alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    portfolio: Code = Field(alias="customer.portfolio")
    active: bool
    since: date
    reason: str
    alert: int | None = Field(None, description="The danger-zone alert that set the flag", alias="alert_id")
    lifted_at: datetime | None
    lift_reason: str


class StopSupplyFilters(Schema):
    active: bool = Field(True, description="Only flags still in force (false: lifted ones too)")
    customer: Text | None = Field(None, description="Customer code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class StopSupplyPage(Page):
    items: list[StopSupplyOut]
