"""Building blocks shared by every API endpoint (django-ninja): the caller, money and text types, pages, 422 errors.

Design decisions:
- Money leaves the API as a JSON string with two decimals ("12345.67"), never a float, so a client in
  any language can read it without rounding; the OpenAPI schema says so (type string, decimal format).
- Free text in query and path parameters is bounded in length and may not hold control characters:
  PostgreSQL refuses NUL bytes in a query, and nothing a person types needs them, so such input is a
  422 rather than a database error.
- The OpenAPI schema states every rule it can (lengths, patterns, bounds; `answers` lists the error
  statuses of each operation with their schemas): what the schema calls valid, the server accepts, except
  for rules no schema can state (a date range that runs backwards, a customer outside your portfolio).
  The text validators stay beside their patterns, for messages that name the field.
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
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StrictStr, WithJsonSchema
from pydantic_core import PydanticUndefined

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


# What the text validators check, said in the OpenAPI schema as patterns that ECMA-262 (the schema's
# dialect) and Python read alike; tests/api/test_openapi_rules.py holds each to its validator.
_PRINTABLE = r"[^\x00-\x1f\x7f]"  # no control character
_WRITTEN = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # free text: tabs and line breaks are fine
_NOT_SPACE = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"  # str.strip() keeps it
NO_CONTROL = rf"^{_PRINTABLE}*$"  # Text: a search term, a code, a number
CODE = rf"^{_PRINTABLE}*{_NOT_SPACE}{_PRINTABLE}*$"  # a code that must be given: not only spaces
FREE_TEXT = rf"^{_WRITTEN}*$"  # a note, a comment
SAID = rf"^{_WRITTEN}*{_NOT_SPACE}{_WRITTEN}*$"  # a reason that must be given: more than spaces


def _printable(value: str | None) -> str | None:
    if value is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


# A short piece of text a person typed: a search term, a code, a number.
Text = Annotated[str, Field(max_length=MAX_TEXT, json_schema_extra={"pattern": NO_CONTROL}),
                 AfterValidator(_printable)]
# Text a client sends in a body's list (an invoice a promise, plan or bill covers, a case number, an endorser):
# no control characters, which PostgreSQL refuses in a query or a JSON column (a 500 that schemathesis found).
def printable(max_length: int) -> Any:
    """A string of at most `max_length` characters and no control characters, as a body's list item."""
    return Annotated[StrictStr, Field(max_length=max_length, json_schema_extra={"pattern": NO_CONTROL}),
                     AfterValidator(_printable)]


DocumentNumber = printable(60)
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}.")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip.")]


def whole(value: Any) -> Any:
    """A before-validator for a StrictInt body field: a JSON number without a fraction is the int it is
    (30.0 is 30 to JSON and to the schema's "integer"); anything else (30.5, "30", true) is left to refuse."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def free_text(default: Any = PydanticUndefined, *, max_length: int, required: bool = False,
              **field: Any) -> Any:
    """A body field for text a person writes (a reason, a note): at most `max_length` characters, no control
    characters but tabs and line breaks, and with `required` more than spaces. The OpenAPI schema says so
    (FREE_TEXT, SAID); the schema's validator checks it (no_control, `.strip()`) with a message naming it."""
    pattern = SAID if required else FREE_TEXT
    return Field(default, max_length=max_length, json_schema_extra={"pattern": pattern}, **field)


def said_when(field: str, **condition: Any) -> dict:
    """A body schema's rule across fields, for its `json_schema_extra`: `field` must say something when the
    other fields hold the values of `condition`; `said_when("comment", vote="reject")`."""
    return {"if": {"properties": {name: {"const": value} for name, value in condition.items()},
                   "required": list(condition)},
            "then": {"properties": {field: {"pattern": SAID}}, "required": [field]}}


