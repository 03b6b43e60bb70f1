"""State changes of the evidence store, one function each: keyword-only actor, one transaction, audited.

Storing is the only way in: the file passes the intake checks (evidence.intake), is written once under its
digest if the store does not hold it yet, linked by a new item and chained into the ledger, all before the
transaction commits (a file written for a transaction that then fails is an unlinked blob, kept, and reused
by the next upload of the same bytes). Nothing here overwrites or deletes: a retention rule only marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from fengkong.core.audit import record
from fengkong.core.permissions import require, scope
from fengkong.customers.models import Customer
from fengkong.receivables.models import Invoice

from . import intake, ledger
from .bundle import BundleSummary, write_bundle
from .choices import EvidenceSource
from .exceptions import EvidenceError, EvidenceRefused
from .models import EvidenceAnchor, EvidenceFile, EvidenceItem
from .subjects import SubjectKind


@dataclass(frozen=True)
class Description:
    """What the person storing a file says about it."""

    title: str
    source: str = EvidenceSource.OTHER
    shows: str = ""
    occurred_on: date | None = None
    pages: int | None = None


def store_evidence(*, actor, chunks: Iterable[bytes], filename: str, description: Description, customer: Customer,
                   invoice: Invoice | None = None, subject=None) -> EvidenceItem:
    """Keep a file as evidence about `customer` (and an invoice, and one object of another app)."""
    require(actor, "evidence.store_evidence")
    if not scope(Customer.objects.filter(pk=customer.pk), actor, customer_path="").exists():
        raise PermissionDenied("this customer is not in your portfolio")
    return keep(actor=actor, chunks=chunks, filename=filename, description=description, customer=customer,
                invoice=invoice, subject=subject)


def store_linked(*, actor, chunks: Iterable[bytes], filename: str, description: Description, customer: Customer,
                 invoice: Invoice | None = None, subject=None, kind: SubjectKind | None = None) -> EvidenceItem:
    """Store a file on `customer` and, with `kind`, on one object of another app: through that app's own
    action when it has one (a legal case's document, which checks the case's permissions), else linked here."""
    if kind is not None and kind.store is not None:
        return kind.store(actor=actor, subject=subject, chunks=chunks, filename=filename, description=description,
                          invoice=invoice)
    return store_evidence(actor=actor, chunks=chunks, filename=filename, description=description, customer=customer,
                          invoice=invoice, subject=subject)


def keep(*, actor, chunks: Iterable[bytes], filename: str, description: Description, customer: Customer,
         invoice: Invoice | None = None, subject=None) -> EvidenceItem:
    """Store without a permission check: for what Fengkong itself writes (a generated letter) and for the
    actions of other apps that have checked already. Refuses what the intake refuses."""
    check_description(description, customer, invoice, subject)
    received = intake.receive(chunks, filename)
    try:
        stored = put_file(received)
        with transaction.atomic():
            evidence_file = file_row(received, stored)
            item = EvidenceItem.objects.create(
                file=evidence_file, title=description.title.strip()[:200], filename=received.filename,
                source=description.source, shows=description.shows.strip(), occurred_on=description.occurred_on,
                pages=description.pages, customer=customer, invoice=invoice,
                **({"subject": subject} if subject is not None else {}),
                created_by=actor if getattr(actor, "pk", None) else None)
            entry = ledger.append(item)
            record(actor, "evidence.stored", "evidenceitem", item.pk,
                   after={"sha256": received.sha256, "size": received.size, "mime": received.mime,
                          "title": item.title, "customer": customer.code, "ledger_seq": entry.seq,
                          "subject": ledger.subject_label(item)})
    finally:
        received.data.close()
    return item


def check_description(description: Description, customer: Customer, invoice, subject) -> None:
    if not description.title.strip():
        raise EvidenceRefused("give the evidence a name (what it is)")
    if description.source not in EvidenceSource.values:
        raise EvidenceRefused(f"unknown source {description.source!r}: one of {', '.join(EvidenceSource.values)}")
    if description.pages is not None and description.pages < 1:
        raise EvidenceRefused(f"pages must be at least 1, not {description.pages}")
    if invoice is not None and invoice.customer_id != customer.pk:
        raise EvidenceRefused(f"invoice {invoice.number} is not an invoice of customer {customer.code}")
    if subject is not None and getattr(subject, "customer_id", customer.pk) != customer.pk:
        raise EvidenceRefused(f"{subject} does not concern customer {customer.code}")


def put_file(received: intake.Received) -> str:
    """Write the bytes under their digest unless the store holds them already; never overwrite."""
    store, name = ledger.storage(), ledger.file_name(received.sha256)
    if store.exists(name):
        return name
    written = store.save(name, File(received.data, name=name))
    if written != name:  # another upload of the same bytes won the race: ours is a spare copy, never linked
        store.delete(written)
    return name


def file_row(received: intake.Received, name: str) -> EvidenceFile:
    found = EvidenceFile.objects.filter(sha256=received.sha256).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return EvidenceFile.objects.create(sha256=received.sha256, size=received.size, mime=received.mime,
                                               name=name)
    except IntegrityError:  # the same bytes stored at the same moment by another upload
        return EvidenceFile.objects.get(sha256=received.sha256)


@transaction.atomic(durable=True)
def mark_retention(*, actor, item: EvidenceItem, note: str) -> EvidenceItem:
    """Mark an item for a retention review. Evidence is never deleted: the mark is all a rule can do."""
    require(actor, "evidence.mark_retention")
    if not scope(EvidenceItem.objects.filter(pk=item.pk), actor).exists():
        raise PermissionDenied("this evidence is not in your portfolio")
    if not note.strip():
        raise EvidenceError("say which retention rule applies")
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    item.retention_marked_at, item.retention_marked_by, item.retention_note = timezone.now(), actor, note.strip()[:300]
    item.save(update_fields=["retention_marked_at", "retention_marked_by", "retention_note"])
    record(actor, "evidence.retention_marked", "evidenceitem", item.pk, after={"note": item.retention_note})
    return item


@transaction.atomic(durable=True)
def anchor_ledger(*, actor) -> EvidenceAnchor:
    """Sign the ledger's head with EVIDENCE_SIGNING_KEY (the night does it daily)."""
    anchor = ledger.sign_head()
    record(actor, "evidence.anchored", "evidenceanchor", anchor.pk,
           after={"seq": anchor.seq, "hash": anchor.hash, "public_key": anchor.public_key})
    return anchor


@transaction.atomic(durable=True)
def export_bundle(*, actor, items: list[EvidenceItem], title: str, out) -> BundleSummary:
    """Write the court bundle of `items` (evidence.bundle); every item must be one the actor may see."""
    require(actor, "evidence.export_evidence")
    visible = set(scope(EvidenceItem.objects.filter(pk__in=[i.pk for i in items]), actor).values_list("pk", flat=True))
    if len(visible) != len({i.pk for i in items}):
        raise PermissionDenied("some of this evidence is not in your portfolio")
    summary = write_bundle(items, title=title, out=out)
    record(actor, "evidence.bundle_exported", "evidenceitem", "",
           after={"title": title, "items": [i.pk for i in items], "anchor_seq": summary.anchor_seq})
    return summary
