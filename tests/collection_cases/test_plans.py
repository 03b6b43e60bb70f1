"""Instalment plans: proposed on an open case with a schedule that adds up, approved by somebody else at the level
of its amount, then followed by the night instalment by instalment as promises to pay — kept, partially kept,
broken with the policy's tolerance; a missed instalment breaks the plan and raises an alert; dunning waits while
the plan is followed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation
from tests.conftest import make_user

from fengkong.cli.commands import fengkong
from fengkong.collections import actions, plans
from fengkong.collections.choices import CasePromise, EventKind, PlanLevel, PlanStatus, PromiseState
from fengkong.collections.dunning import held_because
from fengkong.collections.exceptions import PlanDecided, PlanInvalid, PolicyInvalid
from fengkong.collections.models import CaseEvent, CollectionCase, Instalment, InstalmentPlan, PromiseToPay
from fengkong.collections.policy import parse
from fengkong.collections.queries import promise_reliability
from fengkong.core.models import AuditEvent
from fengkong.monitoring.dispatch import dunning_held
from fengkong.monitoring.models import Alert

from .conftest import day, night, pay

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def opened(ledger, clock):
    """CQ's case is open on day 41, owing 14,000.00 (CL-A1 10,000 and CL-A2 4,000); CL-A3 is not issued yet."""
    night(day(40))
    clock.today = day(41)
    return ledger


@pytest.fixture
def manager(roles, portfolios):
    """A collections manager of Chongqing: a collector who may approve plans at the collections manager's level."""
    user = make_user("cq-manager", "collector", roles, [portfolios["CQ"]])
    user.user_permissions.add(Permission.objects.get(codename="approve_plan", content_type__app_label="collections"))
    return type(user).objects.get(pk=user.pk)


def schedule(*rows) -> list[plans.ScheduledInstalment]:
    return [plans.ScheduledInstalment(day(n), Decimal(amount)) for n, amount in rows]


def propose(users, customer, amount="14000.00", rows=((50, "7000.00"), (80, "7000.00")), who="collector",
            invoices=()):
    actor = users[who] if isinstance(who, str) else who
    return plans.propose_plan(actor=actor, customer=customer, amount=Decimal(amount), instalments=schedule(*rows),
                              invoices=list(invoices))


def test_a_plan_is_proposed_on_the_oldest_invoices_and_waits_for_the_collections_managers_approval(
        opened, users, cq):
    plan = propose(users, cq)
    assert (plan.status, plan.level, plan.owed_at_proposal, plan.oldest_first) == (
        PlanStatus.PROPOSED, PlanLevel.COLLECTIONS_MANAGER, Decimal("14000.00"), True)
    assert sorted(plan.invoices.values_list("number", flat=True)) == ["CL-A1", "CL-A2"]
    assert list(plan.instalments.values_list("number", "due_date", "amount")) == [
        (1, day(50), Decimal("7000.00")), (2, day(80), Decimal("7000.00"))]
    assert not PromiseToPay.objects.exists()  # promises only once approved
    assert AuditEvent.objects.filter(action="instalment_plan.proposed").count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.PLAN_PROPOSED).count() == 1


@pytest.mark.parametrize(("amount", "rows", "field", "message"), [
    ("14000.00", ((50, "7000.00"), (80, "6000.00")), "instalments",
     "the instalments add up to 13000.00, but the plan covers 14000.00: expected 14000.00, got 13000.00"),
    ("14000.00", ((40, "7000.00"), (80, "7000.00")), "instalments", "instalment 1: the date 2026-07-11 is in the past"),
    ("14000.00", ((60, "7000.00"), (60, "7000.00")), "instalments",
     "instalment 2: the date 2026-07-31 is not after instalment 1's (2026-07-31)"),
    ("14000.00", ((60, "7000.00"), (55, "7000.00")), "instalments", "is not after instalment 1's"),
    ("14000.02", ((50, "7000.01"), (80, "7000.01")), "amount",
     "the plan's 14000.02 is more than the customer owes and is not in dispute (14000.00)"),
    ("7000.00", ((50, "7000.00"),), "instalments", "at least two instalments"),
    ("14000.00", ((50, "14000.00"), (80, "0.00")), "instalments", "instalment 2: the amount must be more than 0"),
    ("14000.00", ((50, "7000.00"), (900, "7000.00")), "instalments", "more than 730 days ahead"),
])
def test_a_schedule_that_cannot_stand_is_refused_naming_the_instalment_and_nothing_is_written(
        opened, users, cq, amount, rows, field, message):
    with pytest.raises(PlanInvalid, match=re.escape(message)) as refused:
        propose(users, cq, amount, rows)
    assert refused.value.field == field
    assert not InstalmentPlan.objects.exists() and not Instalment.objects.exists()
    assert not AuditEvent.objects.filter(action="instalment_plan.proposed").exists()


