"""Commercial acceptance bills (商业承兑汇票): a collector or finance records a bill the customer hands over for its
debt; the bill settles the invoices it covers while it is held, presented or paid; a dishonoured bill (拒付)
reopens the debt and raises an alert. The night flags the bills maturing soon and those past maturity and not
presented (`watch_bills`, in the collections.cases step).

Design decisions:
- The settlement is the bill's allocations (models.BillAllocation), spread over the named invoices (else the
  oldest open ones) up to what each owes and is neither in dispute nor settled by another bill
  (actions.owed). The ERP's open amount is not touched: collections subtracts the allocations where it reads
  what is owed (the case's chase: casework.case_figures; a promise's, plan's or bill's cover: actions.owed),
  as it does for open disputes. A dishonoured bill's allocations stop counting, so the next night's case
  sees the debt again (and opens a case if the customer had none left).
- The bill number is unique (the database holds it; of two collectors recording one number at once one
  wins, the other is told). The maturity is after the issue and at most the policy's `bills.max_term_days`
  after it (the 票据法's year); the acceptor's 统一社会信用代码, when given, must be valid (core.uscc).
- A state change is a conditional UPDATE from the states that allow it: of two people at once one wins, the
  other is told the bill moved (BillClosed, a 409). A paid or dishonoured bill does not move again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from fengkong.core import dates, uscc
from fengkong.core.audit import Change, record, record_many
from fengkong.core.money import quantize
from fengkong.core.permissions import require
from fengkong.customers.models import Customer
from fengkong.customers.queries import customer_labels
from fengkong.monitoring.alerts import in_site_language, new_alert, raise_alerts
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import MonitoringPolicy
from fengkong.receivables.models import Invoice

from .actions import covered_invoices, ensure_visible, event, open_case_now
from .choices import BillFlag, BillStatus, EventKind
from .exceptions import BillClosed, BillInvalid
from .models import AcceptanceBill, BillAllocation, CaseEvent, CollectionCase, CollectionsPolicy

DISHONOURED_TITLE = _("%(customer)s's acceptance bill %(number)s of %(amount)s was dishonoured: %(reason)s")
MAX_ENDORSERS = 20


@dataclass(frozen=True)
class BillDraft:
    number: str
    acceptor_name: str
    amount: Decimal
    issue_date: date
    maturity_date: date
    acceptor_uscc: str = ""
    endorsers: tuple[str, ...] = ()


def check_bill(draft: BillDraft, *, max_term_days: int) -> BillDraft:
    """The draft with its values cleaned, or BillInvalid naming the field at fault."""
    number = draft.number.strip()
    if not number:
        raise BillInvalid("the bill number is required", field="number")
    if len(number) > 40:
        raise BillInvalid(f"the bill number has at most 40 characters, not {len(number)}", field="number")
    name = draft.acceptor_name.strip()
    if not name:
        raise BillInvalid("the acceptor's name is required", field="acceptor_name")
    code = draft.acceptor_uscc.strip().upper()
    if code and (why := uscc.problem(code)):
        raise BillInvalid(f"the acceptor's 统一社会信用代码 {code!r} {why}", field="acceptor_uscc")
    amount = quantize(Decimal(draft.amount))
    if amount <= 0:
        raise BillInvalid(f"the bill's amount must be more than 0, not {amount}", field="amount")
    if draft.maturity_date <= draft.issue_date:
        raise BillInvalid(f"the maturity date {draft.maturity_date} is not after the issue date {draft.issue_date}",
                          field="maturity_date")
    if draft.maturity_date > draft.issue_date + timedelta(days=max_term_days):
        raise BillInvalid(f"the maturity date {draft.maturity_date} is more than {max_term_days} days after the "
                          f"issue date {draft.issue_date}", field="maturity_date")
    endorsers = tuple(e.strip()[:200] for e in draft.endorsers if e.strip())
    if len(endorsers) > MAX_ENDORSERS:
        raise BillInvalid(f"a bill lists at most {MAX_ENDORSERS} endorsements, not {len(endorsers)}",
                          field="endorsers")
    return BillDraft(number, name[:200], amount, draft.issue_date, draft.maturity_date, code, endorsers)


def allocate(amount: Decimal, owing: dict[int, Decimal], order: Sequence[int]) -> dict[int, Decimal]:
    """`amount` spread over the invoices in `order`, each up to what it owes."""
    out, left = {}, amount
    for pk in order:
        if left <= 0:
            break
        part = min(owing.get(pk, Decimal(0)), left)
        if part > 0:
            out[pk] = part
            left -= part
    return out


@transaction.atomic(durable=True)
def record_bill(*, actor, customer: Customer, draft: BillDraft, invoices: Sequence[Invoice] = (), note: str = "",
                today: date | None = None) -> AcceptanceBill:
    """Record a bill the customer handed over: it settles the named invoices (else the oldest open ones) by
    its amount, which is at most what they owe."""
    require(actor, "collections.add_acceptancebill")
    ensure_visible(actor, customer)
    policy = CollectionsPolicy.current().parsed()
    today = today or dates.business_today()
    draft = check_bill(draft, max_term_days=policy.bills.max_term_days)
    if AcceptanceBill.objects.filter(number=draft.number).exists():
        raise BillInvalid(f"bill {draft.number} is already recorded", field="number")
    owing = covered_invoices(customer, draft.amount, invoices, today)
    owed = sum(owing.values(), Decimal("0.00"))
    if draft.amount > owed:
        what = "the named invoices owe" if invoices else "the customer owes"
        raise BillInvalid(f"the bill's {draft.amount} is more than {what}, not in dispute nor settled by another "
                          f"bill ({owed})", field="amount")
    due = dict(Invoice.objects.filter(pk__in=list(owing)).values_list("pk", "due_date"))
    parts = allocate(draft.amount, owing, sorted(owing, key=lambda pk: (due[pk], pk)))
    case = open_case_now(customer)
    try:
        with transaction.atomic():
            bill = AcceptanceBill.objects.create(
                number=draft.number, case=case, customer=customer, acceptor_name=draft.acceptor_name,
                acceptor_uscc=draft.acceptor_uscc, amount=draft.amount, issue_date=draft.issue_date,
                maturity_date=draft.maturity_date, endorsers=list(draft.endorsers), oldest_first=not invoices,
                note=note.strip()[:500], received_on=today, recorded_by=actor, policy_version=policy.version)
    except IntegrityError:
        raise BillInvalid(f"bill {draft.number} is already recorded", field="number") from None
    BillAllocation.objects.bulk_create([BillAllocation(bill=bill, invoice_id=pk, amount=part)
                                        for pk, part in parts.items()])
    numbers = dict(Invoice.objects.filter(pk__in=list(parts)).values_list("pk", "number"))
    event(case, EventKind.BILL_RECORDED, user=actor, bill=bill.pk, number=bill.number, amount=bill.amount)
    record(actor, "acceptance_bill.recorded", "acceptancebill", bill.pk, after={
        "customer": customer.code, "number": bill.number, "acceptor": bill.acceptor_name,
        "acceptor_uscc": bill.acceptor_uscc, "amount": bill.amount, "issue_date": bill.issue_date,
        "maturity_date": bill.maturity_date, "endorsers": list(draft.endorsers),
        "allocations": {numbers[pk]: str(part) for pk, part in parts.items()}})
    return bill


def _move(actor, bill: AcceptanceBill, allowed: Sequence[str], status: str, kind: str, today: date,
          **values) -> AcceptanceBill:
    require(actor, "collections.change_acceptancebill")
    ensure_visible(actor, bill.customer)
    before = AcceptanceBill.objects.get(pk=bill.pk).status
    if before not in allowed or not AcceptanceBill.objects.filter(pk=bill.pk, status__in=allowed).update(
            status=status, flag=BillFlag.NONE, **values):
        now = AcceptanceBill.objects.get(pk=bill.pk).status
        raise BillClosed(f"bill {bill.number} is {now}: it cannot be marked {status}")
    event(open_case_now(bill.customer), kind, user=actor, bill=bill.pk, number=bill.number, **(
        {"reason": values["reason"]} if "reason" in values else {}))
    record(actor, f"acceptance_bill.{status}", "acceptancebill", bill.pk, before={"status": before},
           after={"status": status, **{k: v for k, v in values.items() if k != "closed_by"}, "as_of": today})
    bill.refresh_from_db()
    return bill


@transaction.atomic(durable=True)
def present_bill(*, actor, bill: AcceptanceBill, today: date | None = None) -> AcceptanceBill:
    """The bill was presented to its acceptor for payment."""
    today = today or dates.business_today()
    return _move(actor, bill, [BillStatus.HELD], BillStatus.PRESENTED, EventKind.BILL_PRESENTED, today,
                 presented_on=today)


@transaction.atomic(durable=True)
def mark_paid(*, actor, bill: AcceptanceBill, today: date | None = None) -> AcceptanceBill:
    """The acceptor honoured the bill: it settles its invoices for good."""
    today = today or dates.business_today()
    return _move(actor, bill, [BillStatus.HELD, BillStatus.PRESENTED], BillStatus.PAID, EventKind.BILL_PAID,
                 today, closed_on=today, closed_by=actor)


@transaction.atomic(durable=True)
def dishonour_bill(*, actor, bill: AcceptanceBill, reason: str, today: date | None = None) -> AcceptanceBill:
    """The acceptor refused to pay (拒付), saying why: the debt the bill settled is open again (the next night's
    case sees it) and an alert is raised on the customer."""
    reason = reason.strip()[:300]
    if not reason:
        raise BillInvalid("say why the bill was dishonoured (拒付理由)", field="reason")
    today = today or dates.business_today()
    bill = _move(actor, bill, [BillStatus.HELD, BillStatus.PRESENTED], BillStatus.DISHONOURED,
                 EventKind.BILL_DISHONOURED, today, closed_on=today, closed_by=actor, reason=reason)
    case = open_case_now(bill.customer)
    if case is not None:  # the case is worked again at once; its amounts follow the next night
        CollectionCase.objects.filter(pk=case.pk).update(next_action_on=today)
    policy = MonitoringPolicy.current().parsed()
    if policy.rule(AlertKind.BILL_DISHONOURED).enabled:
        words = {"customer": customer_labels([bill.customer_id]).get(bill.customer_id, bill.customer.code),
                 "number": bill.number, "amount": bill.amount, "reason": reason}
        alert = new_alert(AlertKind.BILL_DISHONOURED, customer_id=bill.customer_id, key=f"bill_dishonoured:b{bill.pk}",
                          as_of=today, policy=policy, title=in_site_language(DISHONOURED_TITLE) % words,
                          details={"bill": bill.pk, "number": bill.number, "amount": str(bill.amount),
                                   "reason": reason, "currency": settings.FUNCTIONAL_CURRENCY})
        raise_alerts([alert], policy=policy, as_of=today, actor=actor, send_messages=False)
    return bill


@dataclass
class Watched:
    maturing: int = 0
    unpresented: int = 0


def bill_flag(bill: AcceptanceBill, as_of: date, within_days: int) -> str:
    """What the night sees on a bill not yet paid nor dishonoured."""
    if bill.status == BillStatus.HELD and bill.maturity_date < as_of:
        return BillFlag.UNPRESENTED
    if bill.status == BillStatus.HELD and bill.maturity_date <= as_of + timedelta(days=within_days):
        return BillFlag.MATURING
    return BillFlag.NONE


def watch_bills(as_of: date, within_days: int, actor=None) -> Watched:
    """Flag the held bills maturing within `within_days` and those past maturity not presented; a bill whose
    flag did not change is left alone (a second run writes nothing). Call inside the step's transaction."""
    bills = list(AcceptanceBill.objects.filter(status__in=[BillStatus.HELD, BillStatus.PRESENTED]).exclude(
        flag=BillFlag.NONE, maturity_date__gt=as_of + timedelta(days=within_days)))
    cases = {c.customer_id: c for c in CollectionCase.objects.open().filter(
        customer_id__in=sorted({b.customer_id for b in bills}))}
    out, moved, events, changes = Watched(), [], [], []
    for bill in bills:
        flag = bill_flag(bill, as_of, within_days)
        if flag == bill.flag:
            continue
        before, bill.flag, bill.flagged_on = bill.flag, flag, as_of if flag else None
        moved.append(bill)
        out.maturing += flag == BillFlag.MATURING
        out.unpresented += flag == BillFlag.UNPRESENTED
        changes.append(Change("acceptance_bill.flagged", "acceptancebill", str(bill.pk),
                              before={"flag": before}, after={"flag": flag, "as_of": as_of}))
        case = cases.get(bill.customer_id)
        if case is not None and flag:
            events.append(CaseEvent(case=case, kind=EventKind.BILL_FLAGGED, params={
                "bill": bill.pk, "number": bill.number, "flag": flag, "maturity_date": str(bill.maturity_date)}))
    AcceptanceBill.objects.bulk_update(moved, ["flag", "flagged_on"], batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    record_many(actor, changes)
    return out
