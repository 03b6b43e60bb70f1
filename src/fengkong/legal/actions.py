"""State changes of legal cases, one function each: keyword-only actor, permission inside, one transaction,
an audit event and a timeline event (CaseEvent).

A case is moved only by `move_case`, under select_for_update, through the table and conditions of
legal.stages; the deadlines a stage's dates set are written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import jsonable, record
from fengkong.core.permissions import require, scope
from fengkong.customers.models import Customer
from fengkong.engine import legal_periods as periods
from fengkong.evidence.actions import Description, keep
from fengkong.monitoring.actions import complete_action_item
from fengkong.monitoring.choices import ActionKind, ActionStatus
from fengkong.monitoring.models import ActionItem
from fengkong.receivables.models import Invoice

from . import stages
from .choices import DeadlineKind, Origin, PreservationChoice, SeizureKind, Stage
from .exceptions import IllegalMove, LegalError, StageDetailsInvalid
from .models import (
    CaseDocument,
    CaseEvent,
    LegalCase,
    LegalDeadline,
    PreservationDecision,
    Seizure,
    StageRecord,
    works_for_firm,
)
from .preservation import signs_of

RENEWAL_NOTICE_DAYS = 30  # the renewal reminder stands this long before a seizure expires
# What the company decides itself, never the law firm working the case: closing (a write-off) and a swap.
COMPANY_DECIDES = {Stage.CLOSED, Stage.RESTRUCTURING}


@dataclass(frozen=True)
class Claim:
    principal: Decimal
    interest: Decimal = Decimal("0.00")
    liquidated_damages: Decimal = Decimal("0.00")
    costs: Decimal = Decimal("0.00")


def event(case: LegalCase, what: str, user, **params: Any) -> CaseEvent:
    """One line of the case's timeline."""
    return CaseEvent.objects.create(case=case, kind=what, user=user if getattr(user, "pk", None) else None,
                                    params=jsonable(params))


