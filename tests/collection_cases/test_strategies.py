"""Collection strategies: chosen per segment (grade × zone × amount band × behaviour) from the policy, the
behaviour set by a collector with a reason, steps moved by the night when their wait has passed (paused by a
pending promise), the stop-supply and legal-referral steps handed over through monitoring's flag and task."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from fengkong.cli.commands import fengkong
from fengkong.collections import policy as policy_module
from fengkong.collections import strategies
from fengkong.collections.actions import publish_policy, record_promise
from fengkong.collections.choices import EventKind
from fengkong.collections.exceptions import BehaviourInvalid, CaseTaken, PolicyInvalid
from fengkong.collections.models import CaseEvent, CollectionCase
from fengkong.core.models import AuditEvent
from fengkong.credit.models import CreditProfile
from fengkong.monitoring.choices import ActionKind, AlertKind
from fengkong.monitoring.models import ActionItem, Alert, StopSupply

from .conftest import day, night

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"


@pytest.fixture
def worked(ledger, clock):
    night(day(40))
    return ledger


def case_of(customer) -> CollectionCase:
    return CollectionCase.objects.open().get(customer=customer)


# --- the policy --------------------------------------------------------------------------------------

def test_the_default_policy_chooses_by_behaviour_and_falls_back_to_the_default():
    policy = policy_module.parse(None)
    assert policy.strategy_for(grade="A", zone=1, amount_fen=100, behaviour="unknown") == "standard"
    assert policy.strategy_for(grade="", zone=3, amount_fen=10**9, behaviour="wilful") == "wilful"
    assert policy.strategy_for(grade="C", zone=0, amount_fen=0, behaviour="short_of_cash") == "short_of_cash"
    assert [policy.band(f) for f in (0, 4_999_999, 5_000_000, 50_000_000)] == ["small", "small", "medium", "large"]


def test_segments_are_tried_in_order_each_leaving_out_what_it_does_not_care_about():
    policy = policy_module.parse({"segments": [
        {"grades": ["C"], "zones": [2, 3], "amount_bands": ["large"], "strategy": "wilful"},
        {"zones": [3], "strategy": "short_of_cash"}]})
    assert policy.strategy_for(grade="C", zone=3, amount_fen=60_000_000, behaviour="unknown") == "wilful"
    assert policy.strategy_for(grade="C", zone=3, amount_fen=100, behaviour="unknown") == "short_of_cash"
    assert policy.strategy_for(grade="C", zone=1, amount_fen=60_000_000, behaviour="wilful") == "standard"


def test_a_bad_policy_names_every_problem_at_once():
    with pytest.raises(PolicyInvalid) as refused:
        policy_module.parse({
            "amount_bands": [{"name": "small", "from_cny": "10.00"}, {"name": "big", "from_cny": "5.00"}],
            "segments": [{"zones": [4], "behaviours": ["lazy"], "strategy": "gentle", "colour": "red"},
                         {"amount_bands": ["huge"], "strategy": "standard"}],
            "strategies": {"quick": [{"action": "fax", "owner": "intern", "wait_days": -1}]}})
    problems = refused.value.problems
    assert "amount_bands[0].from_cny must be 0.00: the first band starts at nothing owed" in problems
    assert "amount_bands[1].from_cny must be more than the band before it (10.00)" in problems
    assert "unknown setting 'segments[0].colour'" in problems
    assert any(p.startswith("segments[0].strategy 'gentle' is not one of the strategies (standard") for p in problems)
    assert "segments[0].zones: 4 not one of 0, 1, 2, 3" in problems
    assert any(p.startswith("segments[0].behaviours: 'lazy' not one of 'unknown'") for p in problems)
    assert "segments[1].amount_bands: 'huge' not one of 'big', 'small'" in problems
    assert any(p.startswith("strategies.quick[0].action must be one of") for p in problems)
    assert "strategies.quick[0].wait_days must be between 0 and 365, not -1" in problems


# --- the behaviour chooses the strategy ---------------------------------------------------------------

def test_a_collector_sets_the_behaviour_with_a_reason_and_the_strategy_follows(worked, users, cq):
    case = case_of(cq)
    CollectionCase.objects.filter(pk=case.pk).update(step=4)  # well up the standard strategy
    done = strategies.set_behaviour(actor=users["collector"], case=case, behaviour="wilful",
                                    reason="says he will never pay")
    assert (done.behaviour, done.strategy, done.step, done.step_since) == ("wilful", "wilful", 3, day(40))
    assert done.behaviour_set_by == users["collector"] and done.behaviour_reason == "says he will never pay"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert EventKind.BEHAVIOUR in kinds and EventKind.STRATEGY in kinds
    audit = AuditEvent.objects.get(action="collection_case.behaviour_set")
    assert audit.after["behaviour"] == "wilful" and audit.after["strategy"] == "wilful"


def test_a_behaviour_without_a_reason_or_unknown_or_on_a_closed_case_is_refused(worked, users, cq):
    case = case_of(cq)
    with pytest.raises(BehaviourInvalid, match="say why"):
        strategies.set_behaviour(actor=users["collector"], case=case, behaviour="wilful", reason="  ")
    with pytest.raises(BehaviourInvalid, match="behaviour must be one of unknown, short_of_cash, wilful, not 'lazy'"):
        strategies.set_behaviour(actor=users["collector"], case=case, behaviour="lazy", reason="x")
    CollectionCase.objects.filter(pk=case.pk).update(status="closed", closed_on=day(40))
    with pytest.raises(CaseTaken, match="closed"):
        strategies.set_behaviour(actor=users["collector"], case=case, behaviour="wilful", reason="x")
    assert not AuditEvent.objects.filter(action="collection_case.behaviour_set").exists()


def test_the_night_chooses_the_strategy_by_grade_zone_and_amount(worked, users, cq, sc):
    publish_policy(actor=users["risk_manager"], config={"segments": [
        {"grades": ["C"], "strategy": "wilful"}, {"zones": [3], "amount_bands": ["large"], "strategy": "wilful"},
        {"zones": [3], "amount_bands": ["small"], "strategy": "short_of_cash"}]})
    CreditProfile.objects.create(customer=cq, grade="C")
    night(day(41))
    assert case_of(cq).strategy == "wilful"  # grade C
    assert case_of(sc).strategy == "short_of_cash"  # danger zone, 30,000.00 owed: the small band
    event = CaseEvent.objects.filter(case=case_of(cq), kind=EventKind.STRATEGY).get()
    assert event.params == {"from": "standard", "to": "wilful", "step": 0, "why": "segment"}


# --- the night moves the steps ------------------------------------------------------------------------

def test_the_night_moves_a_case_when_its_steps_wait_has_passed_once_a_night(worked, cq):
    case = case_of(cq)
    assert (case.strategy, case.step, case.step_since) == ("standard", 0, day(40))
    night(day(46))  # the reminder email waits 7 days
    assert case_of(cq).step == 0
    night(day(47))
    moved = case_of(cq)
    assert (moved.step, moved.step_since, moved.next_action_on) == (1, day(47), day(47))
    night(day(47), force=True)  # the same night again moves nothing
    assert case_of(cq).step == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 1


def test_a_pending_promise_keeps_the_case_on_its_step(worked, users, cq, clock):
    clock.today = day(41)
    record_promise(actor=users["collector"], customer=cq, amount=Decimal("1000.00"), due_date=day(60))
    night(day(50))
    assert case_of(cq).step == 0


def test_the_stop_supply_step_flags_the_customer_once_and_the_legal_step_opens_the_referral(worked, users, cq):
    case = case_of(cq)
    strategies.set_behaviour(actor=users["collector"], case=case, behaviour="wilful", reason="refuses")
    CollectionCase.objects.filter(pk=case.pk).update(step=1, step_since=day(30))  # final demand, waited 10 days
    night(day(41))
    assert case_of(cq).step == 2  # stop supply
    assert StopSupply.objects.get(customer=cq).active
    assert Alert.objects.filter(kind=AlertKind.STRATEGY_STOP_SUPPLY, customer=cq).count() == 1
    night(day(42))
    assert Alert.objects.filter(kind=AlertKind.STRATEGY_STOP_SUPPLY, customer=cq).count() == 1
    night(day(48))  # 7 days on stop supply: legal referral
    assert case_of(cq).step == 3
    referral = ActionItem.objects.get(customer=cq, kind=ActionKind.LEGAL_REFERRAL)
    assert referral.alert.kind == AlertKind.STRATEGY_LEGAL and referral.assigned_to == users["legal_officer"]


# --- pages, API, command line ----------------------------------------------------------------------------

def test_the_case_page_shows_the_strategy_and_the_behaviour_form_and_the_worklist_the_step(worked, sign_in, cq):
    case = case_of(cq)
    client = sign_in("collector")
    text = client.get(f"/collections/cases/{case.pk}/", **EN).content.decode()
    assert "Strategy: standard · step 1 of 5: Reminder email" in text and 'id="behaviour-form"' in text
    answer = client.post(f"/collections/cases/{case.pk}/behaviour/", {"behaviour": "short_of_cash",
                                                                      "reason": "their buyer paid late"}, **EN)
    assert answer.status_code == 302
    text = client.get(f"/collections/cases/{case.pk}/", **EN).content.decode()
    assert "Strategy: short_of_cash · step 1 of 5: Phone call" in text and "their buyer paid late" in text
    worklist = client.get("/collections/", **EN).content.decode()
    assert "short_of_cash" in worklist and "Temporarily short of cash" in worklist


def test_the_behaviour_form_refuses_bad_input_and_hides_other_portfolios(worked, sign_in, sc, cq):
    client = sign_in("collector")
    case = case_of(cq)
    bad = client.post(f"/collections/cases/{case.pk}/behaviour/", {"behaviour": "lazy", "reason": ""}, **EN)
    assert bad.status_code == 400 and case_of(cq).behaviour == "unknown"
    other = client.post(f"/collections/cases/{case_of(sc).pk}/behaviour/", {"behaviour": "wilful", "reason": "x"})
    assert other.status_code == 404
    assert sign_in("credit_analyst").post(f"/collections/cases/{case.pk}/behaviour/",
                                          {"behaviour": "wilful", "reason": "x"}).status_code == 403
    assert case_of(cq).behaviour == "unknown"


def test_the_api_sets_the_behaviour_and_refuses_bad_input(worked, sign_in, cq, sc):
    client = sign_in("collector")
    path = f"/api/v1/collections/cases/{case_of(cq).pk}/behaviour"
    answer = client.post(path, {"behaviour": "wilful", "reason": "never answers"}, content_type=JSON)
    assert answer.status_code == 200
    assert (answer.json()["strategy"], answer.json()["behaviour"]) == ("wilful", "wilful")
    assert client.post(path, {"behaviour": "lazy", "reason": "x"}, content_type=JSON).status_code == 422
    assert client.post(path, {"behaviour": "wilful", "reason": " "}, content_type=JSON).status_code == 422
    other = f"/api/v1/collections/cases/{case_of(sc).pk}/behaviour"
    assert client.post(other, {"behaviour": "wilful", "reason": "x"}, content_type=JSON).status_code == 404
    assert sign_in("finance").post(path, {"behaviour": "unknown", "reason": "x"},
                                   content_type=JSON).status_code == 403


def test_the_command_line_sets_the_behaviour_and_lists_the_strategies(worked, cq, sc):
    runner = CliRunner()
    done = runner.invoke(fengkong, ["collections", "set-behaviour", cq.code, "wilful", "--reason", "refuses",
                                    "--user", "collector"])
    assert done.exit_code == 0, done.output
    assert "strategy wilful, step 1 of 4 (call)" in done.output
    hidden = runner.invoke(fengkong, ["collections", "set-behaviour", sc.code, "wilful", "--reason", "x",
                                      "--user", "collector"])
    assert hidden.exit_code != 0 and "no open collection case you may see" in hidden.output
    listed = runner.invoke(fengkong, ["collections", "strategies"])
    assert "standard (default): reminder_email/collector/7d" in listed.output
    assert "segment 1: behaviours=wilful -> wilful" in listed.output
