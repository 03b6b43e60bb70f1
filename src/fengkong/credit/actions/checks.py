"""Credit checks on sales orders (§9, §16): approve, hold or block with reasons, and reserve exposure.

Design decisions:
- The order reference is the idempotency key: replaying it with the same customer, amount and currency
  returns the first answer; with different content it is a Conflict, never a second check. That holds
  for every check the caller may see. A reference checked for a customer outside the caller's portfolios
  answers exactly as one never checked (a Sichuan sales user must not learn that a Chongqing order
  exists): references are unique per customer (constraint check_reference_per_customer), so the
  caller's order is simply checked as a new one of their customer.
- Concurrency: a check locks the customer's CreditProfile row (SELECT … FOR UPDATE; on SQLite the
  transaction is IMMEDIATE, so writers serialise) before it reads exposure, and reserves in the same
  transaction. Parallel orders of one customer therefore see each other's reservations and can never
  over-commit the limit. The profile row is created first, in its own step, when it is missing.
- Decision rules, the worst one wins, every reason listed with its figures (code + params, rendered in
  the reader's language by `reason_message`):
    BLOCK  blacklisted · active stop-supply flag · grade C without a valid collateral or third-party
           guarantee (policy `block_grade_c_unsecured`) · customer not active
    HOLD   no approved limit · amount above what is available · an open item more overdue than the
           policy allows · credit review expired (policy `hold_when_review_expired`)
    else   APPROVE, and the amount is RESERVED (counts toward exposure until released or cancelled).
- A HOLD can be overridden: the requester gives a reason, somebody else with `credit.approve_override`
  approves (maker-checker) and the amount is reserved. A BLOCK cannot: its cause must be lifted.
- Currencies: an order in another currency is checked at the day's rate (receivables.fx) and holds its
  functional amount (`functional_amount`, the rate in `fx_rate`) against the limit; without a rate for the
  day the check is refused with MissingRate (409) before anything is written.
- The hot path is lean: the figures are one query (figures.standing) and the policy spec is parsed once
  per approved version (versions are immutable).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.currencies import normalise, problem
from fengkong.core.money import format_amount, quantize, to_fen
from fengkong.core.permissions import require, users_with_perm
from fengkong.customers.choices import CustomerStatus
from fengkong.customers.queries import visible_customers
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell
from fengkong.receivables.fx import rates_on

from .. import policy as policy_module
from ..choices import CheckReason, CheckStatus, Decision, Grade, Trigger
from ..exceptions import Conflict, CreditError, SelfApproval
from ..figures import Standing, standing
from ..models import CreditCheck, CreditProfile
from ..queries import visible_check
from ..reasons import knockout_text
from . import assessments

# An order in another currency is converted at the day's rate (docs/currencies.md): limits and exposure are
# in the functional currency; without a rate for the day the check is refused (MissingRate, 409).
MAX_AMOUNT = Decimal(10) ** 15  # exclusive
RATE_PLACES = Decimal("0.00000001")  # CreditCheck.fx_rate
MAX_REFERENCE = CreditCheck._meta.get_field("reference").max_length
MAX_REASON = 2000
BLOCKING = (CheckReason.BLACKLISTED, CheckReason.STOP_SUPPLY, CheckReason.GRADE_C_UNSECURED, CheckReason.INACTIVE,
            CheckReason.KNOCKOUT)
STATUS_OF = {Decision.APPROVE: CheckStatus.RESERVED, Decision.HOLD: CheckStatus.HELD,
             Decision.BLOCK: CheckStatus.BLOCKED}
CANCELLABLE = (CheckStatus.RESERVED, CheckStatus.HELD, CheckStatus.OVERRIDE_REQUESTED)


# --- input -------------------------------------------------------------------------------------------

def clean_amount(value: Any) -> Decimal:
    """An order amount: a number or numeric string, more than 0, at most two decimals, below 10^15."""
    shown = repr(value) if not isinstance(value, str) else f"'{value[:40]}'"
    if isinstance(value, bool) or value is None:
        raise ValidationError({"amount": _("amount must be a number such as \"12345.67\", not %s") % shown})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"amount": _("amount must be a number such as \"12345.67\", not %s") % shown}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("amount must be a finite number, not %s") % shown})
    if amount <= 0:
        raise ValidationError({"amount": _("amount must be more than 0, not %s") % shown})
    if amount >= MAX_AMOUNT:
        raise ValidationError({"amount": _("amount must be below 1000000000000000 (10^15), not %s") % shown})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("amount has more than two decimals: %s") % shown})
    return quantize(amount)


def clean_currency(value: Any) -> str:
    """An ISO 4217 code (or a name or sign core.currencies accepts, e.g. 美元); None: the functional one."""
    if value is None:
        return settings.FUNCTIONAL_CURRENCY
    text = str(value).strip()[:40] if isinstance(value, str) else ""
    currency = normalise(text) if text else None
    if currency is None:
        why = problem(text) if text else _("an ISO 4217 code such as CNY or USD is required")
        raise ValidationError({"currency": _("currency %(given)s: %(why)s") % {"given": repr(value)[:40], "why": why}})
    return currency


def clean_reference(value: Any) -> str:
    reference = str(value or "").strip()
    if not reference:
        raise ValidationError({"reference": _("reference (the sales order number) is required")})
    if len(reference) > MAX_REFERENCE:
        raise ValidationError({"reference": _("reference is %(n)d characters long; at most %(max)d are allowed")
                               % {"n": len(reference), "max": MAX_REFERENCE}})
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in reference):  # "/" is fine: URLs escape it (core.converters)
        raise ValidationError({"reference": _("reference must not contain control characters")})
    return reference


def _text(value: Any, field: str, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("say why: a reason is required")})
    if len(text) > MAX_REASON:
        raise ValidationError({field: _("%(field)s is longer than %(max)d characters")
                               % {"field": field, "max": MAX_REASON}})
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in text):
        raise ValidationError({field: _("%(field)s must not contain control characters") % {"field": field}})
    return text


# --- reasons -----------------------------------------------------------------------------------------

def _money(value: Decimal) -> str:
    return str(quantize(value))


def reasons_for(figures: Standing, amount: Decimal, spec) -> list[dict]:
    """Every reason the order cannot simply be approved, each with the figures behind it."""
    reasons: list[dict] = []

    def add(code: str, **params):
        reasons.append({"code": str(code), "params": params})

    if figures.blacklisted:
        add(CheckReason.BLACKLISTED)
    if figures.stop_supply:
        add(CheckReason.STOP_SUPPLY, max_days_overdue=figures.max_days_overdue,
            overdue_amount=_money(figures.overdue_amount))
    # the policy's other knock-outs (blacklist and stop-supply have their own reasons above): nothing is
    # available while one applies, so the order is blocked
    others = [k for k in figures.knockouts if k not in ("blacklist", "stop_supply")]
    if others:
        add(CheckReason.KNOCKOUT, knockouts=others)
    if spec.block_grade_c_unsecured and figures.grade == Grade.C and not figures.secured:
        add(CheckReason.GRADE_C_UNSECURED, grade=figures.grade)
    if figures.customer_status != CustomerStatus.ACTIVE:
        add(CheckReason.INACTIVE, status=figures.customer_status)
    if figures.limit <= 0:
        add(CheckReason.NO_LIMIT, amount=_money(amount), exposure=_money(figures.exposure))
    elif amount > figures.headroom:  # the limit alone (a knock-out has its own reason above)
        add(CheckReason.OVER_LIMIT, amount=_money(amount), limit=_money(figures.limit),
            exposure=_money(figures.exposure), available=_money(figures.headroom),
            shortfall=_money(amount - figures.headroom))
    if figures.max_days_overdue > spec.hold_overdue_days:
        add(CheckReason.OVERDUE, max_days_overdue=figures.max_days_overdue, policy_days=spec.hold_overdue_days,
            overdue_amount=_money(figures.overdue_amount))
    if spec.hold_when_review_expired and figures.review_expired:
        add(CheckReason.REVIEW_EXPIRED, next_review=figures.next_review.isoformat())
    return reasons


def decision_for(reasons: list[dict]) -> str:
    if any(r["code"] in BLOCKING for r in reasons):
        return Decision.BLOCK
    return Decision.HOLD if reasons else Decision.APPROVE


def reason_message(reason: dict) -> str:
    """A reason in the active language, with its figures."""
    p = reason.get("params") or {}
    code = reason.get("code")

    def amount(key: str) -> str:
        return format_amount(Decimal(p[key])) if p.get(key) is not None else "—"

    if code == CheckReason.OVER_LIMIT:
        return _("Order %(amount)s is above the available limit %(available)s (limit %(limit)s, exposure "
                 "%(exposure)s; short by %(shortfall)s).") % {k: amount(k) for k in
                                                               ("amount", "available", "limit", "exposure",
                                                                "shortfall")}
    if code == CheckReason.NO_LIMIT:
        return _("No credit limit has been approved for this customer (exposure %(exposure)s).") % {
            "exposure": amount("exposure")}
    if code == CheckReason.OVERDUE:
        return _("An open item is %(days)s days overdue, more than the %(policy)s days the policy allows "
                 "(overdue %(overdue)s).") % {"days": p.get("max_days_overdue"), "policy": p.get("policy_days"),
                                              "overdue": amount("overdue_amount")}
    if code == CheckReason.GRADE_C_UNSECURED:
        return _("Grade C without a valid collateral or third-party guarantee.")
    if code == CheckReason.STOP_SUPPLY:
        return _("A stop-supply flag is active (oldest item %(days)s days overdue, overdue %(overdue)s).") % {
            "days": p.get("max_days_overdue"), "overdue": amount("overdue_amount")}
    if code == CheckReason.BLACKLISTED:
        return _("The customer is blacklisted.")
    if code == CheckReason.KNOCKOUT:
        return _("Knock-out: %(knockouts)s; no credit is available while it applies.") % {
            "knockouts": knockout_text(p.get("knockouts") or ())}
    if code == CheckReason.REVIEW_EXPIRED:
        return _("The credit review was due on %(date)s and has not been done.") % {"date": p.get("next_review")}
    if code == CheckReason.INACTIVE:
        return _("The customer is not active (status: %(status)s).") % {"status": p.get("status")}
    return str(code)


# --- the check ---------------------------------------------------------------------------------------

class _NoProfile(Exception):
    pass


def _visible_customer(actor, customer):
    """The customer (given as an object or a code) if `actor` may see it; Http404 otherwise."""
    if isinstance(customer, str):  # no code holds a control character (and PostgreSQL cannot compare a NUL)
        printable = not any(ord(ch) < 32 or ord(ch) == 127 for ch in customer)
        found = visible_customers(actor).filter(code=customer).first() if printable else None
        if found is None:
            raise Http404(_("No customer %s in your portfolio.") % customer)
        return found
    if not visible_customers(actor).filter(pk=customer.pk).exists():
        raise Http404(_("No customer %s in your portfolio.") % customer.code)
    return customer


def run_check(*, actor, customer, amount, currency, reference) -> tuple[CreditCheck, bool]:
    """Check a sales order; returns (check, created). Replaying a reference returns the first answer.

    `customer` is a Customer or its code (an ERP sends the code: one scoped lookup instead of two)."""
    require(actor, "credit.request_check")
    customer = _visible_customer(actor, customer)
    amount, currency, reference = clean_amount(amount), clean_currency(currency), clean_reference(reference)
    for _attempt in range(3):
        try:
            check, created = _check(actor, customer, amount, currency, reference)
            check.customer = customer  # the caller shows it: no second read
            return check, created
        except _NoProfile:
            CreditProfile.objects.get_or_create(customer=customer)
        except IntegrityError:
            pass  # the same reference was checked for the same customer at the same moment
        existing = _seen(actor, reference, customer)
        if existing is not None:
            return _replay(existing, customer, amount, currency), False
    raise CreditError(_("the check could not be completed; try again"))


def _seen(actor, reference: str, customer) -> CreditCheck | None:
    """The check of `reference` the replay answers with: the customer's own, else one of another customer
    the actor may see (a conflict); a check the actor may not see is no answer (module docstring)."""
    checks = CreditCheck.objects.filter(reference=reference)
    return (checks.filter(customer_id=customer.pk).first()
            or checks.filter(customer__in=visible_customers(actor)).order_by("pk").first())


def _replay(existing: CreditCheck, customer, amount: Decimal, currency: str) -> CreditCheck:
    if existing.customer_id != customer.pk or existing.amount != amount or existing.currency != currency:
        raise Conflict(_("replayed reference %(ref)s: it was already checked with different content "
                         "(customer, amount or currency)") % {"ref": existing.reference})
    return existing


def _check(actor, customer, amount: Decimal, currency: str, reference: str) -> tuple[CreditCheck, bool]:
    """The check itself, in one transaction with the customer's profile row locked (see the module docstring)."""
    with transaction.atomic(durable=True):
        if not CreditProfile.objects.select_for_update().filter(customer_id=customer.pk).values_list(
                "pk", flat=True).first():
            raise _NoProfile
        existing = _seen(actor, reference, customer)
        if existing is not None:
            return _replay(existing, customer, amount, currency), False
        spec, today = policy_module.current(), timezone.localdate()
        rates = rates_on(today)
        rate = rates.rate(currency).quantize(RATE_PLACES)  # MissingRate (409) before anything is written
        functional_amount = rates.to_functional(amount, currency)
        figures = standing(customer, today, exclude_reference=reference, knockouts=spec.knockouts, rates=rates)
        reasons = reasons_for(figures, functional_amount, spec)
        decision = decision_for(reasons)
        check = CreditCheck.objects.create(
            reference=reference, customer_id=customer.pk, amount=amount, currency=currency, fx_rate=rate,
            functional_amount=functional_amount, decision=decision, reasons=reasons, status=STATUS_OF[decision], limit_at_check=figures.limit,
            exposure_at_check=figures.exposure, requested_by=actor if getattr(actor, "pk", None) else None)
        record(actor, "credit_check.run", "creditcheck", check.pk,
               after={"reference": reference, "customer": customer.pk, "amount": amount, "currency": currency,
                      "functional_amount": functional_amount, "decision": decision,
                      "status": check.status, "reasons": [r["code"] for r in reasons],
                      "limit": figures.limit, "exposure": figures.exposure})
        if to_fen(functional_amount) >= spec.large_order_fen:
            assessments.reassess_later([customer.pk], Trigger.LARGE_ORDER, actor=actor)
    return check, True


