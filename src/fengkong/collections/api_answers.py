"""What the collections endpoints answer for a refusal and how they list a filtered page: shared by the plan
and bill endpoints (plan_api, bill_api)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from ninja.errors import HttpError

from fengkong.core.schemas import page

from .exceptions import CollectionsError


def refusal(exc: CollectionsError, conflict: type[CollectionsError]) -> Exception:
    """409 when the object moved on first (`conflict`); else a 422 on the field at fault."""
    if isinstance(exc, conflict):
        return HttpError(409, str(exc))
    return ValidationError({exc.field or NON_FIELD_ERRORS: [str(exc)]})


def filtered_page(rows, filters, *order: str):
    """`rows` of the filters' status (unless "all") and customer code, in `order`, as the page asked for."""
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.customer:
        rows = rows.filter(customer__code=filters.customer)
    return page(rows.order_by(*order), filters.limit, filters.offset)


def acting(action, conflict: type[CollectionsError], **arguments):
    """`action(**arguments)`, its refusal turned into the API's answer (`refusal`)."""
    try:
        return action(**arguments)
    except CollectionsError as exc:
        raise refusal(exc, conflict) from None
