"""Building blocks shared by every API endpoint (django-ninja): the caller, money and text types, pages, 422 errors.

Design decisions:
- Money leaves the API as a JSON string with two decimals ("12345.67"), never a float, so a client in
  any language can read it without rounding; the OpenAPI schema says so (type string, decimal format).
- Free text in query and path parameters is bounded in length and may not hold control characters:
  PostgreSQL refuses NUL bytes in a query, and nothing a person types needs them, so such input is a
  422 rather than a database error.
- Dates that come in are ISO dates (``2026-12-04``) and nothing else: pydantic alone would read a number
  (``0.0``) as a Unix timestamp, 1970-01-01, and answer for a day nobody asked about.
- Lists are pages: ``limit`` (1..MAX_LIMIT, default DEFAULT_LIMIT), ``offset`` and the total ``count``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

from fengkong.core.money import quantize

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1
MAX_TEXT = 100


def _money_text(value: Decimal) -> str:
    return str(quantize(Decimal(value)))


Money = Annotated[
    Decimal,
    PlainSerializer(_money_text, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["12345.67"]}),
]


def _printable(value: str | None) -> str | None:
    if value is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


# A short piece of text a person typed: a search term, a code, a number.
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_printable)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}.")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip.")]


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")
    return date.fromisoformat(value)  # an impossible day (2026-02-30) raises its own ValueError


# A date a client sends (a query parameter or a filter): YYYY-MM-DD only.
Day = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date"})]


# Said of every natural key in a path (customer code, invoice number, order reference): core.converters.
KEY_IN_PATH = (" In the path, `/` is written `~2F`, `\\` `~5C`, `~` `~7E` and a leading `.` `~2E`; everything"
               " else is percent-encoded as usual (docs/api.md, \"Keys in paths\").")


class Page(Schema):
    count: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int


def page(queryset, limit: int, offset: int) -> dict[str, Any]:
    """The slice of `queryset` for one page, with the total count."""
    return {"count": queryset.count(), "limit": limit, "offset": offset,
            "items": list(queryset[offset:offset + limit])}


def caller(request):
    """The authenticated user, whether they came with a bearer token or a browser session."""
    return request.auth


def no_control(text: str, name: str) -> str:
    """Free text a person wrote (a reason, a comment): tabs and line breaks are fine, other control
    characters are refused with a message naming the field."""
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in text):
        raise ValueError(f"{name} must not contain control characters")
    return text


def check_range(low, high, low_name: str, high_name: str) -> None:
    """A filter's range (dates, amounts) must run forwards: refuse `low` after `high`, naming both."""
    if low is not None and high is not None and low > high:
        raise ValueError(f"{low_name} ({low}) is after {high_name} ({high})")


def reason_to_reject(approve: bool, text: str, field: str, what: str) -> None:
    """A decision's text is free text, and required when it rejects `what` (a policy, a promotion)."""
    no_control(text, f"the {field}")
    if not approve and not text.strip():
        raise ValueError(f"say why you reject {what} ({field})")


def username(user) -> str | None:
    """A user as the API shows it: the username, or null for nobody (the system, a deleted user)."""
    if user is None or isinstance(user, str):
        return user
    return user.get_username()


def code_of(obj) -> str | None:
    """A related object (portfolio, group) as the API shows it: its code, or null."""
    if obj is None or isinstance(obj, str):
        return obj
    return obj.code


# Output fields naming a related row by the attribute that holds it (`requested_by: Username`).
Username = Annotated[str | None, BeforeValidator(username)]
Code = Annotated[str | None, BeforeValidator(code_of)]
