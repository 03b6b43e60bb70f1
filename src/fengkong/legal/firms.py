"""State changes of the law firms and of a case's money: registering a firm and its users, engaging it on a
case or a batch of standard cases under a fee arrangement, checking its invoices against that arrangement,
and the costs and recoveries of a case. Same habits as legal.actions: keyword-only actor, permission inside,
one transaction, an audit event and a timeline event.

A firm's invoice is refused (FeeMismatch) when it asks for more than the arrangement gives on that case;
the message names the amount expected and how it is made up (engine.firm_fees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.accounts.choices import Role
from fengkong.core import uscc
from fengkong.core.audit import record
from fengkong.core.money import format_amount, from_fen, to_fen
from fengkong.core.permissions import require
from fengkong.engine import court_fees, firm_fees

from .actions import event, visible_case
from .choices import CostKind, EngagementScope, FeeKind, Procedure, Stage
from .exceptions import FeeMismatch, LegalError, StageDetailsInvalid
from .models import CaseCost, Engagement, FirmInvoice, LawFirm, LegalCase, Recovery, works_for_firm

MANAGE = "legal.manage_firms"
# The parts an arrangement of each kind must have (engine.firm_fees); a mixed one needs two or more.
PARTS = {FeeKind.FIXED: {"fixed_fee"}, FeeKind.HOURLY: {"hourly_rate"}, FeeKind.CONTINGENCY: {"contingency_share"}}
PART_LABELS = {"fixed_fee": "the fixed fee", "hourly_rate": "the hourly rate",
               "contingency_share": "the contingency share"}


@dataclass(frozen=True)
class FeeArrangement:
    kind: str
    fixed_fee: Decimal = Decimal("0.00")  # per case
    hourly_rate: Decimal = Decimal("0.00")
    contingency_share: Decimal = Decimal("0.00")  # percent of the recoveries, 0-100


def check_arrangement(fees: FeeArrangement) -> None:
    """Every problem of an arrangement at once: the parts its kind needs set, no others, in range."""
    if fees.kind not in FeeKind.values:
        raise StageDetailsInvalid([f"unknown fee arrangement {fees.kind!r}: one of {', '.join(FeeKind.values)}"])
    values = {"fixed_fee": fees.fixed_fee, "hourly_rate": fees.hourly_rate,
              "contingency_share": fees.contingency_share}
    problems = [f"{PART_LABELS[name]} must be at least 0, not {value}" for name, value in values.items()
                if value is None or value < 0]
    if fees.contingency_share is not None and fees.contingency_share > 100:
        problems.append(f"the contingency share is a percentage of the recoveries, at most 100, not "
                        f"{fees.contingency_share}")
    if problems:
        raise StageDetailsInvalid(problems)
    present = {name for name, value in values.items() if value > 0}
    if fees.kind == FeeKind.MIXED:
        if len(present) < 2:
            problems.append("a mixed arrangement has at least two of a fixed fee, an hourly rate and a contingency "
                            "share")
    else:
        needed = PARTS[fees.kind]
        problems += [f"a {FeeKind(fees.kind).label.lower()} arrangement needs {PART_LABELS[name]}"
                     for name in sorted(needed - present)]
        problems += [f"a {FeeKind(fees.kind).label.lower()} arrangement has no {PART_LABELS[name][4:]} (it is "
                     f"{values[name]}): choose a mixed arrangement" for name in sorted(present - needed)]
    if problems:
        raise StageDetailsInvalid(problems)


@transaction.atomic(durable=True)
def register_firm(*, actor, name: str, credit_code: str = "", contact: str = "", phone: str = "",
                  email: str = "") -> LawFirm:
    require(actor, MANAGE)
    name, credit_code = name.strip(), credit_code.strip().upper()
    problems = []
    if not name:
        problems.append("give the firm's name")
    elif LawFirm.objects.filter(name=name).exists():
        problems.append(f"a firm named “{name}” is registered already")
    if credit_code and not uscc.is_valid(credit_code):
        problems.append(f"“{credit_code}” is not a valid unified social credit code (18 characters, check digit "
                        "per GB 32100-2015)")
    if problems:
        raise StageDetailsInvalid(problems)
    firm = LawFirm.objects.create(name=name[:120], credit_code=credit_code, contact=contact.strip()[:60],
                                  phone=phone.strip()[:40], email=email.strip()[:254], created_by=actor)
    record(actor, "law_firm.registered", "lawfirm", firm.pk, after={"name": firm.name, "credit_code": credit_code})
    return firm


@transaction.atomic(durable=True)
def add_firm_user(*, actor, firm: LawFirm, username: str) -> LawFirm:
    """Make a user of the `law_firm` role a user of `firm`: from then on they see its engaged cases."""
    require(actor, MANAGE)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LegalError(_("There is no user “%(name)s”.") % {"name": username})
    if not user.groups.filter(name=Role.LAW_FIRM).exists():
        raise LegalError(_("“%(name)s” does not have the law-firm role: give it to them first.") % {"name": username})
    other = user.law_firms.exclude(pk=firm.pk).first()
    if other is not None:
        raise LegalError(_("“%(name)s” is a user of %(firm)s already.") % {"name": username, "firm": other.name})
    firm.members.add(user)
    record(actor, "law_firm.user_added", "lawfirm", firm.pk, after={"user": username})
    return firm


def next_engagement_number(year: int) -> str:
    prefix = f"WT-{year}-"
    last = Engagement.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    return f"{prefix}{int(last[0][len(prefix):]) + 1 if last else 1:04d}"


@transaction.atomic(durable=True)
def engage_firm(*, actor, firm: LawFirm, cases: list[LegalCase], fees: FeeArrangement, engaged_on: date,
                note: str = "") -> Engagement:
    """Engage `firm` on one case or a batch of standard cases (the arrangement applies per case)."""
    require(actor, MANAGE)
    if not firm.active:
        raise LegalError(_("%(firm)s is no longer active.") % {"firm": firm.name})
    if not cases:
        raise LegalError(_("Choose the case or cases to engage the firm on."))
    check_arrangement(fees)
    locked = [visible_case(actor, case, "legal.change_legalcase") for case in cases]
    problems = [_("%(number)s is closed.") % {"number": c.number} for c in locked if c.stage == Stage.CLOSED]
    problems += [_("%(number)s is engaged to %(firm)s already.") % {"number": c.number, "firm": c.engagement.firm.name}
                 for c in locked if c.engagement_id and c.engagement.ended_on is None]
    if engaged_on > timezone.localdate():
        problems.append(_("The engagement date %(day)s is in the future.") % {"day": engaged_on})
    if problems:
        raise StageDetailsInvalid(problems)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                engagement = Engagement.objects.create(
                    number=next_engagement_number(engaged_on.year), firm=firm,
                    scope=EngagementScope.CASE if len(locked) == 1 else EngagementScope.BATCH, fee_kind=fees.kind,
                    fixed_fee=fees.fixed_fee, hourly_rate=fees.hourly_rate, contingency_share=fees.contingency_share,
                    engaged_on=engaged_on, engaged_by=actor, note=note.strip())
            break
        except IntegrityError:
            continue  # another engagement took the number at the same moment
    else:
        raise LegalError("could not number the engagement: firms are being engaged concurrently")
    engagement.engaged_cases.add(*locked)
    for case in locked:
        case.engagement, case.engaged_on = engagement, engaged_on
        case.save(update_fields=["engagement", "engaged_on"])
        event(case, "engaged", actor, firm=firm.name, engagement=engagement.number, fee_kind=fees.kind)
    record(actor, "law_firm.engaged", "engagement", engagement.pk,
           after={"firm": firm.name, "cases": [c.number for c in locked], "fee_kind": fees.kind,
                  "fixed_fee": fees.fixed_fee, "hourly_rate": fees.hourly_rate,
                  "contingency_share": fees.contingency_share})
    return engagement


END_REASON_LENGTH = 2000


@transaction.atomic(durable=True)
def end_engagement(*, actor, engagement: Engagement, ended_on: date, reason: str) -> Engagement:
    """End a firm's engagement on its case (or its batch of cases) on `ended_on`, saying why: from then on the
    firm's users neither see nor work those cases, and each may be engaged to another firm. Its invoices for
    the work done before stay recordable; the case keeps the engagement in its history."""
    require(actor, MANAGE)
    if works_for_firm(actor):
        raise PermissionDenied(_("An engagement is ended by the company, not by the law firm."))
    engagement = Engagement.objects.select_for_update().select_related("firm").get(pk=engagement.pk)
    cases = [visible_case(actor, case, "legal.change_legalcase") for case in engagement.cases.order_by("pk")]
    if engagement.ended_on is not None:
        raise LegalError(_("%(number)s ended on %(day)s already.") % {"number": engagement.number,
                                                                      "day": engagement.ended_on})
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append("say why the engagement ends (the reason is kept with it)")
    elif len(reason) > END_REASON_LENGTH:
        problems.append(f"the reason is {len(reason)} characters long: at most {END_REASON_LENGTH}")
    if ended_on < engagement.engaged_on:
        problems.append(f"the end date {ended_on} is before the engagement started ({engagement.engaged_on})")
    if ended_on > timezone.localdate():
        problems.append(f"the end date {ended_on} is in the future: end the engagement on the day it ends")
    if problems:
        raise StageDetailsInvalid(problems)
    engagement.ended_on, engagement.end_reason = ended_on, reason
    engagement.ended_by, engagement.ended_at = actor, timezone.now()
    engagement.save(update_fields=["ended_on", "end_reason", "ended_by", "ended_at"])
    engagement.engaged_cases.add(*cases)  # an engagement made before the history was kept
    for case in cases:
        event(case, "engagement_ended", actor, firm=engagement.firm.name, engagement=engagement.number,
              ended_on=ended_on, reason=reason)
    record(actor, "law_firm.engagement_ended", "engagement", engagement.pk, before={"ended_on": None},
           after={"firm": engagement.firm.name, "cases": [c.number for c in cases], "ended_on": ended_on,
                  "reason": reason})
    return engagement


def arrangement_of(engagement: Engagement) -> firm_fees.Arrangement:
    return firm_fees.Arrangement(fixed_fen=to_fen(engagement.fixed_fee),
                                 hourly_rate_fen=to_fen(engagement.hourly_rate),
                                 share_bp=int(engagement.contingency_share * 100))


def invoiced_before(engagement: Engagement, case: LegalCase) -> firm_fees.Invoiced:
    sums = FirmInvoice.objects.filter(engagement=engagement, case=case).aggregate(
        fixed=Sum("fixed_part"), hourly=Sum("hourly_part"), contingency=Sum("contingency_part"))
    return firm_fees.Invoiced(*(to_fen(sums[k] or Decimal("0.00")) for k in ("fixed", "hourly", "contingency")))


def fee_allowed(case: LegalCase, hours: Decimal) -> firm_fees.Allowed:
    """What the case's firm may invoice now for `hours` (its arrangement, the recoveries, what it invoiced)."""
    engagement = case.engagement
    return firm_fees.allowed(arrangement_of(engagement), hours_centi=int(hours * 100),
                             recovered_fen=to_fen(case.recovered), before=invoiced_before(engagement, case))


