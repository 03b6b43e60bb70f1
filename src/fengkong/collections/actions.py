"""State changes of the collections app, one function each: keyword-only actor, the permission inside, one
transaction, its audit event and its timeline event, messages after commit.

Scoping: every action that names a customer checks that the actor may see it (core.permissions.scope);
pages and the API look the customer or case up through the same scope first, so another portfolio's
customer is "not found" (404) before an action is ever called.
Races: taking a case is a conditional UPDATE on an empty owner (two collectors at once: one wins); a
promise or dispute locks the invoices it names (select_for_update), so two disputes cannot hold more than
an invoice owes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core import dates
from fengkong.core.audit import record
from fengkong.core.money import quantize
from fengkong.core.permissions import require, scope, sees_all
from fengkong.customers.models import Customer
from fengkong.notifications.outbox import tell
from fengkong.receivables.models import Invoice, PaymentAllocation

from . import policy as policy_module
from .choices import (
    CasePromise,
    Channel,
    ContactSource,
    DisputeReason,
    DisputeResolution,
    DisputeStatus,
    DisputeTeam,
    EventKind,
    Outcome,
)
from .exceptions import (
    CaseTaken,
    CollectionsError,
    ContactInvalid,
    DisputeClosed,
    DisputeInvalid,
    PromiseInvalid,
)
from .models import (
    Attachment,
    CaseEvent,
    CollectionCase,
    CollectionsPolicy,
    Contact,
    Dispute,
    DisputeItem,
    PromiseToPay,
)
from .queries import billed_on, disputed_on

MAX_DURATION = 24 * 3600
MAX_ATTACHMENT = 50 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)
DISPUTE_TITLE = _("Dispute to answer: %(customer)s, %(amount)s (%(reason)s)")
DISPUTE_BODY = _("%(collector)s opened a dispute for %(customer)s on %(invoices)s. Please answer it by %(due)s.")


def event(case: CollectionCase | None, kind: str, *, user=None, **params) -> None:
    """Append one event to the case's timeline (nothing when the customer has no open case)."""
    if case is not None:
        CaseEvent.objects.create(case=case, kind=kind, user=user, params=_jsonable(params))


def _jsonable(params: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal | date | datetime) else v) for k, v in params.items()}


def ensure_visible(actor, customer: Customer) -> Customer:
    if not scope(Customer.objects.filter(pk=customer.pk), actor, customer_path="").exists():
        raise PermissionDenied("this customer is not in your portfolio")
    return customer


def open_case_now(customer: Customer) -> CollectionCase | None:
    return CollectionCase.objects.open().filter(customer=customer).first()


# --- the policy --------------------------------------------------------------------------------------

