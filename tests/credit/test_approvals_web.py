"""The approvals pages: inbox, proposal page with votes, the proposal form, and the policy editor."""

from __future__ import annotations

import json

import pytest
from tests.conftest import make_user

from fengkong.accounts.choices import Role
from fengkong.credit.models import CreditPolicy, CreditProfile, LimitProposal

from . import approvals_fixtures as fx
from .approvals_fixtures import make_assessment, pending_proposal

committee, stub_preview = fx.committee, fx.stub_preview  # fixtures

pytestmark = pytest.mark.django_db


def test_the_inbox_shows_what_waits_for_me_first(book, sign_in, users):
    proposal = pending_proposal(book["customers"][0], users["credit_analyst"])
    page = sign_in("risk_manager").get("/credit/approvals/")
    assert page.status_code == 200
    body = page.content.decode()
    mine = body[body.index('id="waiting-for-me"'):body.index('id="proposals"')]
    assert f'data-proposal="{proposal.pk}"' in mine and 'data-label="' in mine
    analyst = sign_in("credit_analyst").get("/credit/approvals/").content.decode()
    assert 'id="waiting-for-me"' not in analyst and f'data-proposal="{proposal.pk}"' in analyst


def test_the_inbox_filters_by_status_and_level_and_ignores_bad_values(book, sign_in, users):
    pending_proposal(book["customers"][0], users["credit_analyst"])
    manager = sign_in("risk_manager")

    def listed(query):
        body = manager.get(f"/credit/approvals/?{query}").content.decode()
        return body[body.index('id="proposals"'):]

    assert "C000001" in listed("status=pending") and "C000001" not in listed("status=approved")
    assert "C000001" not in listed("level=committee")
    assert manager.get("/credit/approvals/?status=bogus&level=%00&page=x").status_code == 200


def test_a_collector_sees_only_proposals_of_their_portfolio(book, sign_in, users):
    cq = pending_proposal(book["customers"][0], users["credit_analyst"])
    sc = pending_proposal(book["customers"][2], users["credit_analyst"])
    collector = sign_in("collector")
    listing = collector.get("/credit/approvals/").content.decode()
    assert "C000001" in listing and "C000003" not in listing
    assert collector.get(f"/credit/proposals/{cq.pk}/").status_code == 200
    assert collector.get(f"/credit/proposals/{sc.pk}/").status_code == 404
    assert sign_in("sales").get(f"/credit/proposals/{sc.pk}/").status_code == 403
    assert collector.post(f"/credit/proposals/{cq.pk}/vote/", {"vote": "approve"}).status_code == 403
    assert collector.post(f"/credit/proposals/{sc.pk}/vote/", {"vote": "approve"}).status_code == 404


def test_an_analyst_proposes_through_the_form(book, sign_in, users):
    customer = book["customers"][0]
    assessment = make_assessment(customer, grade="B", suggested="300000.00", term=60)
    analyst = sign_in("credit_analyst")
    form = analyst.get("/credit/customers/C000001/propose/")
    assert form.status_code == 200
    body = form.content.decode()
    assert "300,000.00" in body and 'value="300000.00"' in body and 'id="approval-levels"' in body
    level = analyst.get("/credit/customers/C000001/propose/?proposed_limit=2000000", HTTP_HX_REQUEST="true")
    assert 'id="approval-level"' in level.content.decode() and "committee" in level.content.decode().lower()
    bad = analyst.post("/credit/customers/C000001/propose/",
                       {"proposed_limit": "-5", "proposed_term_days": "800", "reason": ""})
    assert bad.status_code == 400 and not LimitProposal.objects.exists()
    done = analyst.post("/credit/customers/C000001/propose/",
                        {"proposed_limit": "300000.00", "proposed_term_days": "60", "reason": "按评估结果授信",
                         "assessment": str(assessment.pk)})
    proposal = LimitProposal.objects.get()
    assert done.status_code == 302 and done.url == f"/credit/proposals/{proposal.pk}/"
    assert (proposal.assessment, proposal.grade, proposal.proposed_by) == (assessment, "B", users["credit_analyst"])


def test_the_proposal_form_is_403_for_other_roles_and_404_outside_the_portfolio(book, sign_in, roles, portfolios):
    for persona in ("collector", "sales", "risk_committee", "auditor"):
        assert sign_in(persona).get("/credit/customers/C000001/propose/").status_code == 403
    from django.contrib.auth.models import Permission
    from django.test import Client

    scoped = make_user("scoped", Role.COLLECTOR, roles, [portfolios["SC"]])
    scoped.user_permissions.add(Permission.objects.get(codename="propose_limit"))
    client = Client()
    client.force_login(scoped)
    assert client.get("/credit/customers/C000001/propose/").status_code == 404
    assert client.get("/credit/customers/C000003/propose/").status_code == 200


def test_a_manager_votes_on_the_proposal_page_and_the_owner_is_shown(book, sign_in, users):
    proposal = pending_proposal(book["customers"][0], users["credit_analyst"])
    manager = sign_in("risk_manager")
    page = manager.get(f"/credit/proposals/{proposal.pk}/").content.decode()
    assert 'id="vote-form"' in page and 'id="withdraw-form"' in page
    assert manager.post(f"/credit/proposals/{proposal.pk}/vote/", {"vote": "reject"}).status_code == 400
    voted = manager.post(f"/credit/proposals/{proposal.pk}/vote/", {"vote": "approve", "comment": "同意"})
    assert voted.status_code == 302
    after = manager.get(f"/credit/proposals/{proposal.pk}/").content.decode()
    assert 'id="accountable-owner"' in after and "risk_manager" in after and "同意" in after
    assert CreditProfile.objects.get(customer=proposal.customer).owner == users["risk_manager"]


