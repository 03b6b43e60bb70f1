"""Writing off bad debts: a request per invoice with the ground and evidence tax deduction requires
(国家税务总局公告2011年第25号), approved by as many people other than the proposer as the policy's level for
its amount asks, then posted to the ledger; later recoveries recorded against it (docs/write-offs.md).

Design decisions:
- Every step is one durable transaction with its audit event; the request row is locked (select_for_update)
  while it is decided, so of two approvers at the same moment on a one-approval request one posts it and the
  other is told it is no longer awaiting approval.
- The evidence each ground needs (第二十二条、第二十三条): a court judgment or ruling, or the bankruptcy court's
  ruling, is a court document; a deregistration or revocation is any document of it; an invoice over three
  years overdue needs collection evidence (letters, calls, e-mails, chats, meeting minutes). Every item is
  the invoice's customer's, from the evidence store.
- The amount is checked against the open amount at the request and again when it is posted (the invoice is
  locked then), so a payment in between cannot make the write-off exceed what is open.
- The write-off is dated the day it is posted; a day inside an approved (locked) month-end is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.money import to_fen
from fengkong.core.permissions import require, scope, users_with_perm
from fengkong.evidence.choices import EvidenceSource
from fengkong.evidence.models import EvidenceItem
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell
from fengkong.receivables.fx import rates_on
from fengkong.receivables.ledger import WriteOffRefused, post_write_off
from fengkong.receivables.models import Invoice, WriteOff

from .choices import WriteOffGround, WriteOffStatus
from .exceptions import Conflict, PeriodLocked, SelfApproval, WriteOffInvalid
from .models import ProvisionPolicy, ProvisionRun, Recovery, WriteOffApproval, WriteOffRequest

MAX_STATEMENT = 2000
MAX_NOTE = 500
COLLECTION_SOURCES = (EvidenceSource.LETTER, EvidenceSource.CALL_RECORDING, EvidenceSource.EMAIL,
                      EvidenceSource.CHAT, EvidenceSource.MEETING_MINUTES)
OVERDUE_YEARS = 3


def needed_evidence(ground: str) -> tuple[tuple[str, ...] | None, str]:
    """(the evidence sources of which at least one item is needed, None for any; what the rule says)."""
    if ground in (WriteOffGround.COURT, WriteOffGround.BANKRUPTCY):
        return (EvidenceSource.COURT_DOCUMENT,), _("a court document (the judgment, ruling or bankruptcy ruling)")
    if ground == WriteOffGround.OVERDUE_3Y:
        return COLLECTION_SOURCES, _("collection evidence (a letter, call recording, e-mail, chat or meeting minutes)")
    return None, _("the certificate of deregistration or revocation")


def money(value, field: str = "amount") -> Decimal:
    """An amount in yuan from text or a number: finite, more than 0, at most two decimals."""
    try:
        amount = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise WriteOffInvalid(field, _("%(field)s: %(value)r is not an amount such as 1234.56.")
                              % {"field": field, "value": value})
    if amount <= 0:
        raise WriteOffInvalid(field, _("%(field)s: the amount must be more than 0, not %(value)s.")
                              % {"field": field, "value": amount})
    if amount.as_tuple().exponent < -2:
        raise WriteOffInvalid(field, _("%(field)s: at most two decimals (fen), not %(value)s.")
                              % {"field": field, "value": amount})
    return amount


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _evidence(actor, invoice: Invoice, ground: str, evidence_ids) -> list[EvidenceItem]:
    try:
        ids = sorted({int(i) for i in evidence_ids})
    except (TypeError, ValueError):
        raise WriteOffInvalid("evidence", _("evidence: give the evidence items' numbers, such as 12, 15.")) from None
    items = list(scope(EvidenceItem.objects.filter(pk__in=ids), actor))
    missing = sorted(set(ids) - {i.pk for i in items})
    if missing:
        raise WriteOffInvalid("evidence", _("evidence: no evidence item %(ids)s that you may see.")
                              % {"ids": ", ".join(f"#{i}" for i in missing)})
    foreign = [i.pk for i in items if i.customer_id != invoice.customer_id]
    if foreign:
        raise WriteOffInvalid("evidence", _("evidence: item %(ids)s is about another customer, not %(code)s.")
                              % {"ids": ", ".join(f"#{i}" for i in foreign), "code": invoice.customer.code})
    sources, what = needed_evidence(ground)
    if not any(sources is None or i.source in sources for i in items):
        raise WriteOffInvalid("evidence", _("evidence: the ground '%(ground)s' needs %(what)s from the evidence "
                                            "store.") % {"ground": WriteOffGround(ground).label, "what": what})
    return items


def request_write_off(*, actor, invoice: Invoice, amount, ground: str, statement: str, evidence_ids,
                      today: date | None = None) -> WriteOffRequest:
    """Ask to write off `amount` of `invoice`'s open amount on `ground`, with the evidence items that prove it."""
    require(actor, "provisions.propose_writeoffrequest")
    if not scope(Invoice.objects.filter(pk=invoice.pk), actor).exists():
        raise PermissionDenied("this invoice is not in your portfolio")
    today = today or timezone.localdate()
    amount = money(amount)
    if ground not in WriteOffGround.values:
        raise WriteOffInvalid("ground", _("ground: %(value)r is not one of %(known)s.")
                              % {"value": ground, "known": ", ".join(WriteOffGround.values)})
    statement = (statement or "").strip() if isinstance(statement, str) else ""
    if not statement:
        raise WriteOffInvalid("statement", _("statement: say what happened and what was done to collect."))
    if len(statement) > MAX_STATEMENT:
        raise WriteOffInvalid("statement", _("statement: at most %(max)d characters.") % {"max": MAX_STATEMENT})
    with transaction.atomic(durable=True):
        invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
        if invoice.open_amount <= 0:
            raise WriteOffInvalid("invoice", _("invoice: %(number)s is settled; nothing is open to write off.")
                                  % {"number": invoice.number})
        if amount > invoice.open_amount:
            raise WriteOffInvalid("amount", _("amount: %(amount)s is more than the %(open)s open on %(number)s.")
                                  % {"amount": amount, "open": invoice.open_amount, "number": invoice.number})
        if ground == WriteOffGround.OVERDUE_3Y and invoice.due_date > _years_before(today, OVERDUE_YEARS):
            raise WriteOffInvalid("ground", _("ground: %(number)s was due on %(due)s, less than three years ago.")
                                  % {"number": invoice.number, "due": invoice.due_date.isoformat()})
        items = _evidence(actor, invoice, ground, evidence_ids)
        policy = ProvisionPolicy.current()
        needed = policy.parsed().approvers_for(to_fen(rates_on(today).to_functional(amount, invoice.currency)))
        try:
            with transaction.atomic():
                made = WriteOffRequest.objects.create(invoice=invoice, amount=amount, ground=ground,
                                                      statement=statement, approvers_needed=needed,
                                                      policy_version=policy.version, proposed_by=actor)
        except IntegrityError:
            raise Conflict(_("%(number)s already has a write-off request awaiting approval.")
                           % {"number": invoice.number}) from None
        made.evidence.set(items)
        record(actor, "write_off.requested", "writeoffrequest", made.pk,
               after={"invoice": invoice.number, "amount": amount, "ground": ground, "approvers_needed": needed,
                      "evidence": [i.pk for i in items]})
        tell(users_with_perm("provisions.approve_writeoffrequest").exclude(pk=actor.pk),
             template=Template.APPROVAL_REQUEST,
             title=_("Write-off %(ref)s awaits approval") % {"ref": made.reference},
             body=_("%(who)s asks to write off %(amount)s of %(number)s (%(ground)s).") % {
                 "who": actor.get_username(), "amount": f"{amount:,}", "number": invoice.number,
                 "ground": made.get_ground_display()},
             link=reverse("provisions-write-off", args=[made.pk]))
    return made