# --- after the check ---------------------------------------------------------------------------------

def _move(actor, check: CreditCheck, perm: str, allowed: tuple, **changes) -> CreditCheck:
    """Claim the state change with a conditional UPDATE on the current status; 409 if it moved on."""
    require(actor, perm)
    visible_check(actor, check.reference, customer_id=check.customer_id)  # this check, not one of the same reference
    if not CreditCheck.objects.filter(pk=check.pk, status__in=allowed).update(**changes):
        current = CreditCheck.objects.get(pk=check.pk)
        raise Conflict(_("the check is %(status)s; this step needs it to be %(allowed)s") % {
            "status": current.get_status_display(),
            "allowed": " / ".join(str(CheckStatus(s).label) for s in allowed)})
    check.refresh_from_db()
    return check


def release(*, actor, check: CreditCheck) -> CreditCheck:
    """The order was invoiced: its exposure now sits in the invoice, so the reservation ends."""
    with transaction.atomic(durable=True):
        before = check.status
        check = _move(actor, check, "credit.request_check", (CheckStatus.RESERVED,),
                      status=CheckStatus.RELEASED, closed_at=timezone.now())
        record(actor, "credit_check.released", "creditcheck", check.pk, before={"status": before},
               after={"status": check.status, "reference": check.reference})
    return check