def test_the_proposer_sees_no_vote_form_and_a_self_vote_is_refused(book, sign_in, users):
    proposal = pending_proposal(book["customers"][0], users["risk_manager"])
    manager = sign_in("risk_manager")
    page = manager.get(f"/credit/proposals/{proposal.pk}/").content.decode()
    assert 'id="vote-form"' not in page and 'id="no-vote"' in page
    refused = manager.post(f"/credit/proposals/{proposal.pk}/vote/", {"vote": "approve"}, follow=True)
    assert proposal.votes.count() == 0 and "own proposal" in refused.content.decode()


def test_committee_members_vote_and_the_page_lists_who_has_not(book, sign_in, users, committee):
    proposal = pending_proposal(book["customers"][0], users["credit_analyst"], limit="3000000.00",
                                level="committee", votes=2)
    member = sign_in("risk_committee")
    page = member.get(f"/credit/proposals/{proposal.pk}/").content.decode()
    assert 'id="vote-form"' in page and "member2" in page
    assert sign_in("risk_manager").post(f"/credit/proposals/{proposal.pk}/vote/",
                                        {"vote": "approve"}).status_code == 403
    member.post(f"/credit/proposals/{proposal.pk}/vote/", {"vote": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == "pending" and proposal.votes.count() == 1


def test_withdraw_through_the_page(book, sign_in, users):
    proposal = pending_proposal(book["customers"][0], users["credit_analyst"])
    analyst = sign_in("credit_analyst")
    assert analyst.post(f"/credit/proposals/{proposal.pk}/withdraw/", {"reason": ""}).status_code == 400
    assert analyst.post(f"/credit/proposals/{proposal.pk}/withdraw/", {"reason": "重复"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_the_policy_page_shows_the_version_in_force_in_tables(book, sign_in):
    page = sign_in("auditor").get("/credit/policy/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="policy-dimensions"' in body and "current_ratio" in body and 'id="policy-levels"' in body
    assert "1,000,000.00" in body
    assert sign_in("sales").get("/credit/policy/").status_code == 403
    assert sign_in("credit_analyst").get("/credit/policy/new/").status_code == 403


def test_the_editor_previews_lists_problems_and_proposes(book, sign_in, stub_preview):
    manager = sign_in("risk_manager")
    editor = manager.get("/credit/policy/new/").content.decode()
    assert "&quot;dimensions&quot;" in editor
    not_json = manager.post("/credit/policy/new/", {"config": "{oops", "action": "preview"})
    assert not_json.status_code == 400 and "Not valid JSON" in not_json.content.decode()
    bad = manager.post("/credit/policy/new/", {"config": json.dumps({"grades": {"A": 50, "B": 70}, "typo": 1}),
                                               "action": "preview"})
    assert bad.status_code == 400 and 'id="policy-problems"' in bad.content.decode()
    assert "typo" in bad.content.decode()
    config = json.dumps({"grades": {"A": 85, "B": 65}})
    preview = manager.post("/credit/policy/new/", {"config": config, "action": "preview"}).content.decode()
    assert 'id="grade-moves"' in preview and "500,000.00" in preview and 'data-chart="preview-chart"' in preview
    assert not CreditPolicy.objects.exists()
    done = manager.post("/credit/policy/new/", {"config": config, "note": "收紧", "action": "propose"})
    assert done.status_code == 302 and done.url == "/credit/policy/1/"
    assert CreditPolicy.objects.get().status == "proposed"


def test_another_manager_decides_a_version_on_its_page(book, sign_in, roles, stub_preview, users):
    from django.test import Client

    manager = sign_in("risk_manager")
    manager.post("/credit/policy/new/", {"config": json.dumps({"grades": {"A": 85, "B": 65}}), "action": "propose"})
    own = manager.get("/credit/policy/1/").content.decode()
    assert 'id="decide-form"' not in own and "grades.A" in own
    other = Client()
    other.force_login(make_user("manager2", Role.RISK_MANAGER, roles))
    assert 'id="decide-form"' in other.get("/credit/policy/1/").content.decode()
    assert other.post("/credit/policy/1/decide/", {"decision": "reject"}).status_code == 400
    assert other.post("/credit/policy/1/decide/", {"decision": "approve"}).status_code == 302
    assert CreditPolicy.objects.get().status == "approved"
    assert sign_in("credit_analyst").post("/credit/policy/1/decide/", {"decision": "approve"}).status_code == 403
    assert manager.get("/credit/policy/99/").status_code == 404


def test_a_collector_reading_a_version_sees_no_example_of_another_portfolio(book, sign_in, users):
    CreditPolicy.objects.create(version=1, config={}, proposed_by=users["risk_manager"], preview={
        "customers": 3, "grade_moves": {"B": {"C": 2}}, "examples": [{"customer": "C000003", "name": "成都锦江电子有限公司"},
                                                                    {"customer": "C000001", "name": "x"}]})
    body = sign_in("collector").get("/credit/policy/1/").content.decode()
    assert "C000003" not in body and "C000001" in body
