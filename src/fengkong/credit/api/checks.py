"""Credit checks on sales orders in /api/v1: the ERP asks before it confirms an order.

POST /credit-checks answers approve, hold or block with reasons (201 new, 200 when the reference is
replayed with the same content, 409 with different content) and reserves the amount when approved.
The order's later life: release (invoiced), cancel, and for a held order an override request that a
risk manager approves or rejects. GET /customers/{code}/standing gives the live figures an order form
shows. Every lookup is scoped (core.permissions): a check or customer of another portfolio is a 404;
bad input is a 422 naming the field (the actions raise ValidationError, api.errors maps it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictFloat, StrictInt, StrictStr

from fengkong.core.currencies import iso_codes
from fengkong.core.permissions import require, scope
from fengkong.core.schemas import (
    CODE,
    DEFAULT_LIMIT,
    KEY_IN_PATH,
    Day,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    amount_in,
    answers,
    caller,
    free_text,
    page,
)
from fengkong.customers.api import CustomerCode, visible_customer

from ..actions import checks
from ..choices import CheckStatus, Decision
from ..figures import standing
from ..models import CreditCheck
from ..queries import visible_check
from ..schemas import CustomerStandingOut

router = Router(tags=["credit checks"])

Reference = Annotated[Text, Path(description="The sales order number the check was made for." + KEY_IN_PATH)]


class CheckIn(Schema):
    customer: StrictStr = Field(max_length=100, description="The ERP customer code", examples=["K-10086"],
                                json_schema_extra={"pattern": CODE})
    amount: Annotated[StrictStr | StrictInt | StrictFloat, amount_in(digits=15, more_than_zero=True)] = Field(
        description="Order amount in yuan, more than 0, at most two decimals (a string avoids rounding)",
        examples=["125000.00"])
    currency: StrictStr = Field(settings.FUNCTIONAL_CURRENCY, max_length=10, examples=["CNY", "USD"],
                                description="ISO 4217 code of the amount (default the functional currency); "
                                            "another currency is converted at the day's rate, 409 without one. "
                                            "Chinese names such as 美元 are accepted too.",
                                json_schema_extra={"enum": sorted(iso_codes())})
    reference: StrictStr = Field(max_length=1000, description="The sales order number; the idempotency key",
                                 examples=["XSDD2026-001234"],
                                 json_schema_extra={"maxLength": checks.MAX_REFERENCE, "pattern": CODE})


class OverrideIn(Schema):
    reason: StrictStr = free_text(max_length=checks.MAX_REASON, required=True, description="Why")


class CancelIn(Schema):
    reason: StrictStr = free_text("", max_length=checks.MAX_REASON, description="Why the order will not ship")


class NoteIn(Schema):
    note: StrictStr = free_text("", max_length=checks.MAX_REASON, description="A word for the requester")


class CheckReasonOut(Schema):
    code: str = Field(description="over_limit, no_limit, overdue, grade_c_unsecured, stop_supply, blacklisted, "
                                  "review_expired or inactive")
    message: str = Field(description="The reason in the request's language, with its figures")
    figures: dict = Field(description="The figures behind the reason (money as strings)")


class CheckOut(Schema):
    reference: str
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    amount: Money
    currency: str
    fx_rate: Decimal = Field(description="Rate to the functional currency used by the check (1 for it)")
    functional_amount: Money = Field(description="The amount in the functional currency: what counts against the limit")
    decision: Decision
    status: CheckStatus
    reasons: list[CheckReasonOut]
    limit: Money = Field(description="The credit limit when the order was checked", alias="limit_at_check")
    exposure_before: Money = Field(description="Exposure before this order, when it was checked", alias="exposure_at_check")
    reserved_amount: Money = Field(description="What this check holds of the limit now (0 unless reserved)")
    available_after: Money = Field(description="Limit less exposure before and the reserved amount; may be negative")
    checked_at: datetime = Field(alias="created_at")
    requested_by: Username
    closed_at: datetime | None
    override_reason: str
    override_requested_by: Username
    override_approved_by: Username
    overridden_at: datetime | None


    @staticmethod
    def resolve_reasons(obj) -> list[dict]:
        return [{"code": r["code"], "message": checks.reason_message(r), "figures": r.get("params") or {}}
                for r in obj.reasons]


    @staticmethod
    def resolve_reserved_amount(obj) -> Decimal:
        return obj.functional_amount if obj.status == CheckStatus.RESERVED else Decimal(0)

    @staticmethod
    def resolve_available_after(obj) -> Decimal:
        held = obj.functional_amount if obj.status == CheckStatus.RESERVED else Decimal(0)
        return obj.limit_at_check - obj.exposure_at_check - held


class CheckFilters(Schema):
    status: CheckStatus | Literal["attention"] | None = Field(
        None, description="A status, or 'attention' for held and override-requested checks")
    decision: Decision | None = None
    customer: Text | None = Field(None, description="Customer code")
    q: Text | None = Field(None, description="Part of the reference, customer code or name")
    date_from: Day | None = Field(None, description="Checked on this date or later")
    date_to: Day | None = Field(None, description="Checked on this date or earlier")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class CheckPage(Page):
    items: list[CheckOut]


@router.post("/credit-checks", response=answers({200: CheckOut, 201: CheckOut}, 400, 403, 409, 422),
             url_name="credit_check_create")
def create_check(request, body: CheckIn):
    """Check a sales order before confirming it. 201 with the answer; 200 with the first answer when the
    reference is replayed with the same customer, amount and currency; 409 when its content differs, or
    when an amount in another currency has no exchange rate for the day."""
    user = caller(request)
    code = body.customer.strip()
    try:
        check, created = checks.run_check(actor=user, customer=code, amount=body.amount, currency=body.currency,
                                          reference=body.reference)
    except Http404:  # unknown and not-in-your-portfolio read the same: which codes exist does not leak
        raise ValidationError({"customer": f"no customer {code!r} in your portfolio"}) from None
    return Status(201 if created else 200, check)


def _checks(user):
    require(user, "credit.view_creditcheck")
    return scope(CreditCheck.objects.all(), user).select_related(
        "customer", "requested_by", "override_requested_by", "override_approved_by")


@router.get("/credit-checks", response=answers(CheckPage, 403, 422), url_name="credit_check_list")
def list_checks(request, filters: Query[CheckFilters]):
    """Credit checks you may see, newest first."""
    rows = _checks(caller(request))
    if filters.status == "attention":
        rows = rows.filter(status__in=[CheckStatus.HELD, CheckStatus.OVERRIDE_REQUESTED])
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.decision:
        rows = rows.filter(decision=filters.decision)
    if filters.customer:
        rows = rows.filter(customer__code=filters.customer)
    if filters.q:
        q = filters.q
        rows = rows.filter(Q(reference__icontains=q) | Q(customer__code__icontains=q) | Q(customer__name__icontains=q))
    if filters.date_from:
        rows = rows.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(created_at__date__lte=filters.date_to)
    return page(rows.order_by("-created_at", "-pk"), filters.limit, filters.offset)


def _visible(user, reference: str) -> CreditCheck:
    return _checks(user).get(pk=visible_check(user, reference).pk)  # references are unique per customer


def _fresh(user, check: CreditCheck) -> CreditCheck:
    return _checks(user).get(pk=check.pk)


@router.get("/credit-checks/{key:reference}", response=answers(CheckOut, 403, 404, 422),
            url_name="credit_check_detail")
def get_check(request, reference: Reference):
    """One credit check with its reasons and what happened to it since."""
    return _visible(caller(request), reference)


@router.post("/credit-checks/{key:reference}/release", response=answers(CheckOut, 403, 404, 409, 422),
             url_name="credit_check_release")
def release_check(request, reference: Reference):
    """The order was invoiced: the reservation ends (the invoice now carries the exposure). 409 unless reserved."""
    user = caller(request)
    return _fresh(user, checks.release(actor=user, check=_visible(user, reference)))


@router.post("/credit-checks/{key:reference}/cancel", response=answers(CheckOut, 400, 403, 404, 409, 422),
             url_name="credit_check_cancel")
def cancel_check(request, reference: Reference, body: CancelIn):
    """The order will not ship: a reserved, held or override-requested check is cancelled."""
    user = caller(request)
    return _fresh(user, checks.cancel(actor=user, check=_visible(user, reference), reason=body.reason))


@router.post("/credit-checks/{key:reference}/override", response=answers(CheckOut, 400, 403, 404, 409, 422),
             url_name="credit_check_override")
def request_override(request, reference: Reference, body: OverrideIn):
    """Ask for a held order to go through anyway (reason required); a risk manager decides. A blocked
    order cannot be overridden (409): lift its cause and check again."""
    user = caller(request)
    return _fresh(user, checks.request_override(actor=user, check=_visible(user, reference), reason=body.reason))


@router.post("/credit-checks/{key:reference}/override/approve",
             response=answers(CheckOut, 403, 404, 409, 422), url_name="credit_check_override_approve")
def approve_override(request, reference: Reference):
    """Approve an override somebody else asked for: the amount is reserved. 403 for your own request."""
    user = caller(request)
    return _fresh(user, checks.approve_override(actor=user, check=_visible(user, reference)))


@router.post("/credit-checks/{key:reference}/override/reject",
             response=answers(CheckOut, 400, 403, 404, 409, 422), url_name="credit_check_override_reject")
def reject_override(request, reference: Reference, body: NoteIn):
    """Refuse an override: the order stays held."""
    user = caller(request)
    return _fresh(user, checks.reject_override(actor=user, check=_visible(user, reference), note=body.note))


@router.get("/customers/{key:code}/standing", response=answers(CustomerStandingOut, 403, 404, 422),
            url_name="customer_standing")
def customer_standing(request, code: CustomerCode):
    """The customer's live credit figures: limit, exposure (receivables, open orders, reservations),
    available, overdue and the flags that stop an order."""
    user = caller(request)
    customer = visible_customer(user, code)
    require(user, "credit.view_creditprofile")
    figures = standing(customer, timezone.localdate())
    return {**figures.__dict__, "customer": customer.code, "customer_name": customer.name}