def decide_write_off(*, actor, request: WriteOffRequest, approve: bool, note: str = "",
                     today: date | None = None) -> WriteOffRequest:
    """Approve (the last approval needed posts it) or reject a write-off request; never one's own."""
    require(actor, "provisions.approve_writeoffrequest")
    note = (note or "").strip() if isinstance(note, str) else ""
    if not approve and not note:
        raise WriteOffInvalid("note", _("note: say why you reject this write-off."))
    if len(note) > MAX_NOTE:
        raise WriteOffInvalid("note", _("note: at most %(max)d characters.") % {"max": MAX_NOTE})
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        locked = WriteOffRequest.objects.select_for_update(of=("self",)).select_related("invoice").get(pk=request.pk)
        if locked.proposed_by_id == actor.pk:
            raise SelfApproval(_("Nobody approves the write-off they requested."))
        if locked.status != WriteOffStatus.PROPOSED:
            raise Conflict(_("Write-off %(ref)s is %(status)s; it no longer awaits approval.")
                           % {"ref": locked.reference, "status": locked.get_status_display()})
        if locked.approvals.filter(approver=actor).exists():
            raise Conflict(_("You have approved %(ref)s already; another person must approve it too.")
                           % {"ref": locked.reference})
        if not approve:
            locked.status, locked.rejected_by, locked.decided_at = WriteOffStatus.REJECTED, actor, timezone.now()
            locked.decision_note = note
            locked.save(update_fields=["status", "rejected_by", "decided_at", "decision_note"])
            record(actor, "write_off.rejected", "writeoffrequest", locked.pk, before={"status": "proposed"},
                   after={"status": locked.status, "note": note})
        else:
            WriteOffApproval.objects.create(request=locked, approver=actor, note=note)
            given = locked.approvals.count()
            record(actor, "write_off.approved", "writeoffrequest", locked.pk,
                   after={"approval": given, "of": locked.approvers_needed, "note": note})
            if given >= locked.approvers_needed:
                _post(actor, locked, today)
        _tell_proposer(actor, locked)
    return locked


