"""The demo company's credit quarter, end to end on a small book: every step goes through the real actions.
Each check is a subtest of tests/demo/test_demo_company.py, which builds the demo once."""

from __future__ import annotations

from django.db.models import Count

from fengkong.core.audit import verify
from fengkong.credit.choices import ApprovalLevel, CheckReason, CheckStatus, ProposalStatus, Trigger
from fengkong.credit.models import (
    Assessment,
    CreditCheck,
    CreditProfile,
    Guarantee,
    LimitProposal,
)
from fengkong.customers.models import Customer
from fengkong.industry.models import IndustryOutlook


def _every_customer_is_assessed_twice_and_graded_with_reasons(demo):
    customers = Customer.objects.count()
    assert demo.credit["assessed"] == demo.credit["reviewed"] == customers == 60
    by_trigger = dict(Assessment.objects.values_list("trigger").annotate(n=Count("pk")))
    assert by_trigger[Trigger.INITIAL] == by_trigger[Trigger.QUARTERLY] == customers
    assert CreditProfile.objects.exclude(grade="").count() == customers
    assert all(a.reasons for a in Assessment.objects.filter(trigger=Trigger.QUARTERLY))


def _first_limits_are_approved_at_their_level_and_owned_by_the_approver(demo):
    approved = LimitProposal.objects.filter(status=ProposalStatus.APPROVED)
    assert approved.count() == demo.credit["limits_approved"] > 0
    for proposal in approved.filter(level=ApprovalLevel.COMMITTEE):
        assert proposal.votes.count() >= proposal.votes_needed
        assert proposal.proposed_by is None and proposal.decided_by.groups.filter(name="risk_committee").exists()
    owned = CreditProfile.objects.filter(limit__gt=0)
    assert owned.exists() and not owned.filter(owner__isnull=True).exists()


def _the_demo_leaves_work_waiting_and_checks_orders_with_reasons(demo):
    assert IndustryOutlook.objects.filter(industry="K", alarm=True).exists()
    assert Guarantee.objects.exists()
    pending = LimitProposal.objects.filter(status=ProposalStatus.PENDING)
    # the night after the load withdraws grants to knocked-out customers and proposes their limit of 0
    assert pending.count() >= demo.credit["pending_raises"] and pending.exists()
    checks = CreditCheck.objects.all()
    assert checks.count() == demo.credit["credit_checks"] > 0
    for check in checks.filter(status=CheckStatus.HELD):
        assert check.reasons and {r["code"] for r in check.reasons} <= set(CheckReason.values)
    assert "limit proposals awaiting approval" in demo.summary()


def _the_demo_leaves_a_verifiable_audit_trail(demo):
    assert verify().ok


def _the_demo_trains_promotes_and_uses_its_credit_models(demo):
    from fengkong.core.models import AuditEvent
    from fengkong.scoring.choices import ModelStatus, PromotionStatus
    from fengkong.scoring.models import CashForecast, CustomerModelScore, InvoicePrediction, ModelVersion

    champions = {m.use: m for m in ModelVersion.objects.filter(status=ModelStatus.CHAMPION)}
    assert {u: m.kind for u, m in champions.items()} == {"customer_risk": "scorecard", "payment_delay": "delay"}
    assert ModelVersion.objects.filter(status=ModelStatus.CHALLENGER, kind="gbm").exists()
    for model in champions.values():
        promotion = model.promotions.get()
        assert promotion.status == PromotionStatus.APPROVED
        assert (promotion.requested_by.username, promotion.decided_by.username) == ("analyst", "manager")
    assert CustomerModelScore.objects.filter(model=champions["customer_risk"]).count() > 0
    assert InvoicePrediction.objects.count() > 0
    assert CashForecast.objects.filter(model=champions["payment_delay"]).count() == 1
    assert AuditEvent.objects.filter(action="model.champion").count() == 2
    assert demo.models and "not_trained" not in demo.models
    assert "customer-risk scorecard champion with a LightGBM challenger" in demo.summary()


CHECKS = [
    _every_customer_is_assessed_twice_and_graded_with_reasons,
    _first_limits_are_approved_at_their_level_and_owned_by_the_approver,
    _the_demo_leaves_work_waiting_and_checks_orders_with_reasons,
    _the_demo_leaves_a_verifiable_audit_trail,
    _the_demo_trains_promotes_and_uses_its_credit_models,
]