def percent(share: Decimal) -> str:
    return f"{share:f}".rstrip("0").rstrip(".") if "." in f"{share:f}" else f"{share:f}"


def explain(limit: firm_fees.Allowed, engagement: Engagement, hours: Decimal) -> str:
    parts = []
    if engagement.fixed_fee:
        parts.append(_("fixed fee %(left)s still to invoice of %(fee)s") % {
            "left": format_amount(from_fen(limit.fixed_fen)), "fee": format_amount(engagement.fixed_fee)})
    if engagement.hourly_rate:
        parts.append(_("%(hours)s hours at %(rate)s = %(fee)s") % {
            "hours": hours, "rate": format_amount(engagement.hourly_rate),
            "fee": format_amount(from_fen(limit.hourly_fen))})
    if engagement.contingency_share:
        parts.append(_("%(share)s%% of %(recovered)s recovered, less what was invoiced on it before = %(fee)s") % {
            "share": percent(engagement.contingency_share), "recovered": format_amount(from_fen(limit.recovered_fen)),
            "fee": format_amount(from_fen(limit.contingency_fen))})
    return "; ".join(parts)


@transaction.atomic(durable=True)
def record_firm_invoice(*, actor, case: LegalCase, number: str, issued_on: date, amount: Decimal,
                        hours: Decimal = Decimal("0.00")) -> FirmInvoice:
    """A firm's invoice on `case`, checked against its arrangement: more than it gives is refused with the
    amount expected; an accepted one becomes the case's lawyers' fees."""
    require(actor, MANAGE)
    case = visible_case(actor, case, "legal.view_legalcase")
    engagement = case.engagement
    if engagement is None:
        raise LegalError(_("%(number)s has no law firm engaged: engage one before recording its invoices.")
                         % {"number": case.number})
    problems = []
    if not number.strip():
        problems.append("give the firm's invoice number")
    elif FirmInvoice.objects.filter(engagement=engagement, number=number.strip()).exists():
        problems.append(f"invoice {number.strip()} of {engagement.firm.name} is recorded already")
    if amount is None or amount <= 0 or amount.as_tuple().exponent < -2:
        problems.append(f"the amount must be more than 0, in yuan to the fen, not {amount}")
    if hours is None or hours < 0 or hours.as_tuple().exponent < -2:
        problems.append(f"hours must be at least 0 with at most two decimals, not {hours}")
    elif hours and not engagement.hourly_rate:
        problems.append(f"the arrangement of {engagement.number} has no hourly rate: an invoice of hours does not fit")
    if issued_on > timezone.localdate():
        problems.append(f"the invoice date {issued_on} is in the future")
    if problems:
        raise StageDetailsInvalid(problems)
    limit = fee_allowed(case, hours)
    expected = from_fen(limit.total_fen)
    if amount > expected:
        raise FeeMismatch(_("Invoice %(number)s asks for %(amount)s but the arrangement of %(engagement)s "
                            "(%(kind)s) gives %(expected)s on %(case)s: %(how)s.") % {
            "number": number.strip(), "amount": format_amount(amount), "engagement": engagement.number,
            "kind": FeeKind(engagement.fee_kind).label, "expected": format_amount(expected), "case": case.number,
            "how": explain(limit, engagement, hours)}, expected)
    parts = firm_fees.allot(to_fen(amount), limit)
    invoice = FirmInvoice.objects.create(
        engagement=engagement, case=case, number=number.strip()[:40], issued_on=issued_on, hours=hours,
        amount=amount, expected=expected, fixed_part=from_fen(parts.fixed_fen),
        hourly_part=from_fen(parts.hourly_fen), contingency_part=from_fen(parts.contingency_fen), recorded_by=actor)
    CaseCost.objects.create(case=case, kind=CostKind.LAWYER_FEE, amount=amount, incurred_on=issued_on,
                            note=f"{engagement.firm.name} {invoice.number}"[:200], firm_invoice=invoice,
                            recorded_by=actor)
    event(case, "firm_invoice", actor, firm=engagement.firm.name, number=invoice.number, amount=amount,
          expected=expected)
    record(actor, "firm_invoice.recorded", "firminvoice", invoice.pk,
           after={"case": case.number, "engagement": engagement.number, "number": invoice.number, "amount": amount,
                  "hours": hours, "expected": expected})
    return invoice