def publish_policy(*, actor, config: dict, note: str = "") -> CollectionsPolicy:
    """Check `config` (left-out settings take the defaults) and publish it as the next version."""
    require(actor, "collections.publish_policy")
    policy_module.parse(config)
    full = policy_module.merged(config)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (CollectionsPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                published = CollectionsPolicy.objects.create(version=version, config=full, created_by=actor,
                                                             note=note[:200])
                record(actor, "collections_policy.published", "collectionspolicy", published.pk,
                       after={"version": version, "config": full, "note": note[:200]})
                return published
        except IntegrityError:
            continue
    raise CollectionsError("could not publish the policy: versions are being published concurrently")


# --- cases -------------------------------------------------------------------------------------------

@transaction.atomic(durable=True)
def take_case(*, actor, case: CollectionCase) -> CollectionCase:
    """The actor becomes the owner of a case nobody owns; if somebody took it first, CaseTaken."""
    require(actor, "collections.take_case")
    ensure_visible(actor, case.customer)
    if not CollectionCase.objects.filter(pk=case.pk, owner__isnull=True, status="open").update(owner=actor):
        current = CollectionCase.objects.select_related("owner").get(pk=case.pk)
        who = current.owner.get_username() if current.owner else None
        raise CaseTaken(f"{who} already owns this case; a manager can reassign it" if who
                        else "the case is closed")
    record(actor, "collection_case.taken", "collectioncase", case.pk, after={"owner": actor.pk})
    event(case, EventKind.TAKEN, user=actor, owner=actor.get_username())
    case.refresh_from_db()
    return case


def can_work(user, customer: Customer) -> bool:
    """Whether `user` may own a case of `customer`: an active collector or manager who sees the customer."""
    return bool(user.is_active and user.has_perm("collections.add_contact") and (
        sees_all(user) or customer.portfolio_id in set(user.portfolios.values_list("pk", flat=True))))


@transaction.atomic(durable=True)
def reassign_cases(*, actor, cases: Sequence[CollectionCase], owner) -> int:
    """A manager gives cases to `owner` (workload balance); each case must be one the owner may work."""
    require(actor, "collections.reassign_case")
    ids = list(scope(CollectionCase.objects.filter(pk__in=[c.pk for c in cases]).open(), actor)
               .values_list("pk", flat=True))
    moved = 0
    for case in CollectionCase.objects.filter(pk__in=ids).select_related("customer", "owner").select_for_update(
            of=("self",)):
        if not can_work(owner, case.customer):
            raise CollectionsError(f"{owner.get_username()} does not work the portfolio of {case.customer.code}", field="owner")
        if case.owner_id == owner.pk:
            continue
        before = case.owner.get_username() if case.owner else None
        CollectionCase.objects.filter(pk=case.pk).update(owner=owner)
        record(actor, "collection_case.reassigned", "collectioncase", case.pk,
               before={"owner": case.owner_id}, after={"owner": owner.pk})
        event(case, EventKind.REASSIGNED, user=actor, before=before, owner=owner.get_username())
        moved += 1
    return moved


# --- contacts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContactIn:
    channel: str
    outcome: str
    at: datetime | None = None
    person: str = ""
    duration_seconds: int = 0
    notes: str = ""
    next_follow_up: date | None = None
    external_id: str = ""


def check_contact(data: ContactIn, now: datetime, today: date | None = None) -> list[tuple[str, str]]:
    """Every problem of a contact as (field, message), none when it can be logged; `today` is the business
    date (default today)."""
    problems = []
    if data.channel not in Channel.values:
        problems.append(("channel", f"channel must be one of {', '.join(Channel.values)}, not {data.channel!r}"))
    if data.outcome not in Outcome.values:
        problems.append(("outcome", f"outcome must be one of {', '.join(Outcome.values)}, not {data.outcome!r}"))
    if data.at is not None and data.at > now + CLOCK_SKEW:
        problems.append(("at", f"the contact's time {data.at:%Y-%m-%d %H:%M} is in the future"))
    if not 0 <= data.duration_seconds <= MAX_DURATION:
        problems.append(("duration_seconds", f"duration must be between 0 and {MAX_DURATION} seconds, "
                                             f"not {data.duration_seconds}"))
    if data.next_follow_up is not None and data.next_follow_up < (today or dates.business_today()):
        problems.append(("next_follow_up", f"the next follow-up {data.next_follow_up} is in the past"))
    return problems


def write_contact(*, actor, customer: Customer, data: ContactIn, source: str) -> Contact:
    """Store one checked contact with its timeline event (inside the caller's transaction)."""
    case = open_case_now(customer)
    contact = Contact.objects.create(
        case=case, customer=customer, channel=data.channel, outcome=data.outcome, at=data.at or timezone.now(),
        person=data.person[:80], duration_seconds=data.duration_seconds, notes=data.notes[:4000],
        next_follow_up=data.next_follow_up, logged_by=actor, source=source, external_id=data.external_id[:80])
    if case is not None and data.next_follow_up:
        CollectionCase.objects.filter(pk=case.pk).update(next_action_on=data.next_follow_up)
    event(case, EventKind.CONTACT, user=actor, contact=contact.pk, channel=data.channel, outcome=data.outcome)
    return contact


@transaction.atomic(durable=True)
def log_contact(*, actor, customer: Customer, data: ContactIn, source: str = ContactSource.WEB,
                upload=None, today: date | None = None) -> Contact:
    """Log a contact (with a file: a letter, a recording, kept on the open case); all of it or nothing."""
    require(actor, "collections.add_contact")
    ensure_visible(actor, customer)
    problems = check_contact(data, timezone.now(), today)
    if problems:
        raise ContactInvalid(problems)
    contact = write_contact(actor=actor, customer=customer, data=data, source=source)
    record(actor, "contact.logged", "contact", contact.pk, after={
        "customer": customer.code, "channel": data.channel, "outcome": data.outcome, "at": contact.at,
        "source": source})
    if upload is not None:
        if contact.case is None:
            raise CollectionsError("a file is kept on a case, and this customer has no open case")
        store_attachment(actor=actor, case=contact.case, upload=upload, contact=contact)
    return contact


@transaction.atomic(durable=True)
def add_attachment(*, actor, case: CollectionCase, upload, contact: Contact | None = None) -> Attachment:
    """Store an uploaded file (a letter, a recording) on a case, with its size and SHA-256."""
    require(actor, "collections.add_contact")
    ensure_visible(actor, case.customer)
    return store_attachment(actor=actor, case=case, upload=upload, contact=contact)


@transaction.atomic(savepoint=False)
def store_attachment(*, actor, case: CollectionCase, upload, contact: Contact | None = None) -> Attachment:
    if upload.size > MAX_ATTACHMENT:
        raise CollectionsError(f"{upload.name} is {upload.size:,} bytes; at most {MAX_ATTACHMENT:,} are kept")
    if contact is not None and contact.customer_id != case.customer_id:
        raise CollectionsError("the contact is not this case's customer's")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(case=case, contact=contact, name=upload.name[:200], size=upload.size,
                            sha256=digest.hexdigest(), content_type=(upload.content_type or "")[:100],
                            uploaded_by=actor)
    attachment.file.save(upload.name[:100], upload, save=False)
    try:
        attachment.save()
        record(actor, "attachment.added", "attachment", attachment.pk, after={
            "case": case.pk, "name": attachment.name, "size": attachment.size, "sha256": attachment.sha256})
    except Exception:
        attachment.file.storage.delete(attachment.file.name)  # no file without its row
        raise
    return attachment


# --- promises to pay ---------------------------------------------------------------------------------

def open_on(invoices: Iterable[Invoice], day: date) -> dict[int, Decimal]:
    """What each invoice owed at the end of `day`: today's open amount and the receipts allocated to it after
    that day (a promise taken on a past day, as the demo's history takes them, sees the book of that day)."""
    invoices = list(invoices)
    later = dict(PaymentAllocation.objects.filter(invoice__in=invoices, payment__payment_date__gt=day)
                 .values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total"))
    return {i.pk: min(i.amount, i.open_amount + later.get(i.pk, Decimal(0))) for i in invoices}


def owed(invoices: Iterable[Invoice], day: date) -> dict[int, Decimal]:
    """What each invoice owed on `day` that is not in an open dispute nor settled by an acceptance bill."""
    invoices = list(invoices)
    ids = [i.pk for i in invoices]
    held, billed, then = disputed_on(ids), billed_on(ids), open_on(invoices, day)
    return {i.pk: max(then[i.pk] - held.get(i.pk, Decimal(0)) - billed.get(i.pk, Decimal(0)), Decimal(0))
            for i in invoices}


@transaction.atomic(durable=True)
def record_promise(*, actor, customer: Customer, amount: Decimal, due_date: date,
                   invoices: Sequence[Invoice] = (), contact: Contact | None = None,
                   today: date | None = None) -> PromiseToPay:
    """A promise to pay `amount` by `due_date`, on the named invoices or else the oldest open ones; `today`
    is the day it was taken (default the business date; the demo's history takes them on past days)."""
    require(actor, "collections.add_promisetopay")
    ensure_visible(actor, customer)
    policy = CollectionsPolicy.current().parsed()
    today = today or dates.business_today()
    amount = quantize(Decimal(amount))
    if amount <= 0:
        raise PromiseInvalid(f"the promised amount must be more than 0, not {amount}", field="amount")
    if due_date < today:
        raise PromiseInvalid(f"the promised date {due_date} is in the past", field="due_date")
    if due_date > today + timedelta(days=policy.max_days_ahead):
        raise PromiseInvalid(f"the promised date {due_date} is more than {policy.max_days_ahead} days ahead",
                             field="due_date")
    covered = covered_invoices(customer, amount, invoices, today)
    total = sum(covered.values(), Decimal("0.00"))
    if amount > total:
        what = "the named invoices owe" if invoices else "the customer owes"
        raise PromiseInvalid(f"the promise of {amount} is more than {what} ({total})", field="amount")
    promise = PromiseToPay.objects.create(
        case=open_case_now(customer), customer=customer, contact=contact, amount=amount, due_date=due_date,
        taken_on=today, oldest_first=not invoices, owed_at_promise=total, tolerance_days=policy.tolerance_days,
        tolerance_amount=Decimal(policy.tolerance_fen) / 100, policy_version=policy.version, taken_by=actor)
    promise.invoices.set(list(covered))
    if promise.case_id:
        CollectionCase.objects.filter(pk=promise.case_id).update(promise_status=CasePromise.PENDING,
                                                                 next_action_on=promise.judged_after())
    event(promise.case, EventKind.PROMISE, user=actor, promise=promise.pk, amount=amount, due_date=due_date)
    record(actor, "promise.recorded", "promisetopay", promise.pk, after={
        "customer": customer.code, "amount": amount, "due_date": due_date,
        "invoices": sorted(Invoice.objects.filter(pk__in=list(covered)).values_list("number", flat=True))})
    return promise


def covered_invoices(customer: Customer, amount: Decimal, invoices: Sequence[Invoice], day: date) -> dict[int, Decimal]:
    """The invoices a promise covers and what each owed on `day` (locked until the promise is stored)."""
    if invoices:
        locked = list(Invoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices]).order_by("pk"))
        then = open_on(locked, day)
        for invoice in locked:
            if invoice.customer_id != customer.pk:
                raise PromiseInvalid(f"invoice {invoice.number} is not {customer.code}'s", field="invoices")
            if then[invoice.pk] <= 0:
                raise PromiseInvalid(f"invoice {invoice.number} is paid", field="invoices")
        owing = owed(locked, day)
        for invoice in locked:
            if owing[invoice.pk] <= 0:
                raise PromiseInvalid(f"invoice {invoice.number} is wholly in dispute", field="invoices")
        return owing
    candidates = set(Invoice.objects.filter(customer=customer, issue_date__lte=day).filter(
        Q(open_amount__gt=0) | Q(allocations__payment__payment_date__gt=day)).values_list("pk", flat=True))
    locked = list(Invoice.objects.select_for_update().filter(pk__in=candidates).order_by("due_date", "number"))
    owing, chosen, running = owed(locked, day), {}, Decimal(0)
    for invoice in locked:
        if owing[invoice.pk] <= 0:
            continue
        chosen[invoice.pk] = owing[invoice.pk]
        running += owing[invoice.pk]
        if running >= amount:
            break
    return chosen


