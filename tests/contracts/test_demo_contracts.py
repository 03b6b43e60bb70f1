"""The demo company's contract drafts: registered through the actions, analysed, flagged by grade."""

from __future__ import annotations

import pytest
from tests.conftest import make_user

from fengkong.contracts.models import Contract
from fengkong.credit.models import CreditProfile
from fengkong.demo.contract_drafts import load_contracts


@pytest.mark.django_db
def test_the_demo_drafts_are_flagged_against_their_customers_grades(book, roles):
    make_user("analyst", "credit_analyst", roles)
    for customer, grade in zip(book["customers"], ["C", "B", "A"], strict=True):
        CreditProfile.objects.create(customer=customer, grade=grade, term_days={"A": 90, "B": 60, "C": 30}[grade])
    assert load_contracts(7) == 4
    assert load_contracts(7) == 0   # idempotent
    risky = Contract.objects.get(number="HT-2026-001").latest_document()
    codes = {(f["code"], f["clause"]) for f in risky.flags}
    assert {("missing", "retention_of_title"), ("missing", "guarantee"), ("term_too_long", "payment_terms")} <= codes
    sound = Contract.objects.get(number="HT-2026-004").latest_document()
    assert sound.grade == "A" and sound.flags == []
    assert Contract.objects.filter(status="in_review").count() == 2
