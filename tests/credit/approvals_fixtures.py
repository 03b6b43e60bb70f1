"""Fixtures and makers shared by the approvals tests and the permission matrix's credit entries.

Assessments are made here directly, so these tests do not depend on the assessment pipeline.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import AS_OF, make_user

from fengkong.accounts.choices import Role
from fengkong.credit.choices import ApprovalLevel, PolicyStatus, Trigger
from fengkong.credit.models import Assessment, CreditPolicy, CreditProfile, LimitProposal

PREVIEW = {"customers": 3, "grade_moves": {"A": {"A": 1}, "B": {"B": 1, "C": 1}},
           "limit_before": "500000.00", "limit_after": "420000.00", "raised": 0, "lowered": 1,
           "examples": [{"customer": "C000001", "from": "B", "to": "C"}]}


@pytest.fixture
def committee(roles, users):
    """Three committee members (the `risk_committee` persona and two more): quorum 2 of 3 by default."""
    return [users[Role.RISK_COMMITTEE], make_user("member2", Role.RISK_COMMITTEE, roles),
            make_user("member3", Role.RISK_COMMITTEE, roles)]


@pytest.fixture
def stub_preview(monkeypatch):
    """The what-if preview as a fixed answer (the real one is the assessment pipeline's)."""
    calls = []

    def fake(config):
        calls.append(config)
        return PREVIEW

    monkeypatch.setattr("fengkong.credit.grading.preview", fake)
    return calls


def make_assessment(customer, grade="B", total="72.50", suggested="300000.00", term=60) -> Assessment:
    return Assessment.objects.create(
        customer=customer, as_of=AS_OF, policy_version=0, trigger=Trigger.MANUAL, total=Decimal(total),
        grade=grade, suggested_limit=Decimal(suggested), suggested_term_days=term,
        guarantee_requirement="as_policy", reasons=[], scores={})


def set_limit(customer, limit: str, term: int = 30, owner=None) -> CreditProfile:
    profile, _created = CreditProfile.objects.update_or_create(
        customer=customer, defaults={"limit": Decimal(limit), "term_days": term, "owner": owner})
    return profile


def pending_proposal(customer, proposer, limit="200000.00", level=ApprovalLevel.MANAGER, votes=1) -> LimitProposal:
    """A proposal written directly (no action), for pages that only need one to exist."""
    return LimitProposal.objects.create(customer=customer, current_limit=Decimal("0.00"),
                                        proposed_limit=Decimal(limit), current_term_days=0, proposed_term_days=60,
                                        reason="新客户首次授信", proposed_by=proposer, level=level,
                                        votes_needed=votes)


# --- for the permission matrix (kwargs callables taking the `world` dict) -----------------------------

def cq_proposal(world) -> int:
    customer = world["customers"][0]
    return pending_proposal(customer, world["users"][Role.CREDIT_ANALYST]).pk


def proposed_policy(world) -> int:
    return CreditPolicy.objects.create(version=1, config={}, status=PolicyStatus.PROPOSED, note="tighter B",
                                       proposed_by=world["users"][Role.RISK_MANAGER], preview=PREVIEW).version