# --- disputes ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisputedInvoice:
    invoice: Invoice
    amount: Decimal | None = None  # None: all that it owes and is not yet disputed


@transaction.atomic(durable=True)
def open_dispute(*, actor, customer: Customer, reason: str, team: str, owner, items: Sequence[DisputedInvoice],
                 description: str = "", due_date: date | None = None, contact: Contact | None = None,
                 today: date | None = None) -> Dispute:
    """A dispute on one or more invoices (or a part of one), answered by `owner` outside collections."""
    require(actor, "collections.add_dispute")
    ensure_visible(actor, customer)
    policy = CollectionsPolicy.current().parsed()
    today = today or dates.business_today()
    if reason not in DisputeReason.values:
        raise DisputeInvalid(f"reason must be one of {', '.join(DisputeReason.values)}, not {reason!r}")
    if team not in DisputeTeam.values:
        raise DisputeInvalid(f"team must be one of {', '.join(DisputeTeam.values)}, not {team!r}")
    if owner is None or not owner.is_active or not owner.has_perm("collections.resolve_dispute"):
        raise DisputeInvalid("the dispute's owner must be an active user who may resolve disputes", field="owner")
    due_date = due_date or today + timedelta(days=policy.dispute_due_days)
    if due_date < today:
        raise DisputeInvalid(f"the due date {due_date} is in the past", field="due_date")
    if not items:
        raise DisputeInvalid("name at least one invoice in dispute", field="items")
    amounts = _disputed_amounts(customer, items)
    dispute = Dispute.objects.create(customer=customer, case=open_case_now(customer), contact=contact, reason=reason,
                                     team=team, owner=owner, opened_on=today, due_date=due_date,
                                     description=description[:2000], opened_by=actor)
    DisputeItem.objects.bulk_create([DisputeItem(dispute=dispute, invoice_id=pk, amount=a) for pk, a in amounts.items()])
    Invoice.objects.filter(pk__in=list(amounts)).update(disputed=True)
    total = sum(amounts.values(), Decimal("0.00"))
    numbers = sorted(Invoice.objects.filter(pk__in=list(amounts)).values_list("number", flat=True))
    refresh_case_amounts(dispute.case)
    event(dispute.case, EventKind.DISPUTE_OPENED, user=actor, dispute=dispute.pk, amount=total, reason=reason)
    record(actor, "dispute.opened", "dispute", dispute.pk, after={
        "customer": customer.code, "reason": reason, "team": team, "owner": owner.pk, "amount": total,
        "invoices": numbers, "due_date": due_date})
    params = {"customer": f"{customer.code} {customer.name}", "amount": total,
              "reason": DisputeReason(reason).label, "collector": actor.get_username(),
              "invoices": ", ".join(numbers[:10]), "due": due_date}
    link = f"/collections/disputes/{dispute.pk}/"
    transaction.on_commit(lambda: tell([owner], template="dispute_assigned", title=DISPUTE_TITLE % params,
                                       body=DISPUTE_BODY % params, link=link, level="warning"))
    return dispute


