"""The approvals API: proposals, votes, withdrawal, policy versions; scoping and hostile input."""

from __future__ import annotations

import pytest
from tests.conftest import make_user

from fengkong.accounts.choices import Role
from fengkong.credit.models import CreditPolicy, CreditProfile, LimitProposal

from . import approvals_fixtures as fx
from .approvals_fixtures import make_assessment, pending_proposal

committee, stub_preview = fx.committee, fx.stub_preview  # fixtures

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, url, data):
    return client.post(f"{API}{url}", data, content_type="application/json")


def propose(client, code="C000001", **body):
    return post(client, f"/customers/{code}/limit-proposals",
                {"proposed_limit": "500000.00", "proposed_term_days": 60, "reason": "年销售额增长", **body})


def test_an_analyst_proposes_and_a_manager_approves(book, sign_in, users):
    assessment = make_assessment(book["customers"][0], grade="A")
    created = propose(sign_in("credit_analyst"), assessment=assessment.pk, grade="A")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["level"], body["votes_needed"], body["status"]) == ("manager", 1, "pending")
    assert body["proposed_limit"] == "500000.00" and body["you_may_vote"] is False and body["you_may_withdraw"]
    manager = sign_in("risk_manager")
    inbox = manager.get(f"{API}/limit-proposals?waiting_for_me=true").json()
    assert [p["id"] for p in inbox["items"]] == [body["id"]]
    voted = post(manager, f"/limit-proposals/{body['id']}/votes", {"vote": "approve", "comment": "同意"})
    assert voted.status_code == 201, voted.content
    assert voted.json()["status"] == "approved" and voted.json()["accountable_owner"] == "risk_manager"
    assert voted.json()["votes"][0]["comment"] == "同意"
    assert CreditProfile.objects.get(customer__code="C000001").owner == users["risk_manager"]


def test_self_approval_is_403_and_a_second_vote_409(book, sign_in, committee, roles):
    manager = sign_in("risk_manager")
    own = propose(manager).json()
    answer = post(manager, f"/limit-proposals/{own['id']}/votes", {"vote": "approve"})
    assert answer.status_code == 403 and "own" in answer.json()["detail"]
    big = propose(sign_in("credit_analyst"), code="C000002", proposed_limit="3000000.00").json()
    member = sign_in("risk_committee")
    assert post(member, f"/limit-proposals/{big['id']}/votes", {"vote": "approve"}).status_code == 201
    again = post(member, f"/limit-proposals/{big['id']}/votes", {"vote": "approve"})
    assert again.status_code == 409
    assert post(manager, f"/limit-proposals/{big['id']}/votes", {"vote": "approve"}).status_code == 403


def test_a_proposal_of_another_portfolio_is_404_and_lists_are_scoped(book, sign_in, users):
    sc = pending_proposal(book["customers"][2], users["credit_analyst"])
    cq = pending_proposal(book["customers"][0], users["credit_analyst"])
    collector = sign_in("collector")
    assert collector.get(f"{API}/limit-proposals/{sc.pk}").status_code == 404
    assert collector.get(f"{API}/limit-proposals/{cq.pk}").status_code == 200
    assert [p["customer"] for p in collector.get(f"{API}/limit-proposals").json()["items"]] == ["C000001"]
    assert sign_in("sales").get(f"{API}/limit-proposals").status_code == 403
    assert post(sign_in("collector"), "/customers/C000001/limit-proposals",
                {"proposed_limit": "1.00", "proposed_term_days": 1, "reason": "x"}).status_code == 403