def amount_in(*, digits: int, more_than_zero: bool) -> WithJsonSchema:
    """The OpenAPI schema of an amount in yuan a client sends: a string with at most two decimals
    ("12345.67", which no client rounds) or a number that is a multiple of 0.01, with at most `digits`
    digits before the point, and more than 0 or at least 0."""
    units = rf"[1-9][0-9]{{0,{digits - 1}}}"
    if more_than_zero:
        text, low = rf"^(?:{units}(?:\.[0-9]{{1,2}})?|0\.(?:0[1-9]|[1-9][0-9]?))$", {"exclusiveMinimum": 0}
    else:
        text, low = rf"^(?:0|{units})(?:\.[0-9]{{1,2}})?$", {"minimum": 0}
    number = {"type": "number", **low, "exclusiveMaximum": 10**digits, "multipleOf": 0.01}
    return WithJsonSchema({"anyOf": [{"type": "string", "pattern": text}, number]})


PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # no exponent, no "NaN", no "1_000"


def decimal_in(*, digits: int, more_than_zero: bool, unit: str = "yuan") -> Any:
    """The type of an amount (in yuan, or another `unit` with two decimals: hours) a client sends (amount_in's schema), read as a Decimal: a JSON string
    ("12345.67") or number, finite, with at most two decimals and `digits` digits before the point, more than
    0 or at least 0. What the schema refuses is a 422 naming the value, never an overflow further in (a
    number such as 1.8e308 is a valid JSON number and no amount)."""
    what = "more than 0" if more_than_zero else "at least 0"

    def parse(value: Any) -> Decimal:
        if isinstance(value, Decimal):
            text = str(value)
        elif isinstance(value, str) and PLAIN_NUMBER.fullmatch(value.strip()):
            text = value.strip()
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
        else:
            raise ValueError(f'must be an amount in {unit} such as "1234.56", not {value!r}')
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise ValueError(f'must be an amount in {unit} such as "1234.56", not {value!r}') from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** digits:
            raise ValueError(f"must be less than 10^{digits} {unit}, not {value!r}")
        if number != number.quantize(Decimal("0.01")):
            raise ValueError(f"must have at most two decimals, not {value!r}")
        if number < 0 or (more_than_zero and number == 0):
            raise ValueError(f"must be {what}, not {value!r}")
        return quantize(number)

    return Annotated[Decimal, BeforeValidator(parse), amount_in(digits=digits, more_than_zero=more_than_zero)]


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


class ErrorOut(Schema):
    """What every error answers (api.errors): `detail` says what is wrong, in the request's language."""

    detail: str


class FieldErrorOut(Schema):
    location: str = Field(description="Where the value was sent: query, path or body")
    field: str = Field(description="The parameter or body field at fault (dotted inside an object)")
    message: str


class InvalidOut(ErrorOut):
    """422: the request is not valid. `errors` names each value at fault; a step an action refuses for
    the object's data (a reason, not a field) has `detail` only."""

    errors: list[FieldErrorOut] = Field([], description="Each value at fault, with its message")
    problems: list[str] = Field([], description="A credit policy's problems, every one (POST /credit-policies)")


# 400 a JSON body that cannot be parsed, 401 no or a bad token, 403 your role does not allow it, 404 not
# there or not in your portfolio, 409 the object's state does not allow the step, 422 a value at fault,
# 413 an upload larger than its limit, 429 too many refused tokens from your address (see api.errors).
ERROR_OUT = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
             422: InvalidOut, 429: ErrorOut}
SIGNED_IN = (401, 429)  # every operation needs a caller


def answers(ok: Any, *errors: int) -> dict:
    """An operation's `response=`: its answer when it works (a schema, or {status: schema}) and the error
    statuses it can give besides 401 and 429 (which every operation can), each with its error schema:
    `answers(CustomerDetailOut, 403, 404, 422)`. The statuses are the OpenAPI schema's promise to clients."""
    working = ok if isinstance(ok, dict) else {200: ok}
    return {**working, **{status: ERROR_OUT[status] for status in sorted({*SIGNED_IN, *errors})}}


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
