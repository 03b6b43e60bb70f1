"""Dunning endpoints of /api/v1: the dunning log (letters), writing a letter from today's figures (sent by email,
recorded as posted, or only kept), recording its delivery, and pausing dunning (a reason and an end date).

Scoped as the other collections endpoints: another portfolio's customer or letter is a 404; a role that may not
send is a 403 (the action); what the action refuses (nothing to list, dunning paused, a bad EMS number) a 422
naming the field; a letter already delivered, or a pause already ended, a 409."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictStr

from fengkong.core import dates
from fengkong.core.permissions import require
from fengkong.core.schemas import (
    CODE,
    DEFAULT_LIMIT,
    Day,
    Limit,
    Offset,
    Page,
    Text,
    Username,
    answers,
    caller,
    free_text,
    page,
)
from fengkong.customers.api import visible_customer

from . import dunning
from .choices import DunningLevel, LetterChannel, LetterLanguage, LetterStatus
from .exceptions import CollectionsError
from .models import DunningLetter, DunningPause

router = Router(tags=["collections"])
LetterId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The letter's id")]
PauseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The pause's id")]


class DunningLetterOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    case: int | None = Field(alias="case_id")
    level: DunningLevel
    language: LetterLanguage
    channel: LetterChannel
    as_of: date = Field(description="The day whose figures the letter lists")
    reference: str
    totals: dict[str, str] = Field(description="Currency -> amount listed (overdue, not in dispute)")
    items: list[dict] = Field(description="The invoices listed: number, due_date, days_overdue, open_amount, currency")
    recipient: str
    ems_number: str
    status: LetterStatus
    sent_at: datetime | None
    delivered_on: date | None
    last_error: str
    docx: int | None = Field(alias="docx_id", description="The evidence item of the Word file")
    pdf: int | None = Field(alias="pdf_id", description="The evidence item of the PDF")
    created_by: Username
    created_at: datetime


class DunningLetterPage(Page):
    items: list[DunningLetterOut]


class DunningLetterFilters(Schema):
    customer: Text | None = Field(None, description="Customer code")
    status: LetterStatus | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class DunningLetterIn(Schema):
    customer: StrictStr = Field(max_length=100, description="The ERP customer code", json_schema_extra={"pattern": CODE})
    level: DunningLevel
    language: LetterLanguage | None = Field(None, description="Default: the customer's (Chinese for a Chinese name)")
    channel: Literal["email", "post", "download"] = Field(description="email: sent now; post: posted by EMS; "
                                                                      "download: only written and kept")
    recipient: StrictStr = Field("", max_length=254, description="Email address (default: the primary contact's)",
                                 json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f]*$"})
    ems_number: StrictStr = Field("", max_length=40, description="For post: 13 digits or e.g. EA123456789CN",
                                  json_schema_extra={"pattern": r"^[^\x00-\x1f\x7f]*$"})


class DeliveredIn(Schema):
    delivered_on: Day = Field(description="Between the day it was sent and today")


class DunningPauseOut(Schema):
    id: int
    customer: str = Field(alias="customer.code")
    reason: str
    since: date
    until: date
    created_by: Username
    ended_at: datetime | None
    ended_by: Username


class DunningPausePage(Page):
    items: list[DunningPauseOut]


class DunningPauseFilters(Schema):
    customer: Text | None = Field(None, description="Customer code")
    active: bool = Field(False, description="Only pauses holding dunning today")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class DunningPauseIn(Schema):
    customer: StrictStr = Field(max_length=100, description="The ERP customer code", json_schema_extra={"pattern": CODE})
    reason: StrictStr = free_text(max_length=300, required=True, description="Why dunning waits")
    until: Day = Field(description="The last day of the pause: today or later, at most 180 days ahead")


def _refused(exc: CollectionsError) -> ValidationError:
    return ValidationError({exc.field or NON_FIELD_ERRORS: [str(exc)]})


def _letters(user):
    require(user, "collections.view_dunningletter")
    return DunningLetter.objects.for_user(user).select_related("customer", "created_by")


@router.get("/collections/dunning/letters", response=answers(DunningLetterPage, 403, 422),
            url_name="dunning_letter_list")
def list_letters(request, filters: Query[DunningLetterFilters]):
    """The dunning log: every letter written, newest first, with how it went and whether it arrived."""
    letters = _letters(caller(request))
    if filters.customer:
        letters = letters.filter(customer__code=filters.customer)
    if filters.status:
        letters = letters.filter(status=filters.status)
    return page(letters.order_by("-created_at", "-pk"), filters.limit, filters.offset)


@router.post("/collections/dunning/letters", response=answers({201: DunningLetterOut}, 400, 403, 404, 422),
             url_name="dunning_letter_create")
def create_letter(request, body: DunningLetterIn):
    """Write the letter of `level` from today's figures, keep it as evidence, and send it by email or record it
    as posted. The files are evidence items `docx` and `pdf` (GET /evidence/items/{id})."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    try:
        letter, _files = dunning.write_letter(
            actor=user, customer=customer, level=body.level, channel=body.channel,
            language=body.language or dunning.customer_language(customer), recipient=body.recipient,
            ems_number=body.ems_number)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return Status(201, _letters(user).get(pk=letter.pk))