def visible_case(actor, case: LegalCase, perm: str) -> LegalCase:
    require(actor, perm)
    if not LegalCase.objects.for_user(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("this case's customer is not in your portfolio")
    return LegalCase.objects.select_for_update().get(pk=case.pk)


def next_number(year: int) -> str:
    prefix = f"FW-{year}-"
    last = LegalCase.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    return f"{prefix}{int(last[0][len(prefix):]) + 1 if last else 1:04d}"


def check_claim(claim: Claim) -> None:
    problems = [f"{name.replace('_', ' ')} must be at least 0, not {value}" for name, value in vars(claim).items()
                if value is None or value < 0]
    if not problems and claim.principal <= 0:
        problems.append(f"the principal must be more than 0, not {claim.principal}")
    if problems:
        raise StageDetailsInvalid(problems)


@transaction.atomic(durable=True)
def open_case(*, actor, customer: Customer, claim: Claim, summary: str = "", owner=None,
              referral: ActionItem | None = None) -> LegalCase:
    """Open a legal case against `customer`, by a person or from a danger-zone referral task (which is then
    done: the referral became this case)."""
    require(actor, "legal.open_case")
    if not scope(Customer.objects.filter(pk=customer.pk), actor, customer_path="").exists():
        raise PermissionDenied("this customer is not in your portfolio")
    check_claim(claim)
    if referral is not None:
        if referral.kind != ActionKind.LEGAL_REFERRAL or referral.customer_id != customer.pk:
            raise LegalError(_("Task %(pk)s is not a legal referral of %(code)s.") % {"pk": referral.pk,
                                                                                    "code": customer.code})
        if LegalCase.objects.filter(referral=referral).exists():
            raise LegalError(_("The referral has become case %(number)s already.") % {
                "number": LegalCase.objects.get(referral=referral).number})
    for _attempt in range(3):
        try:
            with transaction.atomic():
                case = LegalCase.objects.create(
                    number=next_number(timezone.localdate().year), customer=customer,
                    origin=Origin.REFERRAL if referral else Origin.PERSON, referral=referral,
                    owner=owner or actor, currency=settings.FUNCTIONAL_CURRENCY, summary=summary.strip(),
                    opened_by=actor, **vars(claim))
            break
        except IntegrityError:
            continue  # another case took the number at the same moment
    else:
        raise LegalError("could not number the case: cases are being opened concurrently")
    StageRecord.objects.create(case=case, stage=Stage.OPENED, entered_on=timezone.localdate(), by=actor)
    if referral is not None and referral.status == ActionStatus.OPEN:
        complete_action_item(actor=actor, item=referral, note=f"legal case {case.number}")
    event(case, "opened", actor, origin=case.origin, claim=str(case.claim), referral=referral.pk if referral else None)
    record(actor, "legal_case.opened", "legalcase", case.pk,
           after={"number": case.number, "customer": customer.code, "origin": case.origin, **vars(claim)})
    return case


def open_referral_claim(referral: ActionItem) -> Claim:
    """The claim a referral carries: the customer's open overdue amount (principal); interest and liquidated
    damages are added on the case once the contract terms are read."""
    overdue = Invoice.objects.filter(customer_id=referral.customer_id, open_amount__gt=0,
                                     due_date__lt=timezone.localdate())
    total = sum((i.open_amount for i in overdue), Decimal("0.00"))
    return Claim(principal=total)


@transaction.atomic(durable=True)
def move_case(*, actor, case: LegalCase, stage: str, details: dict[str, Any], note: str = "") -> StageRecord:
    """Move the case to `stage` with that stage's details; refused (IllegalMove) with the reason."""
    case = visible_case(actor, case, "legal.change_legalcase")
    if stage not in Stage.values or stage == Stage.OPENED:
        raise IllegalMove(_("Unknown stage “%(stage)s”.") % {"stage": stage})
    if stage in COMPANY_DECIDES and works_for_firm(actor):
        raise PermissionDenied(_("“%(stage)s” is decided by the company, not by the law firm working the case.")
                               % {"stage": stages.label(stage)})
    parsed = stages.parse_details(stage, details)
    past = stages.Past({r.stage: parse_stored(r) for r in case.stages.order_by("entered_at", "pk")})
    reason = stages.refusal(case.stage, stage, parsed, past, restructuring_approved=bool(case.restructuring_approved_by_id),
                            claim=case.claim, recovered=case.recovered)
    if reason:
        raise IllegalMove(reason)
    before = case.stage
    day = parsed[stages.DATE_OF[stage]]
    stored = StageRecord.objects.create(case=case, stage=stage, entered_on=day, by=actor, note=note.strip(),
                                        details=jsonable(parsed))
    apply_stage(case, stage, parsed)
    write_deadlines(case, stored, parsed, past)
    event(case, "stage", actor, before=before, after=stage, details=parsed, note=note.strip())
    record(actor, "legal_case.moved", "legalcase", case.pk, before={"stage": before},
           after={"stage": stage, "details": parsed, "note": note.strip()})
    return stored


def parse_stored(stage_record: StageRecord) -> dict[str, Any]:
    if stage_record.stage == Stage.OPENED:
        return {}
    return stages.parse_details(stage_record.stage, stage_record.details)


def apply_stage(case: LegalCase, stage: str, details: dict[str, Any]) -> None:
    fields = ["stage"]
    case.stage = stage
    if stage == Stage.LITIGATION:
        case.court, case.procedure = details["court"], details["procedure"]
        case.court_case_number, case.judge = details.get("court_case_number", ""), details.get("judge", "")
        fields += ["court", "procedure", "court_case_number", "judge"]
    if stage == Stage.CLOSED:
        case.outcome, case.closed_on = details["outcome"], details["closed_on"]
        case.recovered = details.get("recovered", case.recovered)
        fields += ["outcome", "closed_on", "recovered"]
        LegalDeadline.objects.filter(case=case, done=False).update(done=True)
    case.save(update_fields=fields)


def write_deadlines(case: LegalCase, stored: StageRecord, details: dict[str, Any], past: stages.Past) -> None:
    """The dates the stage sets: objection and appeal windows, the enforcement application, suit after a
    pre-suit preservation, the bankruptcy claim."""
    stage, found = stored.stage, []
    if stage == Stage.PAYMENT_ORDER and details.get("served_on"):
        found.append((DeadlineKind.OBJECTION, periods.objection_ends(details["served_on"]), ""))
    if stage == Stage.PRESERVATION and details.get("before_suit"):
        start = details.get("ruled_on") or details["applied_on"]
        found.append((DeadlineKind.SUIT_AFTER_PRESERVATION, start + timedelta(days=periods.PRE_SUIT_PRESERVATION_DAYS),
                      ""))
    if stage == Stage.JUDGMENT:
        found.append((DeadlineKind.APPEAL, periods.appeal_ends(details["served_on"]), ""))
        if details.get("performance_deadline"):
            found.append((DeadlineKind.ENFORCEMENT, periods.enforcement_ends(details["performance_deadline"]), ""))
    if stage == Stage.ENFORCEMENT and details.get("performance_deadline"):
        found.append((DeadlineKind.ENFORCEMENT, periods.enforcement_ends(details["performance_deadline"]), ""))
    if stage == Stage.BANKRUPTCY:
        found.append((DeadlineKind.CLAIM_FILING, details["claim_deadline"], details.get("administrator", "")))
    if stage in {Stage.LITIGATION, Stage.APPEAL}:  # the suit is filed: the pre-suit window is met
        LegalDeadline.objects.filter(case=case, kind=DeadlineKind.SUIT_AFTER_PRESERVATION, done=False).update(done=True)
    if stage in {Stage.APPEAL, Stage.ENFORCEMENT}:
        LegalDeadline.objects.filter(case=case, kind__in=[DeadlineKind.APPEAL, DeadlineKind.OBJECTION],
                                     done=False).update(done=True)
    LegalDeadline.objects.bulk_create([LegalDeadline(case=case, kind=kind, due_on=due, stage_record=stored, note=note)
                                       for kind, due, note in found])


@transaction.atomic(durable=True)
def add_hearing(*, actor, case: LegalCase, on: date, note: str = "") -> LegalDeadline:
    case = visible_case(actor, case, "legal.change_legalcase")
    if case.stage not in {Stage.LITIGATION, Stage.APPEAL, Stage.PRESERVATION, Stage.BANKRUPTCY}:
        raise IllegalMove(_("A hearing belongs to litigation or an appeal; the case is at “%(stage)s”.") % {
            "stage": stages.label(case.stage)})
    hearing = LegalDeadline.objects.create(case=case, kind=DeadlineKind.HEARING, due_on=on, note=note.strip()[:200])
    event(case, "hearing", actor, on=on, note=note.strip())
    record(actor, "legal_case.hearing_added", "legalcase", case.pk, after={"on": on, "note": note.strip()})
    return hearing


@transaction.atomic(durable=True)
def record_seizure(*, actor, case: LegalCase, kind: str, description: str, amount: Decimal, seized_on: date,
                   expires_on: date | None = None, renewal_of: Seizure | None = None) -> Seizure:
    """Accounts seized or assets frozen under a preservation ruling; the expiry is the law's (deposits one
    year, movables two, property three) unless the ruling says less, with a renewal reminder before it."""
    case = visible_case(actor, case, "legal.change_legalcase")
    if case.stage == Stage.CLOSED:
        raise IllegalMove(_("The case is closed: it cannot move any more."))
    if not case.stages.filter(stage=Stage.PRESERVATION).exists():
        raise IllegalMove(_("Record the application for property preservation before the seizures it obtained."))
    problems = []
    if kind not in SeizureKind.values:
        problems.append(f"unknown kind of seizure {kind!r}: one of {', '.join(SeizureKind.values)}")
    if amount is None or amount < 0:
        problems.append(f"the amount seized must be at least 0, not {amount}")
    if not description.strip():
        problems.append("say what was seized (the account, the asset)")
    if problems:
        raise StageDetailsInvalid(problems)
    longest = periods.seizure_expires(kind, seized_on)
    expires = expires_on or longest
    today = timezone.localdate()
    if expires > longest:
        raise StageDetailsInvalid([f"a seizure of this kind lasts at most until {longest}, not {expires}"])
    if expires < today:
        raise StageDetailsInvalid([f"the seizure would have expired on {expires}, before today ({today}): check the "
                                   "dates, or record a renewal"])
    if expires <= seized_on:
        raise StageDetailsInvalid([f"the seizure must expire after it was made ({seized_on}), not on {expires}"])
    seizure = Seizure.objects.create(case=case, kind=kind, description=description.strip()[:200], amount=amount,
                                     seized_on=seized_on, expires_on=expires, renewal_of=renewal_of)
    LegalDeadline.objects.bulk_create([
        LegalDeadline(case=case, kind=DeadlineKind.SEIZURE_RENEWAL, seizure=seizure,
                      due_on=max(expires - timedelta(days=RENEWAL_NOTICE_DAYS), today), note=seizure.description),
        LegalDeadline(case=case, kind=DeadlineKind.SEIZURE_EXPIRY, seizure=seizure, due_on=expires,
                      note=seizure.description)])
    if renewal_of is not None:
        LegalDeadline.objects.filter(seizure=renewal_of, done=False).update(done=True)
    event(case, "seizure", actor, kind=kind, description=seizure.description, amount=amount, expires_on=expires,
          renewal_of=renewal_of.pk if renewal_of else None)
    record(actor, "legal_case.seizure_recorded", "legalcase", case.pk,
           after={"seizure": seizure.pk, "kind": kind, "amount": amount, "seized_on": seized_on, "expires_on": expires})
    return seizure


@transaction.atomic(durable=True)
def approve_restructuring(*, actor, case: LegalCase, note: str = "") -> LegalCase:
    """A second person approves the restructuring or debt-to-equity swap (not the one who proposed it)."""
    require(actor, "legal.approve_restructuring")
    case = visible_case(actor, case, "legal.view_legalcase")
    proposed = case.stages.filter(stage=Stage.RESTRUCTURING).order_by("-entered_at", "-pk").first()
    if case.stage != Stage.RESTRUCTURING or proposed is None:
        raise IllegalMove(_("Only a case in restructuring or debt-to-equity can have it approved."))
    if proposed.by_id == actor.pk:
        raise PermissionDenied(_("You proposed this restructuring: another person must approve it."))
    if case.restructuring_approved_by_id:
        raise IllegalMove(_("The restructuring is approved already."))
    case.restructuring_approved_by, case.restructuring_approved_at = actor, timezone.now()
    case.save(update_fields=["restructuring_approved_by", "restructuring_approved_at"])
    event(case, "restructuring_approved", actor, kind=proposed.details.get("kind"), note=note.strip())
    record(actor, "legal_case.restructuring_approved", "legalcase", case.pk, after={"note": note.strip()})
    return case


@transaction.atomic(durable=True)
def attach_document(*, actor, case: LegalCase, chunks, filename: str, description: Description,
                    invoice: Invoice | None = None) -> CaseDocument:
    """A document of the case (a letter sent, a ruling received), kept as evidence of the case's customer
    (and of one of its invoices) and linked to the stage the case is at."""
    case = visible_case(actor, case, "legal.change_legalcase")
    if not works_for_firm(actor):  # the firm's users store the documents of their own cases only
        require(actor, "evidence.store_evidence")
    item = keep(actor=actor, chunks=chunks, filename=filename, description=description, customer=case.customer,
                invoice=invoice, subject=case)
    current = case.stages.order_by("-entered_at", "-pk").first()
    document = CaseDocument.objects.create(case=case, stage_record=current, item=item)
    event(case, "document", actor, item=item.pk, title=item.title, sha256=item.file.sha256)
    record(actor, "legal_case.document_attached", "legalcase", case.pk,
           after={"item": item.pk, "stage": current.stage if current else None})
    return document


def store_case_document(*, actor, subject: LegalCase, chunks, filename: str, description: Description,
                        invoice: Invoice | None = None):
    """The evidence store's way onto a legal case (evidence.subjects): the case's document, its item returned."""
    return attach_document(actor=actor, case=subject, chunks=chunks, filename=filename, description=description,
                           invoice=invoice).item


@transaction.atomic(durable=True)
def complete_deadline(*, actor, deadline: LegalDeadline, note: str = "") -> LegalDeadline:
    visible_case(actor, deadline.case, "legal.change_legalcase")
    if not LegalDeadline.objects.filter(pk=deadline.pk, done=False).update(done=True, note=note.strip()[:200] or
                                                                           deadline.note):
        raise LegalError(_("That date is done already."))
    event(deadline.case, "deadline_done", actor, kind=deadline.kind, due_on=deadline.due_on, note=note.strip())
    record(actor, "legal_deadline.done", "legaldeadline", deadline.pk, after={"kind": deadline.kind})
    deadline.refresh_from_db()
    return deadline


REASON_LENGTH = 2000


@transaction.atomic(durable=True)
def decide_preservation(*, actor, decision: str, reason: str, customer: Customer | None = None,
                        case: LegalCase | None = None) -> PreservationDecision:
    """Record whether to apply for property preservation now (apply now / wait / not needed) and why, on an
    open case or on a customer (a danger-zone customer without a case), with the signs as they stand. An
    "apply now" on a case that has applied already links to that application."""
    require(actor, "legal.decide_preservation")
    if case is not None:
        case = visible_case(actor, case, "legal.view_legalcase")
        if case.stage == Stage.CLOSED:
            raise IllegalMove(_("The case is closed: there is no preservation to decide."))
        customer = case.customer
    elif customer is None or not scope(Customer.objects.filter(pk=customer.pk), actor, customer_path="").exists():
        raise PermissionDenied("this customer is not in your portfolio")
    else:  # a customer with an open case: the decision is the case's
        case = LegalCase.objects.open().filter(customer=customer).order_by("-opened_at", "-pk").first()
        if case is not None:
            case = visible_case(actor, case, "legal.view_legalcase")
    reason = (reason or "").strip()
    problems = []
    if decision not in PreservationChoice.values:
        problems.append(f"decision must be one of {', '.join(PreservationChoice.values)}, not {str(decision)[:40]!r}")
    if not reason:
        problems.append("say why (the reason is kept with the decision)")
    elif len(reason) > REASON_LENGTH:
        problems.append(f"the reason is {len(reason)} characters long: at most {REASON_LENGTH}")
    if problems:
        raise StageDetailsInvalid(problems)
    signs = signs_of([customer], actor)[customer.pk]
    application = None
    if case is not None and decision == PreservationChoice.APPLY_NOW:
        application = case.stages.filter(stage=Stage.PRESERVATION).order_by("-entered_at", "-pk").first()
    made = PreservationDecision.objects.create(customer=customer, case=case, decision=decision, reason=reason,
                                               score=signs.score, signs=jsonable(signs.as_json()),
                                               preservation=application, decided_by=actor)
    after = {"customer": customer.code, "case": case.number if case else None, "decision": decision,
             "reason": reason, "score": signs.score, "signs": [s.kind for s in signs.present],
             "preservation": application.pk if application else None}
    if case is not None:
        event(case, "preservation_decision", actor, decision=decision, reason=reason, score=signs.score)
    record(actor, "preservation.decided", "preservationdecision", made.pk, after=after)
    return made
