from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema


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
