"""When to act (article §6): the signs that argue for applying for property preservation now, read from the
company's own data, each with its evidence (what, when, a link), and a score that orders the legal worklist.

The signs, for one customer, as of today:

| sign | read from | present when |
|---|---|---|
| broken promises to pay | collections' promises judged broken | one or more in the last LOOKBACK_DAYS |
| litigation by others | credit's litigation flag (涉诉/被执行); sales' risk feedback "litigation" | the flag is set, or feedback in LOOKBACK_DAYS |
| cannot be reached | collections' contacts; sales' risk feedback "cannot be reached" (失联) | the last UNREACHABLE_RUN contacts or more in a row reached nobody, or feedback |
| assets moving | sales' risk feedback "operations abnormal" (停产/裁员/搬迁) | feedback in LOOKBACK_DAYS |
| industry alarm | industry's systemic alarm on the customer's GB/T 4754 section | the alarm is on |
| danger zone | monitoring's latest aging snapshot of the customer | zone 3 (danger) |

The score is the sum of the weights (WEIGHTS, 100 when every sign is present) of the signs present. Nothing
is stored: the signs are read when asked for; a decision keeps the signs it was made on (legal.actions).
There is no credit-bureau or court-records feed yet: litigation by others and assets moving come from what the
credit team flagged and sales reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.collections.choices import REACHED_OUTCOMES, Channel, PromiseState
from fengkong.collections.choices import Outcome as ContactOutcome
from fengkong.collections.models import Contact, PromiseToPay
from fengkong.core.models import AuditEvent
from fengkong.credit.choices import FeedbackCategory
from fengkong.credit.models import CreditProfile, RiskFeedback
from fengkong.customers.models import Customer
from fengkong.industry.models import IndustryOutlook, OutlookChange
from fengkong.monitoring.choices import Zone
from fengkong.monitoring.models import CustomerSnapshot

from .choices import SignKind

LOOKBACK_DAYS = 180  # how far back a broken promise or a report still argues for acting now
UNREACHABLE_RUN = 3  # this many contacts in a row that reached nobody: the customer cannot be reached
WEIGHTS = {SignKind.BROKEN_PROMISES: 20, SignKind.LITIGATION: 25, SignKind.UNREACHABLE: 15,
           SignKind.ASSETS_MOVING: 20, SignKind.INDUSTRY_ALARM: 10, SignKind.DANGER_ZONE: 10}
FEEDBACK_SIGN = {FeedbackCategory.LITIGATION: SignKind.LITIGATION, FeedbackCategory.CONTACT: SignKind.UNREACHABLE,
                 FeedbackCategory.OPERATIONS: SignKind.ASSETS_MOVING}
CONTACTS_READ = 20  # the newest contacts read per customer for the run


@dataclass(frozen=True)
class Evidence:
    what: str
    when: date
    link: str | None = None


@dataclass
class Sign:
    kind: str
    evidence: list[Evidence] = field(default_factory=list)
    present: bool = False

    @property
    def label(self) -> str:
        return str(SignKind(self.kind).label)

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind] if self.present else 0

    @property
    def count(self) -> int:
        return len(self.evidence)


@dataclass
class Signs:
    """The signs of one customer, in the order of SignKind; `overdue` is its overdue amount at the last cycle."""

    customer_id: int
    signs: list[Sign]
    overdue: Decimal = Decimal("0.00")

    @property
    def score(self) -> int:
        return sum(sign.weight for sign in self.signs)

    @property
    def present(self) -> list[Sign]:
        return [sign for sign in self.signs if sign.present]

    @property
    def count(self) -> int:
        return len(self.present)

    def as_json(self) -> list[dict[str, Any]]:
        """What a decision keeps of the signs it was made on."""
        return [{"kind": s.kind, "present": s.present, "weight": s.weight,
                 "evidence": [{"what": e.what, "when": e.when.isoformat(), "link": e.link} for e in s.evidence]}
                for s in self.signs]


def day_of(moment: datetime | date) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


class Links:
    """Links to the evidence only where `user` may follow them (a law firm's user sees none outside legal)."""

    def __init__(self, user):
        self.user = user

    def customer(self, code: str) -> str | None:
        if self.user is None or self.user.has_perm("customers.view_customer"):
            return reverse("customer-detail", kwargs={"code": code})
        return None

    def collection_case(self, case_id: int | None) -> str | None:
        if case_id and (self.user is None or self.user.has_perm("collections.view_collectioncase")):
            return reverse("collections-case", kwargs={"pk": case_id})
        return None

    def outlooks(self) -> str | None:
        if self.user is None or self.user.has_perm("industry.view_industryoutlook"):
            return reverse("industry-outlooks")
        return None


def signs_of(customers: list[Customer], user=None, today: date | None = None) -> dict[int, Signs]:
    """The signs of each customer (already scoped by the caller), in a fixed handful of queries."""
    today = today or timezone.localdate()
    since = today - timedelta(days=LOOKBACK_DAYS)
    ids = [c.pk for c in customers]
    codes = {c.pk: c.code for c in customers}
    links = Links(user)
    found: dict[int, dict[str, Sign]] = {pk: {kind: Sign(kind) for kind in SignKind.values} for pk in ids}
    if not ids:
        return {}
    broken_promises(found, ids, since, links)
    unreachable(found, ids, since, links)
    litigation_flags(found, ids, codes, links)
    feedback(found, ids, since, codes, links)
    industry_alarms(found, customers, links)
    overdue = danger_zone(found, ids, codes, links)
    return {pk: Signs(pk, list(found[pk].values()), overdue.get(pk, Decimal("0.00"))) for pk in ids}


def broken_promises(found, ids, since, links) -> None:
    rows = (PromiseToPay.objects.filter(customer_id__in=ids, state=PromiseState.BROKEN, evaluated_on__gte=since)
            .order_by("-evaluated_on", "-pk").values("customer_id", "case_id", "amount", "due_date", "evaluated_on"))
    for row in rows:
        sign = found[row["customer_id"]][SignKind.BROKEN_PROMISES]
        sign.present = True
        sign.evidence.append(Evidence(_("%(amount)s promised for %(due)s, judged broken") % {
            "amount": f"{row['amount']:,.2f}", "due": row["due_date"]}, row["evaluated_on"],
            links.collection_case(row["case_id"])))


def unreachable(found, ids, since, links) -> None:
    """The run of the newest contacts that reached nobody (no answer, a wrong number), newest first."""
    rows = (Contact.objects.filter(customer_id__in=ids, at__date__gte=since).order_by("customer_id", "-at", "-pk")
            .values_list("customer_id", "case_id", "channel", "outcome", "at"))
    runs: dict[int, list] = defaultdict(list)
    ended: set[int] = set()
    for customer_id, case_id, channel, outcome, at in rows:
        if customer_id in ended or len(runs[customer_id]) >= CONTACTS_READ:
            continue
        if outcome in REACHED_OUTCOMES:
            ended.add(customer_id)
            continue
        runs[customer_id].append((case_id, channel, outcome, at))
    for customer_id, run in runs.items():
        if len(run) < UNREACHABLE_RUN:
            continue
        sign = found[customer_id][SignKind.UNREACHABLE]
        sign.present = True
        sign.evidence += [Evidence(f"{Channel(channel).label}: {ContactOutcome(outcome).label}", day_of(at),
                                   links.collection_case(case_id)) for case_id, channel, outcome, at in run]


def litigation_flags(found, ids, codes, links) -> None:
    flagged = list(CreditProfile.objects.filter(customer_id__in=ids, litigation=True)
                   .values_list("pk", "customer_id", "litigation_note", "updated_at"))
    set_at = dict(AuditEvent.objects.filter(action="credit_flags.changed", object_type="creditprofile",
                                            object_id__in=[str(pk) for pk, *_rest in flagged])
                  .values_list("object_id").annotate(last=Max("at")).values_list("object_id", "last"))
    for pk, customer_id, note, updated_at in flagged:
        sign = found[customer_id][SignKind.LITIGATION]
        sign.present = True
        what = _("Litigation flag set: %(note)s") % {"note": note} if note else _("Litigation flag set")
        sign.evidence.append(Evidence(what, day_of(set_at.get(str(pk), updated_at)), links.customer(codes[customer_id])))


def feedback(found, ids, since, codes, links) -> None:
    rows = (RiskFeedback.objects.filter(customer_id__in=ids, category__in=list(FEEDBACK_SIGN),
                                        created_at__date__gte=since)
            .order_by("-created_at", "-pk").values_list("customer_id", "category", "text", "created_at"))
    for customer_id, category, text, created_at in rows:
        sign = found[customer_id][FEEDBACK_SIGN[category]]
        sign.present = True
        sign.evidence.append(Evidence(_("Risk feedback (%(category)s): %(text)s") % {
            "category": FeedbackCategory(category).label, "text": text[:200]}, day_of(created_at),
            links.customer(codes[customer_id])))


def industry_alarms(found, customers, links) -> None:
    sections = {c.industry for c in customers if c.industry}
    alarmed = set(IndustryOutlook.objects.filter(industry__in=sections, alarm=True).values_list("industry", flat=True))
    if not alarmed:
        return
    raised: dict[str, OutlookChange] = {}
    for change in OutlookChange.objects.filter(industry__in=alarmed, alarm=True).order_by("industry", "-changed_at"):
        raised.setdefault(change.industry, change)
    for customer in customers:
        if customer.industry not in alarmed:
            continue
        change = raised.get(customer.industry)
        sign = found[customer.pk][SignKind.INDUSTRY_ALARM]
        sign.present = True
        what = _("Systemic alarm on industry %(industry)s") % {"industry": customer.industry_label()}
        if change is not None and change.note:
            what = f"{what}: {change.note}"
        sign.evidence.append(Evidence(what, day_of(change.changed_at) if change else timezone.localdate(),
                                      links.outlooks()))


def danger_zone(found, ids, codes, links) -> dict[int, Decimal]:
    """The latest snapshot of each customer: the danger zone sign, and the overdue amount for the order."""
    latest = dict(CustomerSnapshot.objects.filter(customer_id__in=ids).values_list("customer_id")
                  .annotate(last=Max("as_of")).values_list("customer_id", "last"))
    overdue = {}
    rows = CustomerSnapshot.objects.filter(customer_id__in=ids, as_of__in=set(latest.values())).values_list(
        "customer_id", "as_of", "zone", "overdue_amount", "max_days_overdue")
    for customer_id, as_of, zone, amount, days in rows:
        if latest.get(customer_id) != as_of:
            continue
        overdue[customer_id] = amount
        if zone == Zone.DANGER:
            sign = found[customer_id][SignKind.DANGER_ZONE]
            sign.present = True
            sign.evidence.append(Evidence(_("Danger zone: %(amount)s overdue, up to %(days)s days") % {
                "amount": f"{amount:,.2f}", "days": days}, as_of, links.customer(codes[customer_id])))
    return overdue