def cancel(*, actor, check: CreditCheck, reason: str = "") -> CreditCheck:
    """The order will not ship: whatever it reserved or asked for ends."""
    reason = _text(reason, "reason", required=False)
    with transaction.atomic(durable=True):
        before = check.status
        check = _move(actor, check, "credit.request_check", CANCELLABLE,
                      status=CheckStatus.CANCELLED, closed_at=timezone.now())
        record(actor, "credit_check.cancelled", "creditcheck", check.pk, before={"status": before},
               after={"status": check.status, "reference": check.reference, "reason": reason})
    return check


def request_override(*, actor, check: CreditCheck, reason: str) -> CreditCheck:
    """Ask a risk manager to let a held order through; the reason is required."""
    require(actor, "credit.request_check")
    reason = _text(reason, "reason", required=True)
    if check.status == CheckStatus.BLOCKED:
        raise Conflict(_("a blocked order cannot be overridden: lift its cause (%s) and check it again")
                       % ", ".join(str(CheckReason(r["code"]).label) for r in check.reasons
                                   if r["code"] in BLOCKING))
    with transaction.atomic(durable=True):
        check = _move(actor, check, "credit.request_check", (CheckStatus.HELD,),
                      status=CheckStatus.OVERRIDE_REQUESTED, override_reason=reason, override_requested_by=actor)
        record(actor, "credit_check.override_requested", "creditcheck", check.pk, before={"status": "held"},
               after={"status": check.status, "reference": check.reference, "reason": reason})
        _tell_approvers(actor, check)
    return check


