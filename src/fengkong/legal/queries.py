"""Reads of legal cases for pages and the API, always through core.permissions.scope."""

from __future__ import annotations

from django.db.models import F, QuerySet

from fengkong.evidence import ledger
from fengkong.evidence.models import EvidenceItem
from fengkong.evidence.queries import items_of

from .models import LegalCase, LegalDeadline, works_for_firm


def worklist(user) -> QuerySet:
    """The open cases `user` may see, the largest amount at risk first, then the nearest deadline."""
    return (LegalCase.objects.for_user(user).open().with_worklist().select_related("customer", "owner")
            .order_by(F("at_risk").desc(), F("next_deadline").asc(nulls_last=True), "pk"))


def visible_cases(user) -> QuerySet:
    return LegalCase.objects.for_user(user).with_worklist().select_related("customer", "owner")


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
