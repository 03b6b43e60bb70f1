"""What the API shows of an evidence item and of the ledger's check."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from fengkong.core.schemas import DEFAULT_LIMIT, Code, Limit, Offset, Page, Text, Username


class EvidenceItemOut(Schema):
    id: int
    title: str
    filename: str
    source: str
    shows: str
    occurred_on: date | None
    pages: int | None
    customer: Code = Field(description="Customer code")
    sha256: str = Field(alias="file.sha256")
    size: int = Field(alias="file.size")
    mime: str = Field(alias="file.mime", description="Sniffed from the bytes, not the name")
    ledger_seq: int | None = Field(None, alias="entry.seq")
    stored_by: Username = Field(None, alias="created_by")
    stored_at: datetime = Field(alias="created_at")
    retention_marked_at: datetime | None


class EvidenceItemPage(Page):
    items: list[EvidenceItemOut]


class EvidenceFilters(Schema):
    customer: Text | None = Field(None, description="Customer code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ProblemOut(Schema):
    kind: str
    message: str
    seq: int | None
    item: int | None


class VerifyOut(Schema):
    ok: bool
    entries: int
    files: int
    bytes: int
    anchors: int
    problems: list[ProblemOut]
    more_problems: int
