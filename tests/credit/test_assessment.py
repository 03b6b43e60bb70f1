"""The assessment pipeline on the database: rows, profiles, proposals, downgrade alerts, reviews, triggers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from tests.conftest import AS_OF, make_user

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.credit import tasks
from fengkong.credit.actions.assessments import assess_customers, assess_now, review_due
from fengkong.credit.exceptions import PolicyInvalid
from fengkong.credit.grading import preview, proposal_needed
from fengkong.credit.models import Assessment, CreditProfile, LimitProposal
from fengkong.credit.queries import credit_limits_frame
from fengkong.monitoring.dispatch import send_pending_messages
from fengkong.monitoring.models import Alert
from fengkong.notifications.models import Digest, InboxMessage


def test_assessing_the_book_writes_one_assessment_per_customer(book, users):
    counts = assess_customers(None, as_of=AS_OF, trigger="initial", propose=False)
    assert counts["customers"] == 3 and sum(counts["grades"].values()) == 3
    a = Assessment.objects.get(customer__code="C000002")
    assert (a.trigger, a.policy_version, a.previous_grade) == ("initial", 0, "")
    assert set(a.scores) == {"financial", "payment", "industry", "guarantee", "cooperation"}
    assert a.scores["payment"]["metrics"]["max_days_overdue_12m"] == {"points": 15.0, "missing_rule": None}
    assert a.inputs["max_days_overdue_12m"] == 95 and a.inputs["exposure"] == "50000.00"
    assert {m["metric"] for m in a.missing} >= {"current_ratio", "debt_to_asset", "industry_outlook"}
    statements = [m for m in a.missing if m["dimension"] == "financial"]
    assert [(m["rule"], m["points"]) for m in statements] == [("neutral", 40.0), ("neutral", 40.0)]
    assert all(r["code"] in ("metric", "industry_alarm_cap", "missing_dimension", "little_known", "knockout")
               for r in a.reasons) and a.reasons
    assert AuditEvent.objects.filter(action="credit.assessed").count() == 1


def test_the_profile_takes_grade_score_and_next_review_but_not_the_limit(book):
    assess_customers(None, as_of=AS_OF, trigger="initial", propose=False)
    profile = CreditProfile.objects.select_related("assessment").get(customer__code="C000001")
    assert profile.assessment.customer_id == profile.customer_id
    assert (profile.grade, profile.score) == (profile.assessment.grade, profile.assessment.total)
    assert profile.next_review == AS_OF + timedelta(days=91) and profile.assessed_on == AS_OF
    assert profile.limit == Decimal("0.00") and profile.guarantee_requirement == profile.assessment.guarantee_requirement


def test_a_first_assessment_proposes_a_first_limit_once(book, users):
    assess_customers(None, as_of=AS_OF, trigger="initial")
    assert LimitProposal.objects.filter(status="pending", proposed_by=None).count() == 3
    assess_customers(None, as_of=AS_OF, trigger="manual")
    assert LimitProposal.objects.count() == 3  # the same proposal is still pending: nothing new


def test_a_limit_far_above_what_the_policy_allows_is_proposed_down(book, users):
    cq1 = book["customers"][0]
    CreditProfile.objects.create(customer=cq1, limit=Decimal("800000.00"), term_days=30,
                                 owner=users[Role.RISK_MANAGER])
    assess_customers([cq1.pk], as_of=AS_OF, trigger="manual")
    proposal = LimitProposal.objects.get(customer=cq1)
    # the policy allows a small limit, rounded to two significant digits (a fixed ¥10,000 unit made it 0)
    assert proposal.current_limit == Decimal("800000.00") and proposal.proposed_limit == Decimal("3000.00")
    assert proposal.assessment.customer_id == cq1.pk


def test_the_change_threshold_decides_whether_to_propose():
    assert proposal_needed(0, 0, None, 0, 30, 10)                  # first limit: always
    assert not proposal_needed(100_00, 60, 7, 105_00, 60, 10)     # 5 % move: no
    assert proposal_needed(100_00, 60, 7, 110_00, 60, 10)         # 10 %: yes
    assert proposal_needed(100_00, 60, 7, 100_00, 30, 10)         # the term halves
    assert not proposal_needed(100_00, 60, 7, 100_00, 60, 0)      # nothing moved


def test_a_downgrade_raises_one_alert_with_exposure_and_new_limit(book, users):
    cq2 = book["customers"][1]
    CreditProfile.objects.create(customer=cq2, grade="A", limit=Decimal("100000.00"), term_days=90,
                                 owner=users[Role.CREDIT_ANALYST])
    counts = assess_customers([cq2.pk], as_of=AS_OF, trigger="manual", propose=False)
    assert counts["downgrades"] == 1 and counts["alerts"] == 1
    alert = Alert.objects.get(kind="grade_downgrade")
    assert alert.dedup_key == f"grade_downgrade:c{cq2.pk}:{AS_OF}"
    assert alert.details["old_grade"] == "A" and alert.details["new_grade"] == "C"
    assert alert.details["exposure"] == "50000.00" and alert.details["limit"] == "0.00"
    assert alert.details["exposure_above_limit"] is True
    assess_customers([cq2.pk], as_of=AS_OF, trigger="manual", propose=False)
    assert Alert.objects.filter(kind="grade_downgrade").count() == 1


def test_the_accountable_owner_receives_the_downgrade_alert(book, users):
    cq2 = book["customers"][1]
    owner = users[Role.CREDIT_ANALYST]
    CreditProfile.objects.create(customer=cq2, grade="B", limit=Decimal("100000.00"), term_days=60, owner=owner)
    assess_customers([cq2.pk], as_of=AS_OF, trigger="manual", propose=False)
    send_pending_messages()
    for person in (owner, users[Role.RISK_MANAGER]):  # both get it, in their digest of the day
        digest = Digest.objects.get(user=person, as_of=AS_OF)
        assert digest.entries.filter(alert__kind="grade_downgrade", customer=cq2).count() == 1
        assert InboxMessage.objects.get(user=person).pk == digest.message_id
    assert not InboxMessage.objects.filter(alert__kind="grade_downgrade").exists()


def test_the_review_assesses_the_never_assessed_then_only_those_due(book):
    first = review_due(AS_OF)
    assert first["initial"]["customers"] == 3 and "quarterly" not in first
    assert review_due(AS_OF) == {}  # idempotent: assessed today
    CreditProfile.objects.filter(customer__code="C000001").update(next_review=AS_OF, assessed_on=AS_OF - timedelta(1))
    later = review_due(AS_OF)
    assert later["quarterly"]["customers"] == 1
    assert Assessment.objects.filter(trigger="quarterly").count() == 1


def test_assessing_now_needs_the_permission_and_the_customer_in_the_portfolio(book, users, roles, portfolios):
    cq1 = book["customers"][0]
    with pytest.raises(PermissionDenied):
        assess_now(actor=users[Role.COLLECTOR], customer=cq1)
    scoped = make_user("scoped_assessor", None, roles, [portfolios["SC"]])
    scoped.user_permissions.add(*Permission.objects.filter(codename__in=["run_assessment", "view_customer"]))
    with pytest.raises(PermissionDenied):
        assess_now(actor=scoped, customer=cq1)
    assert not Assessment.objects.exists()
    made = assess_now(actor=users[Role.CREDIT_ANALYST], customer=cq1, as_of=AS_OF)
    assert (made.customer, made.as_of, made.trigger, made.triggered_by) == (
        cq1, AS_OF, "manual", users[Role.CREDIT_ANALYST])


def test_the_quarterly_task_runs_the_review_for_today(book, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)
    assert tasks.quarterly_review.call_local() == {"initial": 3}
    assert tasks.quarterly_review.call_local() == {}


def test_entering_the_danger_zone_queues_a_reassessment(book, queued, django_capture_on_commit_callbacks):
    from fengkong.cycle.actions import run_cycle

    with django_capture_on_commit_callbacks(execute=True):
        run_cycle(as_of=AS_OF, send_now=True)
    assert ([book["customers"][1].pk], "danger_zone") in queued


def test_the_reassess_task_assesses_with_the_trigger(book, users):
    tasks.reassess.call_local([book["customers"][1].pk], "danger_zone", users[Role.RISK_MANAGER].pk)
    a = Assessment.objects.get()
    assert (a.trigger, a.triggered_by) == ("danger_zone", users[Role.RISK_MANAGER])


def test_importing_financial_statements_queues_a_reassessment(book, users, tmp_path, queued,
                                                               django_capture_on_commit_callbacks):
    from fengkong.integrations.importer import import_file

    path = tmp_path / "f.csv"
    path.write_text("客户编码,报告期,流动资产,流动负债,资产总计,负债合计,营业收入,净利润,所有者权益\n"
                    "C000001,2025,500,400,2000,1200,3000,-50,800\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_file(path, "financials", actor=users[Role.CREDIT_ANALYST])
    assert batch.status == "done", batch.errors
    assert queued == [([book["customers"][0].pk], "new_financials")]
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, "financials", actor=users[Role.CREDIT_ANALYST])
    assert len(queued) == 1  # unchanged statements: nothing to re-assess


def test_credit_limits_feed_the_cycle(book):
    CreditProfile.objects.create(customer=book["customers"][0], limit=Decimal("12345.67"))
    assert credit_limits_frame().to_dicts() == [{"customer_id": book["customers"][0].pk, "limit_fen": 1234567}]


def test_preview_counts_grade_moves_and_limit_change_without_writing(book):
    result = preview({"grades": {"A": 30, "B": 20}})
    assert result["customers"] == 3
    assert sum(sum(row.values()) for row in result["grade_moves"].values()) == 3
    assert result["grade_moves"]["C"]["A"] + result["grade_moves"]["C"]["B"] >= 1
    assert Decimal(result["limit_after"]) >= Decimal(result["limit_before"])
    assert not Assessment.objects.exists()


def test_preview_of_a_bad_policy_reports_its_problems(book):
    with pytest.raises(PolicyInvalid):
        preview({"grades": {"A": 10, "B": 20}})


def test_reasons_are_worded_from_their_codes():
    from django.utils import translation

    from fengkong.credit.reasons import describe, describe_missing

    with translation.override("en"):
        assert describe({"code": "metric", "metric": "max_days_overdue_12m", "value": 31, "points": 30.0,
                         "lost": 8.4, "missing": None}) == (
            "Maximum days overdue in 12 months 31: 30 of 100 points, costs 8.4 points of the total")
        assert "capped at B" in describe({"code": "industry_alarm_cap", "cap": "B", "grade": "A"})
        assert describe_missing({"metric": "current_ratio", "dimension": "financial", "rule": "worst",
                                 "points": 10.0}) == (
            "Current ratio (Financial health): no data, treated as the worst band: 10 points")


def test_the_command_line_assesses_reviews_and_previews(book, tmp_path):
    import json

    from click.testing import CliRunner

    from fengkong.cli.commands import fengkong

    runner = CliRunner()
    result = runner.invoke(fengkong, ["credit", "assess", "--customer", "C000001", "--as-of", "2026-11-28",
                                  "--no-proposals"])
    assert result.exit_code == 0, result.output
    assert "1 customer(s) assessed" in result.output
    assert runner.invoke(fengkong, ["credit", "assess", "--customer", "NOPE"]).exit_code == 2
    result = runner.invoke(fengkong, ["credit", "review-due", "--as-of", "2026-11-28"])
    assert result.exit_code == 0 and "initial: 2 customer(s) assessed" in result.output, result.output
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"grades": {"A": 30, "B": 20}}))
    result = runner.invoke(fengkong, ["credit", "preview", str(policy)])
    assert result.exit_code == 0 and "Total limit the policy allows" in result.output, result.output
    policy.write_text(json.dumps({"grades": {"A": 10, "B": 20}}))
    result = runner.invoke(fengkong, ["credit", "preview", str(policy)])
    assert result.exit_code == 1 and "grades.B (20) must be below grades.A (10)" in result.output