@pytest.mark.parametrize("body", [
    {"proposed_limit": "-1.00"}, {"proposed_limit": "1.234"}, {"proposed_limit": "1e400"},
    {"proposed_limit": "9" * 30}, {"proposed_limit": "abc"}, {"proposed_limit": True},
    {"proposed_term_days": -1}, {"proposed_term_days": 721}, {"proposed_term_days": "30"},
    {"proposed_term_days": 30.5}, {"proposed_term_days": 2**70}, {"reason": "   "}, {"reason": "x\x00y"},
    {"reason": "x" * 5000}, {"grade": "D"}, {"assessment": "one"},
])
def test_hostile_proposals_get_a_clear_422(book, sign_in, body):
    answer = propose(sign_in("credit_analyst"), **body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"]
    assert not LimitProposal.objects.exists()


def test_unknown_ids_and_customers_are_404(book, sign_in):
    analyst = sign_in("risk_manager")
    assert propose(analyst, code="NOPE").status_code == 404
    assert propose(analyst, assessment=999999).status_code == 404
    assert analyst.get(f"{API}/limit-proposals/999999").status_code == 404
    assert analyst.get(f"{API}/limit-proposals/0").status_code == 422
    assert analyst.get(f"{API}/limit-proposals/{2**64}").status_code in (404, 422)
    assert post(analyst, "/limit-proposals/999999/votes", {"vote": "approve"}).status_code == 404
    assert analyst.get(f"{API}/credit-policies/999").status_code == 404


def test_votes_and_withdrawal_validate_their_bodies(book, sign_in, users):
    proposal = pending_proposal(book["customers"][0], users["credit_analyst"])
    manager = sign_in("risk_manager")
    assert post(manager, f"/limit-proposals/{proposal.pk}/votes", {"vote": "maybe"}).status_code == 422
    assert post(manager, f"/limit-proposals/{proposal.pk}/votes", {"vote": "reject"}).status_code == 422
    assert post(manager, f"/limit-proposals/{proposal.pk}/votes", ["approve"]).status_code == 422
    assert post(manager, f"/limit-proposals/{proposal.pk}/withdraw", {"reason": ""}).status_code == 422
    assert post(sign_in("auditor"), f"/limit-proposals/{proposal.pk}/withdraw",
                {"reason": "no"}).status_code == 403
    done = post(sign_in("credit_analyst"), f"/limit-proposals/{proposal.pk}/withdraw", {"reason": "客户撤回"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert post(manager, f"/limit-proposals/{proposal.pk}/votes", {"vote": "approve"}).status_code == 409


def test_policy_versions_through_the_api(book, sign_in, roles, stub_preview):
    make_user("manager2", Role.RISK_MANAGER, roles)
    manager = sign_in("risk_manager")
    bad = post(manager, "/credit-policies", {"config": {"grades": {"A": 50, "B": 70}, "typo": 1}, "note": ""})
    assert bad.status_code == 422 and len(bad.json()["problems"]) >= 2
    assert post(manager, "/credit-policies", {"config": "not an object"}).status_code == 422
    created = post(manager, "/credit-policies", {"config": {"grades": {"A": 85, "B": 65}}, "note": "收紧"})
    assert created.status_code == 201 and created.json()["version"] == 1
    assert created.json()["preview"]["customers"] == 3
    assert post(manager, "/credit-policies/1/decision", {"approve": True}).status_code == 403
    assert post(sign_in("credit_analyst"), "/credit-policies", {"config": {}}).status_code == 403
    from django.test import Client

    other = Client()
    other.force_login(CreditPolicy.objects.get().proposed_by.__class__.objects.get(username="manager2"))
    assert post(other, "/credit-policies/1/decision", {"approve": "yes"}).status_code == 422
    assert post(other, "/credit-policies/1/decision", {"approve": False}).status_code == 422
    decided = post(other, "/credit-policies/1/decision", {"approve": True, "note": "同意"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    listing = manager.get(f"{API}/credit-policies").json()
    assert listing["in_force"] == 1 and listing["items"][0]["in_force"] is True
    assert post(other, "/credit-policies/1/decision", {"approve": True}).status_code == 409
    assert sign_in("sales").get(f"{API}/credit-policies").status_code == 403