def test_a_plan_on_named_invoices_covers_at_most_what_they_owe_undisputed(opened, users, cq):
    with pytest.raises(PlanInvalid, match=re.escape("more than the named invoices owe and is not in dispute "
                                                    "(4000.00)")):
        propose(users, cq, "5000.00", ((50, "2500.00"), (80, "2500.00")), invoices=[opened["a2"]])
    plan = propose(users, cq, "4000.00", ((50, "2000.00"), (80, "2000.00")), invoices=[opened["a2"]])
    assert list(plan.invoices.values_list("number", flat=True)) == ["CL-A2"] and not plan.oldest_first


def test_a_customer_has_one_plan_at_a_time_and_none_without_an_open_case(opened, users, cq, sc, clock):
    propose(users, cq)
    with pytest.raises(PlanInvalid, match="already has a plan proposed or under way"):
        propose(users, cq)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        InstalmentPlan.objects.create(customer=cq, amount=1, owed_at_proposal=1, level="risk_manager",
                                      proposed_on=day(41))
    pay(opened["b1"], "30000.00", day(41))
    night(day(41))  # SC's case closes
    clock.today = day(42)
    with pytest.raises(PlanInvalid, match="C000202 has no open collection case"):
        propose(users, sc, "100.00", ((50, "50.00"), (80, "50.00")), who="risk_manager")


def test_another_portfolios_customer_is_refused(opened, users, sc):
    with pytest.raises(PermissionDenied, match="not in your portfolio"):
        propose(users, sc, "30000.00", ((50, "15000.00"), (80, "15000.00")))
    assert not InstalmentPlan.objects.exists()


def test_nobody_approves_their_own_plan(opened, users, cq):
    plan = propose(users, cq, who="risk_manager")
    with pytest.raises(PermissionDenied, match="you proposed this plan"):
        plans.approve_plan(actor=users["risk_manager"], plan=plan)
    with pytest.raises(PermissionDenied, match="you proposed this plan"):
        plans.reject_plan(actor=users["risk_manager"], plan=plan, reason="no")
    assert InstalmentPlan.objects.get(pk=plan.pk).status == PlanStatus.PROPOSED
    with pytest.raises(IntegrityError), transaction.atomic():  # nor in the database
        InstalmentPlan.objects.filter(pk=plan.pk).update(decided_by=users["risk_manager"])


def test_the_level_comes_from_the_policy_and_a_higher_level_approves_the_lower(opened, users, cq, manager):
    actions.publish_policy(actor=users["risk_manager"], config={"plans": {"approval_levels": [
        {"up_to_cny": "10000.00", "level": "collections_manager"}, {"up_to_cny": None, "level": "risk_manager"}]}})
    large = propose(users, cq)
    assert large.level == PlanLevel.RISK_MANAGER and large.policy_version == 1
    with pytest.raises(PermissionDenied, match="approved at the risk manager level"):
        plans.approve_plan(actor=manager, plan=large)
    with pytest.raises(PermissionDenied):
        plans.approve_plan(actor=users["collector"], plan=large)  # a collector approves nothing
    plans.reject_plan(actor=users["risk_manager"], plan=large, reason="too long for this customer")
    small = propose(users, cq, "8000.00", ((50, "4000.00"), (80, "4000.00")))
    assert small.level == PlanLevel.COLLECTIONS_MANAGER and plans.may_decide(users["risk_manager"], small)
    assert plans.approve_plan(actor=manager, plan=small).status == PlanStatus.APPROVED