def court_fee_of(case: LegalCase) -> Decimal:
    """The acceptance fee of the case's claim by the scale (half under the summary procedure)."""
    fee = court_fees.acceptance_fee(to_fen(case.claim), summary=case.procedure == Procedure.SUMMARY)
    return from_fen(fee.fee_fen)


@transaction.atomic(durable=True)
def record_cost(*, actor, case: LegalCase, kind: str, amount: Decimal | None, incurred_on: date,
                note: str = "") -> CaseCost:
    """A cost of the case: a court fee (the scale's acceptance fee of the claim when no amount is given), a
    preservation guarantee's cost, another cost. Lawyers' fees come from the firm's invoices."""
    require(actor, "legal.add_casecost")
    case = visible_case(actor, case, "legal.change_legalcase")
    if kind == CostKind.LAWYER_FEE:
        raise LegalError(_("Lawyers' fees come from the firm's invoices: record the invoice, checked against "
                           "the arrangement."))
    problems = []
    if kind not in CostKind.values:
        problems.append(f"unknown kind of cost {kind!r}: one of {', '.join(CostKind.values)}")
    if amount is None and kind == CostKind.COURT_FEE:
        amount = court_fee_of(case)
    if amount is None or amount <= 0 or amount.as_tuple().exponent < -2:
        problems.append(f"the amount must be more than 0, in yuan to the fen, not {amount}")
    if incurred_on > timezone.localdate():
        problems.append(f"the date {incurred_on} is in the future")
    if problems:
        raise StageDetailsInvalid(problems)
    cost = CaseCost.objects.create(case=case, kind=kind, amount=amount, incurred_on=incurred_on,
                                   note=note.strip()[:200], recorded_by=actor)
    event(case, "cost", actor, kind=kind, amount=amount, note=cost.note)
    record(actor, "legal_case.cost_recorded", "legalcase", case.pk,
           after={"cost": cost.pk, "kind": kind, "amount": amount, "on": incurred_on})
    return cost


