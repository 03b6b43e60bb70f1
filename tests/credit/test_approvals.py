"""Limit proposals: levels by amount, maker-checker, committee quorum N of M, accountability, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.conftest import make_user

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.credit.actions import limits
from fengkong.credit.choices import ApprovalLevel, ProposalStatus
from fengkong.credit.exceptions import Conflict, NotAllowed, SelfApproval
from fengkong.credit.models import CreditPolicy, CreditProfile, LimitProposal
from fengkong.notifications.models import InboxMessage

from . import approvals_fixtures as fx
from .approvals_fixtures import make_assessment, set_limit

committee = fx.committee  # fixture

pytestmark = pytest.mark.django_db


def propose(actor, customer, limit="500000.00", term=60, **extra):
    return limits.propose_limit(actor=actor, customer=customer, proposed_limit=Decimal(limit),
                                   proposed_term_days=term, reason=extra.pop("reason", "年销售额增长"), **extra)


@pytest.fixture
def cq(book):
    return book["customers"][0]


# --- levels ------------------------------------------------------------------------------------------

def test_a_limit_up_to_the_manager_threshold_needs_one_manager(users, cq):
    proposal = propose(users["credit_analyst"], cq, "1000000.00")
    assert (proposal.level, proposal.votes_needed, proposal.status) == (ApprovalLevel.MANAGER, 1, "pending")


def test_a_limit_above_the_threshold_goes_to_the_committee_with_its_quorum(users, cq):
    proposal = propose(users["credit_analyst"], cq, "1000000.01")
    assert (proposal.level, proposal.votes_needed) == (ApprovalLevel.COMMITTEE, 2)


def test_a_decrease_needs_only_the_first_level_whatever_its_size(users, cq):
    set_limit(cq, "5000000.00")
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    assert proposal.level == ApprovalLevel.MANAGER
    assert proposal.current_limit == Decimal("5000000.00")


def test_levels_follow_the_policy_in_force(users, cq):
    config = {"approval_levels": [{"up_to_cny": "100000.00", "level": "manager", "votes": 1},
                                  {"up_to_cny": None, "level": "committee", "votes": 3}]}
    CreditPolicy.objects.create(version=1, config=config, status="approved")
    proposal = propose(users["credit_analyst"], cq, "200000.00")
    assert (proposal.level, proposal.votes_needed) == (ApprovalLevel.COMMITTEE, 3)


# --- proposing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "term", "reason", "field"), [
    ("-1.00", 30, "x", "proposed_limit"), ("1.001", 30, "x", "proposed_limit"),
    ("1" + "0" * 17, 30, "x", "proposed_limit"), ("NaN", 30, "x", "proposed_limit"),
    ("100.00", -1, "x", "proposed_term_days"), ("100.00", 721, "x", "proposed_term_days"),
    ("100.00", 30, "   ", "reason"),
])
def test_bad_proposals_are_refused_naming_the_field(users, cq, limit, term, reason, field):
    with pytest.raises(ValidationError) as caught:
        limits.propose_limit(actor=users["credit_analyst"], customer=cq, proposed_limit=limit,
                                proposed_term_days=term, reason=reason)
    assert field in caught.value.message_dict
    assert not LimitProposal.objects.exists()


def test_only_roles_with_the_permission_propose(users, cq):
    for persona in ("collector", "risk_committee", "sales", "auditor"):
        with pytest.raises(PermissionDenied):
            propose(users[persona], cq)


def test_nobody_proposes_for_a_customer_outside_their_portfolio(roles, portfolios, book):
    scoped = make_user("scoped_analyst", None, roles, [portfolios["SC"]])
    scoped.groups.add(roles[Role.COLLECTOR])
    from django.contrib.auth.models import Permission

    scoped.user_permissions.add(Permission.objects.get(codename="propose_limit"))
    with pytest.raises(PermissionDenied):
        propose(scoped, book["customers"][0])
    assert propose(scoped, book["customers"][2]).status == "pending"


def test_a_new_proposal_supersedes_the_pending_one(users, cq):
    first = propose(users["credit_analyst"], cq, "200000.00")
    second = propose(users["risk_manager"], cq, "300000.00")
    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED and second.status == ProposalStatus.PENDING
    assert LimitProposal.objects.filter(customer=cq, status="pending").count() == 1
    assert AuditEvent.objects.filter(action="limit_proposal.superseded", object_id=str(first.pk)).exists()


def test_the_review_cycle_may_propose_without_a_user(users, cq):
    assessment = make_assessment(cq, grade="A", suggested="800000.00", term=90)
    proposal = limits.propose_limit(actor=None, customer=cq, proposed_limit=Decimal("800000.00"),
                                       proposed_term_days=90, reason="quarterly review", assessment=assessment,
                                       grade="A")
    assert proposal.proposed_by is None and proposal.assessment == assessment
    assert AuditEvent.objects.get(action="limit_proposal.proposed").actor_name == "system"


def test_managers_are_told_of_a_manager_level_proposal_but_not_the_proposer(roles, users, cq):
    proposal = propose(users["risk_manager"], cq, "200000.00")
    told = set(InboxMessage.objects.filter(template="approval_request").values_list("user__username", flat=True))
    assert "risk_manager" not in told  # the proposer
    assert InboxMessage.objects.filter(template="approval_request", link=f"/credit/proposals/{proposal.pk}/").count() \
        == len(told)
    other = make_user("manager2", Role.RISK_MANAGER, roles)
    propose(users["credit_analyst"], cq, "250000.00")
    assert InboxMessage.objects.filter(user__in=[users["risk_manager"], other], template="approval_request").count() == 2


def test_the_committee_is_told_of_a_committee_level_proposal(users, committee, cq):
    propose(users["credit_analyst"], cq, "3000000.00")
    told = set(InboxMessage.objects.filter(template="approval_request").values_list("user__username", flat=True))
    assert told == {"risk_committee", "member2", "member3"}


# --- manager level -----------------------------------------------------------------------------------

def test_nobody_approves_their_own_proposal(users, cq):
    proposal = propose(users["risk_manager"], cq, "200000.00")
    with pytest.raises(SelfApproval):
        limits.vote(actor=users["risk_manager"], proposal=proposal, vote="approve")
    assert proposal.votes.count() == 0


def test_a_manager_approval_sets_the_limit_and_makes_the_approver_its_owner(users, cq):
    assessment = make_assessment(cq, grade="A")
    proposal = propose(users["credit_analyst"], cq, "600000.00", term=90, assessment=assessment, grade="A")
    limits.vote(actor=users["risk_manager"], proposal=proposal, vote="approve", comment="同意")
    proposal.refresh_from_db()
    profile = CreditProfile.objects.get(customer=cq)
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == users["risk_manager"]
    assert (profile.limit, profile.term_days, profile.grade) == (Decimal("600000.00"), 90, "A")
    assert profile.owner == users["risk_manager"] and profile.limit_approved_at is not None
    assert profile.guarantee_requirement == "credit_guarantee"
    change = AuditEvent.objects.get(action="credit_profile.limit_approved")
    assert change.before["limit"] == "0.00" and change.after["limit"] == "600000.00"
    assert change.after["owner_id"] == users["risk_manager"].pk
    decided = InboxMessage.objects.filter(template="approval_decided")
    assert set(decided.values_list("user__username", flat=True)) == {"credit_analyst", "risk_manager"}


def test_a_manager_rejection_needs_a_comment_and_decides(users, cq):
    proposal = propose(users["credit_analyst"], cq, "600000.00")
    with pytest.raises(ValidationError):
        limits.vote(actor=users["risk_manager"], proposal=proposal, vote="reject")
    limits.vote(actor=users["risk_manager"], proposal=proposal, vote="reject", comment="逾期未清")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert not CreditProfile.objects.filter(customer=cq, limit__gt=0).exists()
    assert InboxMessage.objects.get(template="approval_decided").user == users["credit_analyst"]


def test_a_committee_member_cannot_approve_at_manager_level(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "200000.00")
    with pytest.raises(NotAllowed):
        limits.vote(actor=committee[0], proposal=proposal, vote="approve")


def test_only_pending_proposals_take_votes(users, cq):
    proposal = propose(users["credit_analyst"], cq, "200000.00")
    limits.withdraw(actor=users["credit_analyst"], proposal=proposal, reason="客户撤回申请")
    with pytest.raises(Conflict):
        limits.vote(actor=users["risk_manager"], proposal=proposal, vote="approve")


# --- committee level ---------------------------------------------------------------------------------

def test_a_risk_manager_outside_the_committee_cannot_vote_at_committee_level(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    with pytest.raises(NotAllowed):
        limits.vote(actor=users["risk_manager"], proposal=proposal, vote="approve")


def test_committee_approval_needs_the_quorum_and_the_completing_voter_owns_the_limit(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    limits.vote(actor=committee[0], proposal=proposal, vote="approve")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    limits.vote(actor=committee[2], proposal=proposal, vote="approve", comment="担保充足")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert CreditProfile.objects.get(customer=cq).owner == committee[2]
    assert AuditEvent.objects.filter(action="limit_proposal.voted").count() == 2


def test_nobody_votes_twice(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    limits.vote(actor=committee[0], proposal=proposal, vote="approve")
    with pytest.raises(Conflict):
        limits.vote(actor=committee[0], proposal=proposal, vote="approve")
    assert proposal.votes.count() == 1


def test_a_committee_member_does_not_vote_on_their_own_proposal(users, committee, cq, roles):
    from django.contrib.auth.models import Permission

    member = committee[1]
    member.user_permissions.add(Permission.objects.get(codename="propose_limit"))
    proposal = propose(member, cq, "3000000.00")
    with pytest.raises(SelfApproval):
        limits.vote(actor=member, proposal=proposal, vote="approve")


def test_a_majority_of_rejections_rejects(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    limits.vote(actor=committee[0], proposal=proposal, vote="reject", comment="行业下行")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING  # 2 approvals still possible from 2 members
    limits.vote(actor=committee[1], proposal=proposal, vote="reject", comment="担保不足")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    with pytest.raises(Conflict):
        limits.vote(actor=committee[2], proposal=proposal, vote="approve")


def test_rejected_as_soon_as_the_quorum_can_no_longer_be_reached(roles, users, committee, cq):
    config = {"approval_levels": [{"up_to_cny": "1000000.00", "level": "manager", "votes": 1},
                                  {"up_to_cny": None, "level": "committee", "votes": 3}]}
    CreditPolicy.objects.create(version=1, config=config, status="approved")
    make_user("member4", Role.RISK_COMMITTEE, roles)
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    assert proposal.votes_needed == 3
    limits.vote(actor=committee[0], proposal=proposal, vote="approve")
    limits.vote(actor=committee[1], proposal=proposal, vote="reject", comment="风险过高")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING  # 1 approval + 2 members left can still make 3
    limits.vote(actor=committee[2], proposal=proposal, vote="reject", comment="同上")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED  # 1 + 1 left < 3


# --- withdrawal --------------------------------------------------------------------------------------

def test_only_the_proposer_or_a_risk_manager_withdraws(users, roles, cq):
    proposal = propose(users["credit_analyst"], cq, "200000.00")
    other = make_user("analyst2", Role.CREDIT_ANALYST, roles)
    with pytest.raises(NotAllowed):
        limits.withdraw(actor=other, proposal=proposal, reason="不需要")
    with pytest.raises(ValidationError):
        limits.withdraw(actor=users["credit_analyst"], proposal=proposal, reason=" ")
    limits.withdraw(actor=users["risk_manager"], proposal=proposal, reason="重复申请")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN and proposal.decided_by == users["risk_manager"]
    assert AuditEvent.objects.get(action="limit_proposal.withdrawn").after["reason"] == "重复申请"
    with pytest.raises(Conflict):
        limits.withdraw(actor=users["credit_analyst"], proposal=proposal, reason="again")


def test_audit_trail_records_every_step_with_comments(users, committee, cq):
    proposal = propose(users["credit_analyst"], cq, "3000000.00")
    limits.vote(actor=committee[0], proposal=proposal, vote="approve", comment="同意，需季度复核")
    limits.vote(actor=committee[1], proposal=proposal, vote="approve")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["limit_proposal.proposed", "limit_proposal.voted", "limit_proposal.voted",
                       "limit_proposal.approved", "credit_profile.limit_approved"]
    assert AuditEvent.objects.filter(action="limit_proposal.voted").order_by("seq").first().after["comment"] == "同意，需季度复核"


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_members_voting_at_once_complete_the_approval_exactly_once(users, committee, book,
                                                                       flushable_audit_trail):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; the race needs PostgreSQL")
    proposal = propose(users["credit_analyst"], book["customers"][0], "3000000.00")
    barrier, errors = threading.Barrier(2), []

    def member_votes(member):
        try:
            barrier.wait()
            limits.vote(actor=member, proposal=LimitProposal.objects.get(pk=proposal.pk), vote="approve")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=member_votes, args=(m,)) for m in committee[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.votes.count() == 2
    assert AuditEvent.objects.filter(action="limit_proposal.approved").count() == 1
    assert AuditEvent.objects.filter(action="credit_profile.limit_approved").count() == 1
    assert InboxMessage.objects.filter(template="approval_decided").count() == 2  # proposer and owner
    assert CreditProfile.objects.get(customer=book["customers"][0]).owner in committee[:2]