@router.post("/collections/dunning/letters/{letter_id}/delivered",
             response=answers(DunningLetterOut, 400, 403, 404, 409, 422), url_name="dunning_letter_delivered")
def letter_delivered(request, letter_id: LetterId, body: DeliveredIn):
    """Record that a sent letter arrived (the EMS receipt). 409 if it is not a sent letter."""
    user = caller(request)
    letter = _letters(user).filter(pk=letter_id).first()
    if letter is None:
        raise Http404(f"No dunning letter {letter_id} in your portfolio.")
    if letter.status != LetterStatus.SENT:
        raise HttpError(409, f"Only a sent letter can be delivered; this one is {letter.status}.")
    try:
        dunning.mark_delivered(actor=user, letter=letter, on=body.delivered_on)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return _letters(user).get(pk=letter_id)


def _pauses(user):
    require(user, "collections.view_dunningpause")
    return DunningPause.objects.for_user(user).select_related("customer", "created_by", "ended_by")


@router.get("/collections/dunning/pauses", response=answers(DunningPausePage, 403, 422),
            url_name="dunning_pause_list")
def list_pauses(request, filters: Query[DunningPauseFilters]):
    pauses = _pauses(caller(request))
    if filters.customer:
        pauses = pauses.filter(customer__code=filters.customer)
    if filters.active:
        pauses = pauses.active(dates.business_today())
    return page(pauses.order_by("-since", "-pk"), filters.limit, filters.offset)


@router.post("/collections/dunning/pauses", response=answers({201: DunningPauseOut}, 400, 403, 404, 422),
             url_name="dunning_pause_create")
def create_pause(request, body: DunningPauseIn):
    """Pause every letter and automatic reminder to the customer until `until`, for `reason` (both required)."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    try:
        pause = dunning.pause_dunning(actor=user, customer=customer, reason=body.reason, until=body.until)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return Status(201, _pauses(user).get(pk=pause.pk))


@router.post("/collections/dunning/pauses/{pause_id}/end", response=answers(DunningPauseOut, 403, 404, 409, 422),
             url_name="dunning_pause_end")
def end_pause(request, pause_id: PauseId):
    """Resume dunning before the pause's end date. 409 if the pause has already ended."""
    user = caller(request)
    pause = _pauses(user).filter(pk=pause_id).first()
    if pause is None:
        raise Http404(f"No dunning pause {pause_id} in your portfolio.")
    try:
        dunning.end_pause(actor=user, pause=pause)
    except CollectionsError as exc:
        raise HttpError(409, str(exc)) from None
    return _pauses(user).get(pk=pause_id)