def _tell_approvers(actor, check: CreditCheck) -> None:
    approvers = [u for u in users_with_perm("credit.approve_override") if u.pk != actor.pk]
    tell(approvers, template=Template.APPROVAL_REQUEST,
         title=_("Override requested: order %(ref)s of %(customer)s (%(amount)s)") % {
             "ref": check.reference, "customer": check.customer.name, "amount": format_amount(check.amount)},
         body=check.override_reason, link=check_link(check), level="warning")


def check_link(check: CreditCheck) -> str:
    return reverse("credit-check", kwargs={"reference": check.reference})


def _not_own(actor, check: CreditCheck) -> None:
    if actor.pk in {check.override_requested_by_id, check.requested_by_id}:
        raise SelfApproval(_("you asked for this order's check or its override; somebody else must decide"))


def approve_override(*, actor, check: CreditCheck) -> CreditCheck:
    """Let a held order through (maker-checker): its amount is reserved."""
    require(actor, "credit.approve_override")
    _not_own(actor, check)
    with transaction.atomic(durable=True):
        check = _move(actor, check, "credit.approve_override", (CheckStatus.OVERRIDE_REQUESTED,),
                      status=CheckStatus.RESERVED, override_approved_by=actor, overridden_at=timezone.now())
        record(actor, "credit_check.override_approved", "creditcheck", check.pk,
               before={"status": CheckStatus.OVERRIDE_REQUESTED},
               after={"status": check.status, "reference": check.reference, "amount": check.amount,
                      "requested_by": check.override_requested_by_id})
        _tell_requester(check, approved=True, note="")
    return check


def reject_override(*, actor, check: CreditCheck, note: str = "") -> CreditCheck:
    """Refuse the override: the order stays held."""
    require(actor, "credit.approve_override")
    _not_own(actor, check)
    note = _text(note, "note", required=False)
    with transaction.atomic(durable=True):
        check = _move(actor, check, "credit.approve_override", (CheckStatus.OVERRIDE_REQUESTED,),
                      status=CheckStatus.HELD)
        record(actor, "credit_check.override_rejected", "creditcheck", check.pk,
               before={"status": CheckStatus.OVERRIDE_REQUESTED},
               after={"status": check.status, "reference": check.reference, "note": note})
        _tell_requester(check, approved=False, note=note)
    return check


def _tell_requester(check: CreditCheck, *, approved: bool, note: str) -> None:
    title = (_("Override approved: order %s may ship") if approved
             else _("Override refused: order %s stays held")) % check.reference
    tell([check.override_requested_by], template=Template.APPROVAL_DECIDED, title=title, body=note,
         link=check_link(check), level="info" if approved else "warning")