def test_approval_levels_that_make_no_sense_are_refused_by_the_policy():
    with pytest.raises(PolicyInvalid) as refused:
        parse({"plans": {"approval_levels": [{"up_to_cny": None, "level": "risk_manager"},
                                             {"up_to_cny": "10.00", "level": "collections_manager"}],
                         "max_instalments": 1, "colour": "red"}})
    problems = " | ".join(refused.value.problems)
    for expected in ("unknown setting 'plans.colour'", "plans.max_instalments must be between 2 and 120, not 1",
                     "plans.approval_levels[0].up_to_cny: only the last level may have no bound",
                     "plans.approval_levels[1].level must be higher than the level before it (risk_manager)",
                     "plans.approval_levels[1].up_to_cny must be null"):
        assert expected in problems


def test_approving_makes_each_instalment_a_promise_and_a_second_decision_is_refused(opened, users, cq):
    plan = propose(users, cq)
    approved = plans.approve_plan(actor=users["risk_manager"], plan=plan)
    assert (approved.status, approved.decided_by, approved.decided_on) == (
        PlanStatus.APPROVED, users["risk_manager"], day(41))
    promises = [i.promise for i in approved.instalments.select_related("promise").order_by("number")]
    assert [(p.amount, p.due_date, p.taken_on, p.state, p.tolerance_days) for p in promises] == [
        (Decimal("7000.00"), day(50), day(41), PromiseState.PENDING, 3),
        (Decimal("7000.00"), day(80), day(41), PromiseState.PENDING, 3)]
    assert sorted(promises[1].invoices.values_list("number", flat=True)) == ["CL-A1", "CL-A2"]
    case = CollectionCase.objects.get(customer=cq)
    assert (case.promise_status, case.next_action_on) == (CasePromise.PENDING, day(54))
    with pytest.raises(PlanDecided, match="the plan is already approved"):
        plans.approve_plan(actor=users["risk_manager"], plan=plan)
    with pytest.raises(PlanDecided):
        plans.reject_plan(actor=users["risk_manager"], plan=plan, reason="changed my mind")
    assert PromiseToPay.objects.count() == 2
    assert AuditEvent.objects.filter(action="instalment_plan.approved").count() == 1


def test_a_rejection_needs_a_reason(opened, users, cq):
    plan = propose(users, cq)
    with pytest.raises(PlanInvalid, match="say why the plan is rejected"):
        plans.reject_plan(actor=users["risk_manager"], plan=plan, reason="  ")
    rejected = plans.reject_plan(actor=users["risk_manager"], plan=plan, reason="the customer can pay in one go")
    assert (rejected.status, rejected.reason, rejected.closed_on) == (
        PlanStatus.REJECTED, "the customer can pay in one go", day(41))
    propose(users, cq)  # a rejected plan leaves room for a new one


def test_kept_instalments_put_the_plan_on_track_and_complete_it(opened, users, cq):
    plan = plans.approve_plan(actor=users["risk_manager"], plan=propose(users, cq))
    pay(opened["a1"], "6950.00", day(52))  # late and short, within the 3 days and 100.00 of tolerance
    night(day(53))
    assert InstalmentPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED  # not judged yet
    night(day(54))
    assert InstalmentPlan.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE
    first = Instalment.objects.get(plan=plan, number=1).promise
    assert (first.state, first.paid_amount) == (PromiseState.KEPT, Decimal("6950.00"))
    pay(opened["a1"], "3050.00", day(70))
    pay(opened["a2"], "3900.00", day(79))
    night(day(84))
    plan.refresh_from_db()
    assert (plan.status, plan.closed_on) == (PlanStatus.COMPLETED, day(84))
    second = Instalment.objects.get(plan=plan, number=2).promise
    assert (second.state, second.paid_amount) == (PromiseState.KEPT, Decimal("6900.00"))  # 13,900 less the first 7,000
    assert promise_reliability(cq) | {"rate": None} == {"kept": 2, "partially_kept": 0, "broken": 0, "judged": 2,
                                                         "rate": None}
    assert AuditEvent.objects.filter(action="instalment_plan.followed").count() == 2
    assert not Alert.objects.filter(kind="promise_broken").exists()


