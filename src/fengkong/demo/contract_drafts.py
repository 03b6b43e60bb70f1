"""The demo company's contracts: drafts waiting for review, generated in Chinese with some clauses left out
and some terms too long for the customer's grade, registered and analysed through the contract actions, so
the register opens with contracts whose flags an analyst has something to say about."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from fengkong.contracts.actions import register_contract, submit_for_review, upload_document
from fengkong.contracts.models import Contract
from fengkong.credit.models import CreditProfile
from fengkong.engine.contracts.samples import chinese_contract

# (grade, payment days, clauses left out, value): a risky draft for a high-risk customer, a sound one for a
# good customer, and one between
DRAFTS = [
    ("C", 120, ("retention_of_title", "guarantee"), Decimal("1800000.00")),
    ("C", 30, ("cross_default",), Decimal("600000.00")),
    ("B", 90, ("liquidated_damages",), Decimal("2400000.00")),
    ("A", 60, (), Decimal("3500000.00")),
]


def load_contracts(seed: int) -> int:
    """Register the demo drafts (idempotent: skipped when contracts exist); the number registered."""
    if Contract.objects.exists():
        return 0
    analyst = get_user_model().objects.get(username="analyst")
    made = 0
    for number, (grade, days, missing, value) in enumerate(DRAFTS, start=1):
        profile = CreditProfile.objects.filter(grade=grade).select_related("customer").order_by("customer__code").first()
        if profile is None:
            continue
        customer = profile.customer
        text = chinese_contract(seed=seed + number, payment_days=days, missing=missing, pages=4,
                                buyer=customer.name)
        contract = register_contract(actor=analyst, customer=customer, number=f"HT-2026-{number:03d}", value=value,
                                     payment_term_days=days)
        upload_document(actor=analyst, contract=contract, data=text.encode("gbk", errors="replace"),
                        filename=f"{contract.number}购销合同.txt")
        if number % 2:
            submit_for_review(actor=analyst, contract=contract)
        made += 1
    return made
