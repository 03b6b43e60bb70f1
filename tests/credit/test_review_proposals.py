"""The review's proposals in bulk: same levels and superseding as one by one, one digest per approver."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fengkong.core.audit import verify
from fengkong.core.models import AuditEvent
from fengkong.credit.actions.limits import propose_limits_from_review
from fengkong.credit.choices import ApprovalLevel, ProposalStatus
from fengkong.credit.models import LimitProposal
from fengkong.notifications.models import InboxMessage

from .approvals_fixtures import committee, make_assessment, pending_proposal, set_limit  # noqa: F401

pytestmark = pytest.mark.django_db


def draft(customer, limit: str, term: int = 60) -> dict:
    assessment = make_assessment(customer, suggested=limit, term=term)
    return {"customer_id": customer.pk, "proposed_limit": Decimal(limit), "proposed_term_days": term,
            "reason": "季度复评", "assessment_id": assessment.pk, "grade": "B"}


def test_levels_follow_the_amount_and_older_pending_proposals_are_superseded(book, users, committee):  # noqa: F811
    small, large, third = book["customers"]
    set_limit(small, "100000.00", term=30)
    old = pending_proposal(small, users["credit_analyst"])
    made = propose_limits_from_review([draft(small, "300000.00"), draft(large, "5000000.00"),
                                       draft(third, "0.00", term=30)])
    assert made == 3
    new = {p.customer_id: p for p in LimitProposal.objects.filter(status=ProposalStatus.PENDING)}
    assert (new[small.pk].level, new[small.pk].current_limit, new[small.pk].current_term_days) == (
        ApprovalLevel.MANAGER, Decimal("100000.00"), 30)
    assert (new[large.pk].level, new[large.pk].votes_needed) == (ApprovalLevel.COMMITTEE, 2)
    assert new[small.pk].proposed_by is None and new[small.pk].assessment_id is not None
    old.refresh_from_db()
    assert old.status == ProposalStatus.SUPERSEDED and old.decided_at is not None
    assert AuditEvent.objects.filter(action="limit_proposal.proposed").count() == 3
    assert AuditEvent.objects.filter(action="limit_proposal.superseded", object_id=str(old.pk)).exists()
    assert verify().ok


def test_each_approver_gets_one_digest_not_one_message_per_proposal(book, users, committee):  # noqa: F811
    propose_limits_from_review([draft(c, "300000.00") for c in book["customers"]])
    manager_msgs = InboxMessage.objects.filter(user=users["risk_manager"], template="approval_request")
    assert manager_msgs.count() == 1 and "3" in manager_msgs.get().title
    assert manager_msgs.get().link == "/credit/approvals/"
    assert not InboxMessage.objects.filter(user__in=committee).exists()  # nothing at committee level


def test_nothing_to_propose_writes_nothing(book):
    assert propose_limits_from_review([]) == 0
    assert not LimitProposal.objects.exists() and not InboxMessage.objects.exists()