def _disputed_amounts(customer: Customer, items: Sequence[DisputedInvoice]) -> dict[int, Decimal]:
    wanted = {i.invoice.pk: i.amount for i in items}
    if len(wanted) != len(items):
        raise DisputeInvalid("an invoice is named twice", field="items")
    locked = list(Invoice.objects.select_for_update().filter(pk__in=list(wanted)).order_by("pk"))
    held = disputed_on(wanted)
    out = {}
    for invoice in locked:
        if invoice.customer_id != customer.pk:
            raise DisputeInvalid(f"invoice {invoice.number} is not {customer.code}'s", field="items")
        free = invoice.open_amount - held.get(invoice.pk, Decimal(0))
        amount = free if wanted[invoice.pk] is None else quantize(Decimal(wanted[invoice.pk]))
        if amount <= 0:
            raise DisputeInvalid(f"invoice {invoice.number}: nothing open to dispute" if free <= 0
                                 else f"invoice {invoice.number}: the disputed amount must be more than 0",
                                 field="items")
        if amount > free:
            raise DisputeInvalid(f"invoice {invoice.number}: {amount} is more than its open amount not yet "
                                 f"in dispute ({free})", field="items")
        out[invoice.pk] = amount
    return out


@transaction.atomic(durable=True)
def resolve_dispute(*, actor, dispute: Dispute, resolution: str, root_cause: str, note: str = "",
                    today: date | None = None) -> Dispute:
    """Close a dispute with its resolution and root cause: its owner, or a manager who reassigns cases."""
    require(actor, "collections.resolve_dispute")
    if dispute.owner_id != actor.pk and not actor.has_perm("collections.reassign_case"):
        raise PermissionDenied("only the dispute's owner or a collections manager resolves it")
    if resolution not in DisputeResolution.values:
        raise DisputeInvalid(f"resolution must be one of {', '.join(DisputeResolution.values)}, not {resolution!r}")
    if not root_cause.strip():
        raise DisputeInvalid("say what caused the dispute (root cause)", field="root_cause")
    today = today or dates.business_today()
    if not Dispute.objects.filter(pk=dispute.pk, status=DisputeStatus.OPEN).update(
            status=DisputeStatus.RESOLVED, resolution=resolution, root_cause=root_cause.strip()[:200],
            resolution_note=note.strip()[:500], resolved_on=today, resolved_by=actor):
        raise DisputeClosed("the dispute is already resolved")
    invoice_ids = list(dispute.items.values_list("invoice_id", flat=True))
    still = set(DisputeItem.objects.filter(invoice_id__in=invoice_ids, dispute__status=DisputeStatus.OPEN)
                .values_list("invoice_id", flat=True))
    Invoice.objects.filter(pk__in=[pk for pk in invoice_ids if pk not in still]).update(disputed=False)
    case = open_case_now(dispute.customer)
    refresh_case_amounts(case)
    event(case, EventKind.DISPUTE_RESOLVED, user=actor, dispute=dispute.pk, resolution=resolution,
          days=(today - dispute.opened_on).days)
    record(actor, "dispute.resolved", "dispute", dispute.pk, after={
        "resolution": resolution, "root_cause": root_cause.strip()[:200], "note": note.strip()[:500]})
    dispute.refresh_from_db()
    return dispute


def refresh_case_amounts(case: CollectionCase | None) -> None:
    """The case's chase and disputed amounts from today's ledger (between two nights)."""
    if case is None:
        return
    today = dates.business_today()
    overdue = list(Invoice.objects.overdue(today).filter(customer_id=case.customer_id))
    held = disputed_on(i.pk for i in overdue)
    disputed = sum((min(held.get(i.pk, Decimal(0)), i.open_amount) for i in overdue), Decimal("0.00"))
    total = sum((i.open_amount for i in overdue), Decimal("0.00"))
    CollectionCase.objects.filter(pk=case.pk).update(disputed_amount=disputed, overdue_amount=total - disputed)
