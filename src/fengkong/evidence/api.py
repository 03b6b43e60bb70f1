"""The evidence store in /api/v1/evidence: the items you may see, one item, storing a file, and the ledger's
check.

Items come through `queries.visible_items` (core.permissions.scope): an item of a customer outside the
caller's portfolio is a 404 like one that does not exist. A file is stored (POST, multipart) through the same
intake as every other way in (evidence.intake: the type read from the bytes, size, name, archives) on a customer
you may see, and on one object of another app you may see (`subject_type`, evidence.subjects): a legal case's
document goes through the legal case's own action, so a law firm's user stores on its firm's cases only.
"""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller, page
from fengkong.customers.queries import visible_customers
from fengkong.receivables.models import Invoice

from . import ledger, queries
from .actions import Description, store_linked
from .exceptions import EvidenceRefused, EvidenceTooLarge
from .models import EvidenceItem
from .schemas import EvidenceFilters, EvidenceIn, EvidenceItemOut, EvidenceItemPage, VerifyOut
from .subjects import subject_kind, subject_names

router = Router(tags=["evidence"])

ItemId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The evidence item's id")]


@router.get("/evidence/items", response=answers(EvidenceItemPage, 403, 422), url_name="evidence_item_list")
def list_items(request, filters: Query[EvidenceFilters]):
    """Evidence items of the customers you may see, oldest first."""
    user = caller(request)
    require(user, "evidence.view_evidenceitem")
    items = queries.visible_items(user)
    if filters.customer:
        items = items.filter(customer__code=filters.customer)
    return page(items, filters.limit, filters.offset)


@router.get("/evidence/items/{item_id}", response=answers(EvidenceItemOut, 403, 404, 422),
            url_name="evidence_item_detail")
def get_item(request, item_id: ItemId):
    """One item: its file's SHA-256, size and sniffed type, its place in the ledger."""
    user = caller(request)
    require(user, "evidence.view_evidenceitem")
    item = queries.visible_items(user).filter(pk=item_id).first()
    if item is None:
        raise Http404(f"No evidence item {item_id} in your portfolio.")
    return item


class Invalid(Exception):
    """A form field at fault: a 422 naming it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def invalid(field: str, message: str) -> Status:
    return Status(422, {"detail": message, "errors": [{"location": "form", "field": field, "message": message}]})


def subject_kind_of(form: EvidenceIn):
    """The kind named by `subject_type` (with `subject_id`), or None when the evidence names no subject."""
    if form.subject_type is None and form.subject_id is None:
        return None
    if form.subject_type is None or form.subject_id is None:
        raise Invalid("subject_type" if form.subject_type is None else "subject_id",
                      "give subject_type and subject_id together")
    kind = subject_kind(form.subject_type)
    if kind is None:
        raise Invalid("subject_type", f"unknown subject_type {form.subject_type!r}: one of {', '.join(subject_names())}")
    return kind


def subject_of(user, form: EvidenceIn, kind):
    """The object the evidence is about besides its customer; 404 when the caller may not see it."""
    if kind is None:
        return None
    subject = kind.find(user, form.subject_id)
    if subject is None:
        raise Http404(f"No {form.subject_type} {form.subject_id} you may see.")
    return subject


def customer_of(user, form: EvidenceIn, subject):
    """The customer the evidence is about: the subject's (a code given must be the same), or the one named."""
    code = (form.customer or "").strip()
    if subject is not None:
        if code and code != subject.customer.code:
            raise Invalid("customer", f"{form.subject_type} {form.subject_id} concerns customer "
                                      f"{subject.customer.code}, not {code}")
        return subject.customer
    if not code:
        raise Invalid("customer", "give the customer's code, or the subject the evidence is about")
    customer = visible_customers(user).filter(code=code).first()
    if customer is None:
        raise Http404(f"No customer {code} in your portfolio.")
    return customer


def invoice_of(form: EvidenceIn, customer):
    if form.invoice is None:
        return None
    invoice = Invoice.objects.filter(customer=customer, number=form.invoice.strip()).first()
    if invoice is None:
        raise Invalid("invoice", f"customer {customer.code} has no invoice {form.invoice.strip()}")
    return invoice


@router.post("/evidence/items", response=answers({201: EvidenceItemOut}, 400, 403, 404, 413, 422),
             url_name="evidence_item_store")
def store_item(request, file: File[UploadedFile], form: Form[EvidenceIn]):
    """Keep a file as evidence of a customer (and of one of its invoices, and of a legal case, collection case,
    contact or dispute: `subject_type`, `subject_id`). The file passes the intake's checks: its type is read
    from its bytes and must agree with its name; empty files, names with a path, archives that unpack too far
    (a zip bomb) are refused (422 saying why), a file over EVIDENCE_MAX_BYTES too (413). The same bytes stored
    twice are kept once and linked twice."""
    user = caller(request)
    try:
        kind = subject_kind_of(form)
        if kind is None or kind.store is None:  # a legal case's own action checks its permissions itself
            require(user, "evidence.store_evidence")
        subject = subject_of(user, form, kind)
        customer = customer_of(user, form, subject)
        invoice = invoice_of(form, customer)
    except Invalid as exc:
        return invalid(exc.field, str(exc))
    description = Description(title=form.title, source=form.source, shows=form.shows, occurred_on=form.occurred_on,
                              pages=form.pages)
    try:
        item = store_linked(actor=user, chunks=file.chunks(), filename=file.name or "", description=description,
                            customer=customer, invoice=invoice, subject=subject, kind=kind)
    except EvidenceTooLarge as exc:
        return Status(413, {"detail": str(exc)})
    except EvidenceRefused as exc:
        return invalid("file", str(exc))
    return Status(201, EvidenceItem.objects.select_related("file", "customer", "created_by", "entry").get(pk=item.pk))


@router.get("/evidence/verify", response=answers(VerifyOut, 403, 422), url_name="evidence_verify")
def verify(request):
    """Check every stored file, row, link and anchor of the ledger (as `fengkong evidence verify`)."""
    user = caller(request)
    require(user, "evidence.verify_evidence")
    result = ledger.verify()
    return {**vars(result), "ok": result.ok, "problems": [vars(p) for p in result.problems]}