def _post(actor, locked: WriteOffRequest, today: date) -> None:
    closed = ProvisionRun.objects.approved().filter(as_of__gte=today).order_by("-as_of").first()
    if closed is not None:
        raise PeriodLocked(_("The provision of %(day)s is approved and locked; the write-off is posted after it.")
                           % {"day": closed.as_of.isoformat()})
    try:
        posted = post_write_off(locked.invoice_id, locked.amount, today, locked.reference)
    except WriteOffRefused:
        invoice = Invoice.objects.get(pk=locked.invoice_id)
        raise Conflict(_("%(number)s now has only %(open)s open, less than the %(amount)s to write off; reject "
                         "this request and make a new one.") % {"number": invoice.number,
                                                                "open": invoice.open_amount,
                                                                "amount": locked.amount}) from None
    locked.status, locked.posted, locked.decided_at = WriteOffStatus.POSTED, posted, timezone.now()
    locked.save(update_fields=["status", "posted", "decided_at"])
    record(actor, "write_off.posted", "writeoffrequest", locked.pk, before={"status": "proposed"},
           after={"status": locked.status, "invoice": locked.invoice.number, "amount": locked.amount,
                  "written_off_on": today})


def _tell_proposer(actor, locked: WriteOffRequest) -> None:
    tell([locked.proposed_by], template=Template.APPROVAL_DECIDED,
         title=_("Write-off %(ref)s: %(status)s") % {"ref": locked.reference, "status": locked.get_status_display()},
         body=_("%(who)s decided on your write-off request. %(note)s") % {"who": actor.get_username(),
                                                                         "note": locked.decision_note},
         link=reverse("provisions-write-off", args=[locked.pk]))


def recovered(request: WriteOffRequest) -> Decimal:
    return request.recoveries.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def record_recovery(*, actor, request: WriteOffRequest, amount, received_on: date, note: str = "",
                    today: date | None = None) -> Recovery:
    """Money received on a written-off amount: at most what was written off less what was recovered already."""
    require(actor, "provisions.add_recovery")
    amount = money(amount)
    today = today or timezone.localdate()
    note = (note or "").strip()[:MAX_NOTE] if isinstance(note, str) else ""
    with transaction.atomic(durable=True):
        locked = WriteOffRequest.objects.select_for_update(of=("self",)).select_related("posted").get(pk=request.pk)
        if locked.status != WriteOffStatus.POSTED:
            raise Conflict(_("Write-off %(ref)s is not posted; only a written-off amount can be recovered.")
                           % {"ref": locked.reference})
        if not locked.posted.written_off_on <= received_on <= today:
            raise WriteOffInvalid("received_on", _("received_on: %(day)s must be from %(from)s (the write-off) to "
                                                   "today.") % {"day": received_on.isoformat(),
                                                                "from": locked.posted.written_off_on.isoformat()})
        left = locked.amount - recovered(locked)
        if amount > left:
            raise WriteOffInvalid("amount", _("amount: %(amount)s is more than the %(left)s still written off.")
                                  % {"amount": amount, "left": left})
        made = Recovery.objects.create(request=locked, amount=amount, received_on=received_on, note=note,
                                       recorded_by=actor)
        record(actor, "write_off.recovered", "recovery", made.pk,
               after={"write_off": locked.reference, "amount": amount, "received_on": received_on})
    return made


def period_amounts(after: date | None, until: date) -> tuple[int, int]:
    """(written off, recovered) in functional fen over the days after `after` (None: from the start) up to
    `until`: the movement's write-off and recoveries columns."""
    rates = rates_on(until)
    write_offs = WriteOff.objects.filter(written_off_on__lte=until).select_related("invoice")
    recoveries = Recovery.objects.filter(received_on__lte=until).select_related("request__invoice")
    if after is not None:
        write_offs = write_offs.filter(written_off_on__gt=after)
        recoveries = recoveries.filter(received_on__gt=after)
    written = sum(to_fen(rates.to_functional(w.amount, w.invoice.currency)) for w in write_offs)
    back = sum(to_fen(rates.to_functional(r.amount, r.request.invoice.currency)) for r in recoveries)
    return written, back