def test_money_paid_early_counts_for_the_next_instalment(opened, users, cq):
    plan = plans.approve_plan(actor=users["risk_manager"], plan=propose(
        users, cq, "12000.00", ((50, "6000.00"), (80, "6000.00"))))
    pay(opened["a1"], "9000.00", day(48))
    pay(opened["a2"], "1000.00", day(75))
    night(day(84))
    first, second = (i.promise for i in plan.instalments.select_related("promise").order_by("number"))
    assert (first.state, first.paid_amount) == (PromiseState.KEPT, Decimal("6000.00"))
    assert (second.state, second.paid_amount) == (PromiseState.PARTIALLY_KEPT, Decimal("4000.00"))
    assert InstalmentPlan.objects.get(pk=plan.pk).status == PlanStatus.COMPLETED
    assert plans.paid_so_far(plan) == Decimal("10000.00")


def test_a_missed_instalment_breaks_the_plan_raises_an_alert_and_counts_as_a_broken_promise(opened, users, cq):
    plan = plans.approve_plan(actor=users["risk_manager"], plan=propose(
        users, cq, rows=((50, "5000.00"), (60, "5000.00"), (70, "4000.00"))))
    pay(opened["a1"], "5000.00", day(49))
    night(day(54))
    night(day(64))  # nothing more paid: instalment 2 is missed
    night(day(64), force=True)  # judged once
    plan.refresh_from_db()
    assert (plan.status, plan.closed_on) == (PlanStatus.BROKEN, day(64))
    states = [i.promise.state for i in plan.instalments.select_related("promise").order_by("number")]
    assert states == [PromiseState.KEPT, PromiseState.BROKEN, PromiseState.CANCELLED]
    alert = Alert.objects.get(kind="promise_broken")
    assert (alert.details["plan"], alert.details["instalment"], alert.details["paid"]) == (plan.pk, 2, "0.00")
    assert "重庆两江机电有限公司" in alert.title and "5000.00" in alert.title and "2026-07-31" in alert.title
    reliability = promise_reliability(cq)
    assert (reliability["kept"], reliability["broken"], reliability["judged"]) == (1, 1, 2)  # cancelled: not counted
    case = CollectionCase.objects.get(customer=cq)
    assert (case.broken_promises, case.promise_status) == (1, CasePromise.BROKEN)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_BROKEN).count() == 1
    assert dunning_held([cq.pk]) == set()  # the plan is broken: dunning goes on


def test_dunning_waits_while_a_plan_is_followed_and_goes_on_when_it_is_cancelled(opened, users, cq, manager):
    plan = propose(users, cq)
    assert dunning_held([cq.pk]) == set()  # a proposal holds nothing
    plans.approve_plan(actor=manager, plan=plan)
    assert dunning_held([cq.pk]) == {cq.pk}
    with translation.override("en"):
        assert "an instalment plan is on track" in held_because(cq, day(41))
    with pytest.raises(PermissionDenied):
        plans.cancel_plan(actor=users["collector"], plan=plan, reason="the customer asked")  # approved: a manager's
    with pytest.raises(PlanInvalid, match="say why"):
        plans.cancel_plan(actor=manager, plan=plan, reason="")
    cancelled = plans.cancel_plan(actor=manager, plan=plan, reason="the customer sold the debt on")
    assert cancelled.status == PlanStatus.CANCELLED
    assert set(PromiseToPay.objects.values_list("state", flat=True)) == {PromiseState.CANCELLED}
    assert dunning_held([cq.pk]) == set() and held_because(cq, day(41)) is None
    assert CollectionCase.objects.get(customer=cq).promise_status == CasePromise.NONE
    with pytest.raises(PlanDecided):
        plans.cancel_plan(actor=manager, plan=plan, reason="again")


def test_a_collector_withdraws_their_own_proposal(opened, users, cq):
    plan = propose(users, cq)
    assert plans.cancel_plan(actor=users["collector"], plan=plan, reason="wrong dates").status == PlanStatus.CANCELLED


# --- the API ------------------------------------------------------------------------------------------

