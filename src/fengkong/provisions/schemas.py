from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from fengkong.core.schemas import decimal_in

from .choices import WriteOffGround, WriteOffStatus


class ProvisionBucketOut(Schema):
    label: str
    balance: Decimal
    rolled: Decimal
    collected: Decimal
    roll_rate: float | None
    loss_rate: float
    adjusted_rate: float
    provision: Decimal


class RunOut(Schema):
    id: int
    as_of: datetime.date
    status: str
    policy_version: int
    gross_amount: Decimal
    opening: Decimal
    charge: Decimal
    reversal: Decimal
    write_off: Decimal
    recoveries: Decimal
    closing: Decimal
    proposed_by: str | None = Field(None, alias="proposed_by.username")
    decided_by: str | None = Field(None, alias="decided_by.username")


class RunDetailOut(RunOut):
    multiplier: float
    recovery_rate: float
    recovery_source: Literal["cases", "policy"] = Field(
        description="cases: recovered ÷ principal of the legal cases closed in the look-back; policy: the policy's")
    recovery_cases: int = Field(description="Legal cases closed within the look-back")
    buckets: list[ProvisionBucketOut]


class RunPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RunOut]


class ProposeIn(Schema):
    as_of: datetime.date
    note: str = Field("", max_length=500)


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


AmountIn = decimal_in(digits=15, more_than_zero=True)


class WriteOffApprovalOut(Schema):
    approver: str
    approved_at: datetime.datetime
    note: str


class WriteOffRecoveryOut(Schema):
    amount: Decimal
    received_on: datetime.date
    note: str


class WriteOffOut(Schema):
    id: int
    reference: str
    invoice: str = Field(description="The invoice number")
    customer: str = Field(description="The customer's code")
    currency: str
    amount: Decimal
    ground: WriteOffGround
    status: WriteOffStatus
    approvers_needed: int
    proposed_by: str
    proposed_at: datetime.datetime
    written_off_on: datetime.date | None = Field(description="The day it was posted; null until then")


class WriteOffDetailOut(WriteOffOut):
    statement: str
    evidence: list[int]
    approvals: list[WriteOffApprovalOut]
    recoveries: list[WriteOffRecoveryOut]
    decision_note: str


class WriteOffPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WriteOffOut]


class WriteOffIn(Schema):
    invoice: str = Field(max_length=60, description="The invoice number")
    amount: AmountIn
    ground: WriteOffGround
    statement: str = Field(min_length=1, max_length=2000,
                           description="What happened and what was done to collect")
    evidence: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=50,
                                                                     description="Evidence item ids")


class WriteOffDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class RecoveryIn(Schema):
    amount: AmountIn
    received_on: datetime.date
    note: str = Field("", max_length=500)
