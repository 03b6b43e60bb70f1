"""What the API shows of the indicator library, observations and outlooks, and what it takes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

from fengkong.core import industries
from fengkong.core.schemas import DEFAULT_LIMIT, Day, Limit, Offset, Page, Username, free_text

from .choices import Outlook

Section = Literal[tuple(industries.SECTIONS)]  # type: ignore[valid-type]
OutlookValue = Literal[tuple(Outlook.values)]  # type: ignore[valid-type]
# A released value a client sends: a number (or its text), within what the library keeps.
# The schema says both ways it may come, so a generated client sends only what is read.
VALUE_TEXT = r"^-?[0-9]{1,15}(?:\.[0-9]{1,4})?$"
ValueIn = Annotated[Decimal, Field(ge=Decimal("-999999999999999"), le=Decimal("999999999999999"),
                                   description="The value in the indicator's unit (kept to four decimals)"),
                    WithJsonSchema({"anyOf": [{"type": "string", "pattern": VALUE_TEXT},
                                              {"type": "number", "minimum": -999999999999999,
                                               "maximum": 999999999999999}]})]


class IndicatorOut(Schema):
    code: str
    name: str
    industry: str = Field(description="GB/T 4754 section letter")
    region: str = Field(description="GB/T 2260 code; empty for the whole country")
    unit: str
    frequency: str = Field(description="monthly, quarterly or yearly")
    source: str
    direction: str = Field(description="lower or higher: which way of the indicator is the risk")
    warning_level: Decimal | None
    alarm_level: Decimal | None
    observed: int = Field(0, description="Observations on file")
    latest: date | None = Field(None, description="The latest period on file")


class IndicatorPage(Page):
    items: list[IndicatorOut]


class IndicatorFilters(Schema):
    industry: Section | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ObservationOut(Schema):
    period: date = Field(description="The last day of the period")
    value: Decimal
    source: str = Field(description="import or manual")
    breach: str | None = Field(None, description="warning or alarm when the value is beyond a threshold")
    entered_by: Username = None
    entered_at: datetime


class IndicatorDetailOut(IndicatorOut):
    description: str
    observations: list[ObservationOut]


class ObservationIn(Schema):
    period: Day = Field(description="The last day of the period (month, quarter or year)")
    value: ValueIn


class OutlookOut(Schema):
    industry: str
    outlook: str
    alarm: bool
    note: str
    updated_by: Username = None
    updated_at: datetime


class OutlookIn(Schema):
    industry: Section
    outlook: OutlookValue
    alarm: bool = False
    note: str = free_text("", max_length=300)
