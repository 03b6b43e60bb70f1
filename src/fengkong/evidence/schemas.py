"""What the API shows of an evidence item and of the ledger's check."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from fengkong.core.schemas import (
    DEFAULT_LIMIT,
    MAX_TEXT,
    NO_CONTROL,
    Code,
    Day,
    Limit,
    Offset,
    Page,
    Text,
    Username,
    free_text,
    no_control,
)

from .choices import EvidenceSource
from .subjects import SUBJECT_TYPES

SOURCES = "^(" + "|".join(EvidenceSource.values) + ")$"


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


def unsent(schema: dict) -> None:
    schema.pop("default", None)


class EvidenceIn(Schema):
    """What the person storing a file says about it, and what it is evidence of (multipart form fields): a
    customer, or a subject (whose customer it is), or both when they agree."""

    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["customer"]}, {"required": ["subject_type", "subject_id"]}],
        "dependentRequired": {"subject_type": ["subject_id"], "subject_id": ["subject_type"]}})

    title: str = free_text(max_length=200, required=True, description="What it is (the catalogue's name)")
    source: str = Field(EvidenceSource.OTHER, pattern=SOURCES, description=", ".join(EvidenceSource.values))
    shows: str = free_text("", max_length=2000, description="What it proves")
    # A multipart form has no null: a field not sent is absent, so the schema shows each optional one by its
    # type alone (no "null", no default a client would send as the text "null").
    occurred_on: Day = Field(None, json_schema_extra=unsent,
                             description="When the call, letter, meeting or visit took place")
    pages: int = Field(None, ge=1, le=100_000, json_schema_extra=unsent)
    customer: str = Field(None, min_length=1, max_length=MAX_TEXT, pattern=NO_CONTROL, json_schema_extra=unsent,
                          description="Customer code (optional with a subject: the subject's customer)")
    invoice: str = Field(None, min_length=1, max_length=60, pattern=NO_CONTROL, json_schema_extra=unsent,
                         description="An invoice number of the customer")
    subject_type: str = Field(None, max_length=40, pattern="^(" + "|".join(SUBJECT_TYPES) + ")$",
                              json_schema_extra=unsent, description="What else it is evidence of: "
                                                                   + ", ".join(SUBJECT_TYPES))
    subject_id: int = Field(None, ge=1, le=2**63 - 1, json_schema_extra=unsent,
                            description="The id of that legal case, collection case, contact or dispute")

    @field_validator("title", "shows")
    @classmethod
    def written(cls, value: str, info) -> str:
        no_control(value, f"the {info.field_name}")
        if info.field_name == "title" and not value.strip():
            raise ValueError("give the evidence a name (what it is)")
        return value


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