def post(client, path, body=None):
    return client.post(f"/api/v1/collections/{path}", body or {}, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")


def body(customer="C000201", amount="14000.00", rows=((50, "7000.00"), (80, "7000.00")), **extra):
    return {"customer": customer, "amount": amount,
            "instalments": [{"due_date": str(day(n)), "amount": a} for n, a in rows], **extra}


def refused(answer, field: str) -> str:
    assert answer.status_code == 422, answer.content
    return " ".join(e["message"] for e in answer.json()["errors"] if e["field"] == field)


def test_the_api_proposes_lists_shows_approves_and_rejects(opened, sign_in):
    collector, manager_ = sign_in("collector"), sign_in("risk_manager")
    created = post(collector, "plans", body(invoices=["CL-A1", "CL-A2"], note="两期"))
    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["status"], plan["level"], plan["invoices"], plan["proposed_by"]) == (
        "proposed", "collections_manager", ["CL-A1", "CL-A2"], "collector")
    assert [(i["number"], i["state"], i["paid_amount"]) for i in plan["instalments"]] == [
        (1, "scheduled", None), (2, "scheduled", None)]
    listed = collector.get("/api/v1/collections/plans?status=proposed&customer=C000201").json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    assert collector.get("/api/v1/collections/plans?status=approved").json()["items"] == []
    assert post(collector, f"plans/{plan['id']}/approve").status_code == 403  # a collector approves nothing
    assert post(manager_, f"plans/{plan['id']}/reject", {"reason": " "}).status_code == 422  # a reason is needed
    approved = post(manager_, f"plans/{plan['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [i["state"] for i in approved.json()["instalments"]] == ["pending", "pending"]
    assert post(manager_, f"plans/{plan['id']}/approve").status_code == 409
    assert post(manager_, f"plans/{plan['id']}/reject", {"reason": "late"}).status_code == 409
    assert manager_.get(f"/api/v1/collections/plans/{plan['id']}").json()["decided_by"] == "risk_manager"


def test_the_api_names_what_is_wrong_with_a_plan(opened, sign_in):
    collector = sign_in("collector")
    message = refused(post(collector, "plans", body(rows=((50, "7000.00"), (80, "6999.99")))), "instalments")
    assert "expected 14000.00, got 13999.99" in message
    assert "is in the past" in refused(post(collector, "plans", body(rows=((30, "7000.00"), (80, "7000.00")))),
                                       "instalments")
    assert "not after instalment 1's" in refused(post(collector, "plans", body(rows=((80, "7000.00"),
                                                                                     (50, "7000.00")))), "instalments")
    assert "more than the customer owes" in refused(post(collector, "plans", body(
        amount="20000.00", rows=((50, "10000.00"), (80, "10000.00")))), "amount")
    assert "has no invoice CL-ZZ" in refused(post(collector, "plans", body(invoices=["CL-ZZ"])), "invoices")
    assert post(collector, "plans", body(customer="C000202")).status_code == 404  # Sichuan: not the collector's
    assert not InstalmentPlan.objects.exists()


def test_the_api_refuses_your_own_plan_and_hides_another_portfolios(opened, users, sign_in, sc):
    own = post(sign_in("risk_manager"), "plans", body()).json()
    assert post(sign_in("risk_manager"), f"plans/{own['id']}/approve").status_code == 403
    assert post(sign_in("risk_manager"), f"plans/{own['id']}/reject", {"reason": "not mine to judge"}).status_code == 403
    assert InstalmentPlan.objects.get(pk=own["id"]).status == PlanStatus.PROPOSED
    theirs = propose(users, sc, "30000.00", ((50, "15000.00"), (80, "15000.00")), who="risk_manager")
    collector = sign_in("collector")
    assert collector.get(f"/api/v1/collections/plans/{theirs.pk}").status_code == 404
    assert post(collector, f"plans/{theirs.pk}/approve").status_code == 404
    assert [p["customer"] for p in collector.get("/api/v1/collections/plans").json()["items"]] == ["C000201"]
    assert sign_in("sales").get("/api/v1/collections/plans").status_code == 403


# --- the pages and the command -----------------------------------------------------------------------

def test_the_case_page_shows_the_plans_and_the_propose_form_makes_one(opened, users, sign_in, cq):
    collector = sign_in("collector")
    case = CollectionCase.objects.get(customer=cq)
    page = collector.get(f"/collections/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="plans"' in page and f"/collections/customers/{cq.code}/plans/new/" in page
    assert collector.get(f"/collections/customers/{cq.code}/plans/new/").status_code == 200
    wrong = collector.post(f"/collections/customers/{cq.code}/plans/new/", {
        "amount": "14000.00", "due_date_1": str(day(50)), "amount_1": "7000.00", "due_date_2": str(day(80)),
        "amount_2": "6000.00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "expected 14000.00, got 13000.00" in wrong.content.decode()
    half = collector.post(f"/collections/customers/{cq.code}/plans/new/", {
        "amount": "14000.00", "due_date_1": str(day(50)), "amount_1": "14000.00", "due_date_2": str(day(80))},
        HTTP_ACCEPT_LANGUAGE="en")
    assert half.status_code == 400 and "Instalment 2 needs both a date and an amount" in half.content.decode()
    made = collector.post(f"/collections/customers/{cq.code}/plans/new/", {
        "amount": "14000.00", "due_date_1": str(day(50)), "amount_1": "7000.00", "due_date_2": str(day(80)),
        "amount_2": "7000.00", "note": "两期付清"})
    plan = InstalmentPlan.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/collections/plans/{plan.pk}/"
    own_page = collector.get(f"/collections/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="own-plan"' in own_page and 'id="approve-plan"' not in own_page


def test_the_plan_page_offers_approve_and_reject_to_the_right_role_only(opened, users, sign_in, cq):
    plan = propose(users, cq)
    manager_page = sign_in("risk_manager").get(f"/collections/plans/{plan.pk}/").content.decode()
    assert 'id="approve-plan"' in manager_page and 'id="reject-plan"' in manager_page
    assert 'id="approve-plan"' not in sign_in("auditor").get(f"/collections/plans/{plan.pk}/").content.decode()
    assert sign_in("collector").post(f"/collections/plans/{plan.pk}/approve/").status_code == 403
    no_reason = sign_in("risk_manager").post(f"/collections/plans/{plan.pk}/reject/", {"reason": ""})
    assert no_reason.status_code == 400
    assert sign_in("risk_manager").post(f"/collections/plans/{plan.pk}/approve/").status_code == 302
    assert sign_in("risk_manager").post(f"/collections/plans/{plan.pk}/approve/").status_code == 409
    page = sign_in("collector").get(f"/collections/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("promise-pending") == 2 and 'id="approve-plan"' not in page
    listed = sign_in("risk_manager").get("/collections/plans/?status=approved").content.decode()
    assert f"/collections/plans/{plan.pk}/" in listed


def test_the_command_lists_the_plans_a_user_may_see(opened, users, cq, sc):
    propose(users, cq)
    propose(users, sc, "30000.00", ((50, "15000.00"), (80, "15000.00")), who="risk_manager")
    runner = CliRunner()
    mine = runner.invoke(fengkong, ["collections", "plans", "--user", "collector"])
    assert mine.exit_code == 0, mine.output
    assert mine.output.split()[1:9] == ["C000201", "14000.00", "proposed", "collections_manager", "2", "instalment(s)",
                                        "0", "of"]
    assert "C000202" not in mine.output and "1 instalment plan(s)." in mine.output
    everyone = runner.invoke(fengkong, ["collections", "plans", "--user", "risk_manager", "--status", "proposed"])
    assert "2 instalment plan(s)." in everyone.output
    assert runner.invoke(fengkong, ["collections", "plans", "--user", "sales"]).exit_code != 0


def test_approved_instalments_are_not_in_the_past_when_approval_comes_late(opened, users, cq, clock):
    plan = propose(users, cq)
    clock.today = day(51)
    with pytest.raises(PlanInvalid, match=re.escape("instalment 1's date 2026-07-21 has passed")):
        plans.approve_plan(actor=users["risk_manager"], plan=plan)
    assert InstalmentPlan.objects.get(pk=plan.pk).status == PlanStatus.PROPOSED
    assert not PromiseToPay.objects.exists()  # it stays proposed: rejected, and proposed anew
