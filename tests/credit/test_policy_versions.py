"""Credit policy versions: proposed by one risk manager, approved by another, the highest approved in force."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.conftest import make_user

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.credit.actions import policies
from fengkong.credit.choices import PolicyStatus
from fengkong.credit.exceptions import Conflict, PolicyInvalid, SelfApproval
from fengkong.credit.models import CreditPolicy
from fengkong.credit.policy import current
from fengkong.notifications.models import InboxMessage

from . import approvals_fixtures as fx
from .approvals_fixtures import PREVIEW

stub_preview = fx.stub_preview  # fixture

pytestmark = pytest.mark.django_db

TIGHTER = {"grades": {"A": 85, "B": 65}, "terms": {"B": {"term_days": 45}}}


@pytest.fixture
def second_manager(roles):
    return make_user("manager2", Role.RISK_MANAGER, roles)


def test_a_proposal_stores_the_full_config_the_next_version_and_its_preview(users, stub_preview, second_manager):
    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="收紧B级账期")
    assert (policy.version, policy.status) == (1, PolicyStatus.PROPOSED)
    assert policy.config["grades"] == {"A": 85, "B": 65} and policy.config["terms"]["B"]["term_days"] == 45
    assert policy.config["terms"]["A"]["term_days"] == 90  # left-out settings take the defaults
    assert policy.preview == PREVIEW and stub_preview == [policy.config]
    assert current().version == 0  # not in force before approval
    assert InboxMessage.objects.filter(user=second_manager, template="approval_request",
                                       link="/credit/policy/1/").exists()
    assert not InboxMessage.objects.filter(user=users["risk_manager"]).exists()
    assert policies.propose_policy(actor=users["risk_manager"], config={}, note="").version == 2


def test_an_invalid_policy_lists_every_problem_and_stores_nothing(users, stub_preview):
    with pytest.raises(PolicyInvalid) as caught:
        policies.propose_policy(actor=users["risk_manager"], config={"grades": {"A": 50, "B": 70}, "typo": 1},
                                 note="")
    assert len(caught.value.problems) >= 2
    assert any("typo" in p for p in caught.value.problems) and any("grades.B" in p for p in caught.value.problems)
    assert not CreditPolicy.objects.exists() and stub_preview == []


def test_only_risk_managers_propose_and_decide(users, stub_preview):
    for persona in ("credit_analyst", "risk_committee", "auditor", "sales"):
        with pytest.raises(PermissionDenied):
            policies.propose_policy(actor=users[persona], config={}, note="")
    policy = policies.propose_policy(actor=users["risk_manager"], config={}, note="")
    with pytest.raises(PermissionDenied):
        policies.decide_policy(actor=users["credit_analyst"], policy=policy, approve=True)


def test_nobody_approves_their_own_policy(users, stub_preview):
    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    with pytest.raises(SelfApproval):
        policies.decide_policy(actor=users["risk_manager"], policy=policy, approve=True)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PROPOSED


def test_an_approved_version_comes_into_force_and_is_audited(users, stub_preview, second_manager):
    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    policies.decide_policy(actor=second_manager, policy=policy, approve=True, note="同意")
    policy.refresh_from_db()
    assert (policy.status, policy.decided_by, policy.decision_note) == (PolicyStatus.APPROVED, second_manager, "同意")
    assert current().version == 1 and current().grade_cutoffs["A"] == 85
    assert AuditEvent.objects.filter(action="credit_policy.approved", object_id=str(policy.pk)).exists()
    assert InboxMessage.objects.filter(user=users["risk_manager"], template="approval_decided").exists()
    with pytest.raises(Conflict):
        policies.decide_policy(actor=second_manager, policy=policy, approve=False, note="changed my mind")


def test_a_rejection_needs_a_note_and_leaves_the_policy_in_force(users, stub_preview, second_manager):
    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    with pytest.raises(ValidationError):
        policies.decide_policy(actor=second_manager, policy=policy, approve=False, note="")
    policies.decide_policy(actor=second_manager, policy=policy, approve=False, note="过于激进")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.REJECTED and current().version == 0


def test_an_older_proposal_cannot_be_approved_over_a_newer_version_in_force(users, stub_preview, second_manager):
    older = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    newer = policies.propose_policy(actor=users["risk_manager"], config={}, note="")
    policies.decide_policy(actor=second_manager, policy=newer, approve=True)
    with pytest.raises(Conflict):
        policies.decide_policy(actor=second_manager, policy=older, approve=True)
    assert current().version == newer.version


def test_the_real_preview_is_called_when_the_assessment_pipeline_is_there(users):
    pytest.importorskip("fengkong.credit.grading")
    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    assert "grade_moves" in policy.preview


def test_an_approved_version_reassesses_the_whole_book_at_once(users, stub_preview, second_manager, book,
                                                               huey_immediate, django_capture_on_commit_callbacks):
    from fengkong.credit.choices import Trigger
    from fengkong.credit.models import Assessment

    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    with django_capture_on_commit_callbacks(execute=True):
        policies.decide_policy(actor=second_manager, policy=policy, approve=True, note="同意")
    assessed = Assessment.objects.filter(trigger=Trigger.POLICY_CHANGE)
    assert assessed.count() == len(book["customers"]) and set(assessed.values_list("policy_version", flat=True)) == {1}
    assert set(assessed.values_list("triggered_by", flat=True)) == {second_manager.pk}


def test_a_rejected_version_reassesses_nobody(users, stub_preview, second_manager, book, huey_immediate,
                                              django_capture_on_commit_callbacks):
    from fengkong.credit.models import Assessment

    policy = policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="")
    with django_capture_on_commit_callbacks(execute=True):
        policies.decide_policy(actor=second_manager, policy=policy, approve=False, note="过于激进")
    assert not Assessment.objects.exists()
