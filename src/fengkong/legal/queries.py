"""Reads of legal cases for pages and the API, always through core.permissions.scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from fengkong.customers.models import Customer
from fengkong.customers.queries import visible_customers
from fengkong.evidence import ledger
from fengkong.evidence.models import EvidenceItem
from fengkong.evidence.queries import items_of
from fengkong.monitoring.choices import Zone
from fengkong.monitoring.models import CustomerSnapshot, MonitoringDay

from .choices import PreservationChoice, Stage
from .models import Engagement, LegalCase, LegalDeadline, PreservationDecision, StageRecord, works_for_firm
from .preservation import Signs, signs_of


def worklist(user) -> QuerySet:
    """The open cases `user` may see, the largest amount at risk first, then the nearest deadline."""
    return (LegalCase.objects.for_user(user).open().with_worklist().select_related("customer", "owner")
            .order_by(F("at_risk").desc(), F("next_deadline").asc(nulls_last=True), "pk"))


def visible_cases(user) -> QuerySet:
    return LegalCase.objects.for_user(user).with_worklist().select_related("customer", "owner")


def engagement_history(case: LegalCase) -> list[Engagement]:
    """Every firm engaged on the case, the first first, the current one included."""
    return list(Engagement.objects.filter(Q(engaged_cases=case) | Q(cases=case)).distinct()
                .select_related("firm", "ended_by").order_by("engaged_on", "pk"))


def visible_engagement(user, pk: int) -> Engagement | None:
    """The engagement when it covers (or covered) a case `user` may see."""
    cases = LegalCase.objects.for_user(user)
    return (Engagement.objects.filter(pk=pk).filter(Q(cases__in=cases) | Q(engaged_cases__in=cases)).distinct()
            .select_related("firm").first())


def calendar(user) -> QuerySet:
    """Every legal date not done yet, of the cases `user` may see, soonest first."""
    return LegalDeadline.objects.for_user(user).pending().select_related("case__customer").order_by("due_on", "pk")


def case_evidence(user, case: LegalCase):
    """The case's evidence items and the check of their files and ledger entries."""
    items = list(case_items(user, case))
    result = ledger.verify(items=[i.pk for i in items]) if items else None
    return items, result


def case_items(user, case: LegalCase) -> QuerySet:
    """The evidence of a case `user` may see: a law firm's user, every item of a case engaged to their firm
    (the case was found through their scope); anyone else, as the evidence store scopes it."""
    if works_for_firm(user):
        return (EvidenceItem.objects.of_subject(case).select_related("file", "customer", "created_by", "entry")
                if LegalCase.objects.for_user(user).filter(pk=case.pk).exists() else EvidenceItem.objects.none())
    return items_of(user, case)


# --- when to act (legal.preservation) ----------------------------------------------------------------

@dataclass
class Ranked:
    """A case or a danger-zone customer of the legal worklist, with its signs and the last decision."""

    customer: Customer
    signs: Signs
    case: LegalCase | None = None
    decision: PreservationDecision | None = None


def order_key(row: Ranked):
    at_risk = row.case.at_risk if row.case is not None else row.signs.overdue
    deadline = row.case.next_deadline if row.case is not None else None
    return (-row.signs.score, -at_risk, deadline is None, deadline or 0, row.customer.code)


def last_decisions(user, customer_ids: list[int]) -> dict[int, PreservationDecision]:
    """Each customer's newest decision `user` may see."""
    latest: dict[int, PreservationDecision] = {}
    for decision in (PreservationDecision.objects.for_user(user).filter(customer_id__in=customer_ids)
                     .select_related("decided_by", "case").order_by("-decided_at", "-pk")):
        latest.setdefault(decision.customer_id, decision)
    return latest


def ranked_cases(user) -> list[Ranked]:
    """The open cases `user` may see, the strongest signs for preservation first, then the largest amount at
    risk, then the nearest deadline."""
    cases = list(worklist(user))
    customers = list({c.customer_id: c.customer for c in cases}.values())
    signs = signs_of(customers, user)
    decisions = last_decisions(user, [c.pk for c in customers])
    rows = [Ranked(case.customer, signs[case.customer_id], case, decisions.get(case.customer_id)) for case in cases]
    return sorted(rows, key=order_key)


def danger_zone_customers(user) -> QuerySet:
    """The customers `user` may see in the danger zone at the last risk cycle."""
    as_of = MonitoringDay.objects.latest_as_of()
    if as_of is None:
        return visible_customers(user).none()
    ids = CustomerSnapshot.objects.filter(as_of=as_of, zone=Zone.DANGER).values("customer_id")
    return visible_customers(user).filter(pk__in=ids)


def danger_zone_without_case(user) -> list[Ranked]:
    """The danger-zone customers without an open legal case, the strongest signs first, then the largest
    overdue amount; none for a law firm's user (no customer is theirs)."""
    if works_for_firm(user):
        return []
    with_case = LegalCase.objects.open().values("customer_id")
    customers = list(danger_zone_customers(user).exclude(pk__in=with_case))
    signs = signs_of(customers, user)
    decisions = last_decisions(user, [c.pk for c in customers])
    return sorted((Ranked(c, signs[c.pk], None, decisions.get(c.pk)) for c in customers), key=order_key)


def decisions_of(user, *, customer: Customer | None = None, case: LegalCase | None = None) -> list:
    """The decisions of a case (or of a customer, the case's included), newest first, each "apply now" with
    `application`: the preservation stage it links to (the one there was, or the first entered after it)."""
    found = PreservationDecision.objects.for_user(user).select_related("decided_by", "case", "preservation")
    found = list(found.filter(case=case) if case is not None else found.filter(customer=customer))
    applied = {}
    case_ids = {d.case_id for d in found if d.case_id and d.decision == PreservationChoice.APPLY_NOW}
    for record in StageRecord.objects.filter(case_id__in=case_ids, stage=Stage.PRESERVATION).order_by("entered_at"):
        applied.setdefault(record.case_id, []).append(record)
    for decision in found:
        decision.application = decision.preservation
        if decision.application is None and decision.case_id in applied:
            decision.application = next((r for r in applied[decision.case_id] if r.entered_at >= decision.decided_at),
                                        None)
    return found
