"""What the API shows of a pending change, and what a decision sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from fengkong.core.schemas import DEFAULT_LIMIT, Limit, Offset, Page, Text, Username, free_text, no_control

from .choices import MAX_NOTE, ChangeStatus


class FieldChangeOut(Schema):
    field: str = Field(description="The model field (group_id and portfolio_id are ids)")
    label: str
    old: Any = Field(description="The value stored when the change was asked for")
    new: Any = Field(description="The value wished")


class PendingChangeOut(Schema):
    id: int
    kind: str = Field(description="customer, contact or guarantee")
    object_id: int = Field(description="The id of the customer, contact or guarantee")
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    status: ChangeStatus
    changes: list[FieldChangeOut]
    requested_by: Username
    requested_at: datetime
    via: str = Field(description="How it was entered: admin, import #12 …")
    note: str
    decided_by: Username = None
    decided_at: datetime | None = None
    reason: str = Field("", description="The reviewer's reason (required to reject)", alias="decision_note")

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return [{"field": name, "label": obj.reviewed.label(name), "old": obj.old.get(name), "new": new}
                for name, new in obj.new.items()]


class PendingChangePage(Page):
    items: list[PendingChangeOut]


class PendingChangeFilters(Schema):
    status: ChangeStatus | None = Field(ChangeStatus.PENDING, description="Default: those waiting")
    kind: Text | None = Field(None, description="customer, contact or guarantee")
    customer: Text | None = Field(None, description="Customer code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ReviewDecisionIn(Schema):
    note: str = free_text("", max_length=MAX_NOTE, description="Why (required to reject)")

    @field_validator("note")
    @classmethod
    def _free_text(cls, value: str) -> str:
        return no_control(value, "the note")


class ReviewRejectIn(ReviewDecisionIn):
    note: str = free_text(max_length=MAX_NOTE, required=True, description="Why the change is rejected")
