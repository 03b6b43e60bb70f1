"""Every change to the contract register: register a contract, upload a document version (analysed and
flagged against the customer's grade), submit it for review, approve it (maker-checker by value, nobody
approves their own), mark it signed."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core import dates, uscc
from fengkong.core.audit import Change, record, record_many
from fengkong.core.permissions import require
from fengkong.credit.choices import SECURED_KINDS
from fengkong.credit.models import CreditProfile, Guarantee
from fengkong.credit.queries import require_customer
from fengkong.customers.models import Customer

from . import policy, reading
from .choices import ChecklistItem, ContractKind, ContractStatus
from .exceptions import ApprovalLevel, ChecklistIncomplete, EvidenceMissing, OwnContract, WrongStatus
from .models import Contract, ContractDocument, DueDiligenceItem


def _snapshot(contract: Contract) -> dict:
    return {"number": contract.number, "customer": contract.customer_id, "kind": contract.kind,
            "status": contract.status, "value": str(contract.value), "currency": contract.currency,
            "payment_term_days": contract.payment_term_days,
            "starts_on": contract.starts_on.isoformat() if contract.starts_on else None,
            "ends_on": contract.ends_on.isoformat() if contract.ends_on else None}


@transaction.atomic
def register_contract(*, actor, customer: Customer, number: str, kind: str = ContractKind.SALES,
                      value: Decimal = Decimal(0), currency: str | None = None, payment_term_days: int | None = None,
                      starts_on: date | None = None, ends_on: date | None = None) -> Contract:
    require(actor, "contracts.add_contract")
    require_customer(actor, customer)
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("Give the contract number.")})
    if kind not in ContractKind.values:
        raise ValidationError({"kind": _("Unknown contract type %(kind)s.") % {"kind": kind}})
    if value < 0:
        raise ValidationError({"value": _("The contract value cannot be negative.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The contract ends before it starts.")})
    contract = Contract(customer=customer, number=number, kind=kind, value=value,
                        payment_term_days=payment_term_days, starts_on=starts_on, ends_on=ends_on,
                        created_by=actor)
    if currency:
        contract.currency = currency.upper()
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise ValidationError({"number": _("Customer %(customer)s already has a contract %(number)s.") % {
            "customer": customer.code, "number": number}}) from exc
    ensure_checklist(contract)
    record(actor, "contract.registered", "contract", contract.pk, after=_snapshot(contract))
    return contract


@transaction.atomic(savepoint=False)
def ensure_checklist(contract: Contract) -> list[DueDiligenceItem]:
    """The items the checklist policy asks for this contract now (grade, value); items already there stay,
    signed off or not. Called at registration and again at submission (the grade may have changed)."""
    wanted = policy.checklist_for(grade_of(contract.customer), contract.value)
    have = set(contract.checklist.values_list("code", flat=True))
    DueDiligenceItem.objects.bulk_create([
        DueDiligenceItem(contract=contract, code=code, policy_version=policy.checklist_version())
        for code in wanted if code not in have])
    return list(contract.checklist.all())


REGISTRATION_FIELDS = ("registration_status", "legal_representative", "registered_capital")


def _evidence(contract: Contract, code: str, evidence: dict, note: str, attachment) -> dict:
    """The evidence an item needs before it can be signed off, checked; what is recorded with it."""
    customer = contract.customer
    if code == ChecklistItem.BUSINESS_REGISTRATION:
        if not uscc.is_valid(customer.credit_code or ""):
            raise EvidenceMissing(_("The customer's unified social credit code %(code)s is not valid: %(problem)s") % {
                "code": customer.credit_code or "—", "problem": uscc.problem(customer.credit_code or "") or ""})
        missing = [f for f in REGISTRATION_FIELDS if not str(evidence.get(f, "")).strip()]
        if missing:
            raise EvidenceMissing(_("Enter the registration status, the legal representative and the registered "
                                    "capital from the business registration (missing: %(fields)s).") % {
                                        "fields": ", ".join(missing)})
        return {"credit_code": customer.credit_code, **{f: str(evidence[f]).strip() for f in REGISTRATION_FIELDS}}
    if code == ChecklistItem.GUARANTEES_IN_PLACE:
        today = dates.business_today()
        held = [g for g in Guarantee.objects.filter(customer=customer) if g.is_valid_on(today)]
        if grade_of(customer) == "C":   # grade C: collateral or a third-party guarantee (DESIGN.md defaults)
            held = [g for g in held if g.kind in SECURED_KINDS]
        if not held:
            raise EvidenceMissing(_("The customer has no guarantee or collateral valid today on file that its "
                                    "grade accepts; record it on the credit profile first."))
        return {"guarantees": [{"id": g.pk, "kind": g.kind, "provider": g.provider, "value": str(g.value)}
                               for g in held]}
    if code == ChecklistItem.SITE_VISIT and not attachment:
        raise EvidenceMissing(_("Attach the site-visit report with its photos."))
    if not note.strip() and not attachment:
        raise EvidenceMissing(_("Say what was found (a note) or attach the document."))
    return {}


@transaction.atomic
def sign_off_item(*, actor, contract: Contract, code: str, evidence: dict | None = None, note: str = "",
                  attachment=None) -> DueDiligenceItem:
    """Sign off one checklist item with its evidence (checked per item; see _evidence)."""
    require(actor, "contracts.change_contract")
    require_customer(actor, contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.IN_REVIEW):
        raise WrongStatus(_("The checklist of a %(status)s contract is closed.") % {
            "status": contract.get_status_display()})
    item = contract.checklist.filter(code=code).first()
    if item is None:
        raise WrongStatus(_("This contract's checklist has no item %(code)s.") % {"code": code})
    item.evidence = _evidence(contract, code, evidence or {}, note, attachment)
    item.note, item.signed_off_by, item.signed_off_at = note.strip(), actor, timezone.now()
    if attachment:
        item.attachment.save(f"{contract.pk}-{code}-{attachment.name}"[:100], attachment, save=False)
    item.save()
    record(actor, "contract.checklist_signed_off", "contract", contract.pk,
           after={"item": code, "evidence": item.evidence, "note": item.note,
                  "attachment": item.attachment.name or None})
    return item


def grade_of(customer: Customer) -> str:
    return CreditProfile.objects.filter(customer=customer).values_list("grade", flat=True).first() or ""


@transaction.atomic
def upload_document(*, actor, contract: Contract, data: bytes, filename: str) -> ContractDocument:
    """A new version of the contract's document, analysed and flagged against the customer's grade now.
    DocumentUnreadable (nothing stored) when the document cannot be read."""
    require(actor, "contracts.change_contract")
    require_customer(actor, contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.IN_REVIEW):
        raise WrongStatus(_("A %(status)s contract takes no new document; register a new contract.") % {
            "status": contract.get_status_display()})
    analysis = reading.analyze(data, filename)
    grade = grade_of(contract.customer)
    flags = reading.report(analysis, grade or None)["flags"]
    requirement = policy.requirement_for(grade) if grade else None
    version = (contract.documents.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    document = ContractDocument(
        contract=contract, version=version, filename=filename[:255], size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), kind=analysis.kind, language=analysis.language,
        text=analysis.text, converted_from_traditional=analysis.converted_from_traditional,
        findings=[{"type": f.type, "present": f.present, "text": f.text, "start": f.start, "end": f.end,
                   "values": f.values, "source": f.source} for f in analysis.findings],
        flags=flags, grade=grade, term_days=requirement.term_days if requirement else None,
        policy_version=policy.version(), uploaded_by=actor)
    document.file.save(f"{contract.pk}-v{version}.{analysis.kind}", ContentFile(data), save=False)
    document.save()
    record(actor, "contract.document_uploaded", "contract", contract.pk,
           after={"version": version, "sha256": document.sha256, "filename": document.filename,
                  "flags": [f["code"] + ":" + f["clause"] for f in flags], "grade": grade,
                  "policy_version": document.policy_version})
    return document


@transaction.atomic
def submit_for_review(*, actor, contract: Contract) -> Contract:
    require(actor, "contracts.submit_contract")
    require_customer(actor, contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.DRAFT:
        raise WrongStatus(_("Only a draft can be submitted for review."))
    if not contract.documents.exists():
        raise WrongStatus(_("Upload the contract document before submitting it for review."))
    ensure_checklist(contract)
    contract.status, contract.submitted_by, contract.submitted_at = ContractStatus.IN_REVIEW, actor, timezone.now()
    contract.save(update_fields=["status", "submitted_by", "submitted_at"])
    record(actor, "contract.submitted", "contract", contract.pk, after={"status": contract.status})
    return contract


@transaction.atomic
def approve_contract(*, actor, contract: Contract, note: str = "") -> Contract:
    """Maker-checker: the approver is neither who registered nor who submitted it and holds the permission
    the contract's value needs; the flags of the latest document are recorded with the approval."""
    require(actor, "contracts.approve_contract")
    require_customer(actor, contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.IN_REVIEW:
        raise WrongStatus(_("Only a contract in review can be approved."))
    if actor.pk in (contract.created_by_id, contract.submitted_by_id):
        raise OwnContract(_("You registered or submitted this contract: another person must approve it."))
    open_items = [str(ChecklistItem(i.code).label) for i in contract.checklist.filter(signed_off_at__isnull=True)]
    if open_items:
        raise ChecklistIncomplete(_("The due-diligence checklist is not complete: %(items)s.") % {
            "items": ", ".join(open_items)})
    needed = policy.approval_permission(contract.value)
    if not actor.has_perm(needed):
        raise ApprovalLevel(_("A contract of this value needs an approver with the large-contract level."))
    document = contract.latest_document()
    contract.status, contract.approved_by, contract.approved_at = ContractStatus.APPROVED, actor, timezone.now()
    contract.approval_note, contract.approved_flags = note, list(document.flags) if document else []
    contract.save(update_fields=["status", "approved_by", "approved_at", "approval_note", "approved_flags"])
    record(actor, "contract.approved", "contract", contract.pk,
           after={"status": contract.status, "document_version": document.version if document else None,
                  "flags": contract.approved_flags, "note": note, "level": needed,
                  "checklist": {i.code: {"by": i.signed_off_by_id, "at": i.signed_off_at.isoformat()}
                                for i in contract.checklist.all()}})
    return contract


@transaction.atomic
def mark_signed(*, actor, contract: Contract, signed_on: date) -> Contract:
    require(actor, "contracts.change_contract")
    require_customer(actor, contract.customer)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.APPROVED:
        raise WrongStatus(_("Only an approved contract can be signed."))
    contract.status, contract.signed_on = ContractStatus.SIGNED, signed_on
    contract.save(update_fields=["status", "signed_on"])
    record(actor, "contract.signed", "contract", contract.pk, after={"signed_on": signed_on.isoformat()})
    return contract


@transaction.atomic(savepoint=False)
def expire_contracts(*, actor, as_of: date) -> int:
    """Approved and signed contracts whose end date has passed become expired (the night's step; a second
    run the same day changes nothing). The number expired."""
    ended = list(Contract.objects.select_for_update().filter(
        status__in=(ContractStatus.APPROVED, ContractStatus.SIGNED), ends_on__lt=as_of).values_list("pk", "status"))
    if not ended:
        return 0
    Contract.objects.filter(pk__in=[pk for pk, _status in ended]).update(status=ContractStatus.EXPIRED)
    record_many(actor, [Change("contract.expired", "contract", str(pk), {"status": status},
                               {"status": ContractStatus.EXPIRED, "as_of": as_of.isoformat()})
                        for pk, status in ended])
    return len(ended)