@transaction.atomic(durable=True)
def record_recovery(*, actor, case: LegalCase, amount: Decimal, received_on: date, note: str = "") -> Recovery:
    """Money recovered on the case; the case's recovered amount grows by it (never past the claim)."""
    require(actor, "legal.add_recovery")
    case = visible_case(actor, case, "legal.change_legalcase")
    problems = []
    if case.stage == Stage.CLOSED:
        raise LegalError(_("The case is closed: it cannot move any more."))
    if amount is None or amount <= 0 or amount.as_tuple().exponent < -2:
        problems.append(f"the amount must be more than 0, in yuan to the fen, not {amount}")
    elif case.recovered + amount > case.claim:
        problems.append(f"{format_amount(case.recovered)} is recovered already: {format_amount(amount)} more would "
                        f"pass the claim of {format_amount(case.claim)}")
    if received_on > timezone.localdate():
        problems.append(f"the date {received_on} is in the future")
    if problems:
        raise StageDetailsInvalid(problems)
    recovery = Recovery.objects.create(case=case, amount=amount, received_on=received_on, note=note.strip()[:200],
                                       recorded_by=actor)
    before = case.recovered
    case.recovered = before + amount
    case.save(update_fields=["recovered"])
    event(case, "recovery", actor, amount=amount, received_on=received_on, note=recovery.note)
    record(actor, "legal_case.recovery_recorded", "legalcase", case.pk, before={"recovered": before},
           after={"recovered": case.recovered, "amount": amount, "on": received_on})
    return recovery


def refuse_firm_user(user) -> None:
    """Pages and endpoints outside a law firm's cases refuse its users, whatever else they were granted."""
    if works_for_firm(user):
        raise PermissionDenied("a law firm's users see the cases engaged to their firm only")
