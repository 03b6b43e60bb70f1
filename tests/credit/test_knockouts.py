"""Knock-outs (danger zone, stop-supply, litigation, blacklist) as worked examples on a hand-built book.

The book: customer C000030 (Chengdu) with an approved limit of 100,000.00 and one open invoice of
20,000.00, 10 days overdue (inside the 30 days the credit check allows): exposure 20,000.00, so the limit
alone would leave 80,000.00 available. Under any knock-out the grade is capped at C, the suggested limit is
0, available credit is 0.00, a credit check is blocked naming the knock-out and a pending proposal that
grants credit is withdrawn with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from tests.conftest import AS_OF, make_customer, make_invoice

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.actions.checks import reason_message, run_check
from fengkong.credit.actions.flags import set_flags
from fengkong.credit.actions.limits import withdraw_contradicted
from fengkong.credit.choices import ApprovalLevel, CheckReason, Decision, ProposalStatus
from fengkong.credit.figures import standing
from fengkong.credit.models import Assessment, CreditProfile, LimitProposal
from fengkong.credit.nightly import knockouts as knockouts_step
from fengkong.monitoring.choices import Zone
from fengkong.monitoring.models import ItemZone, StopSupply

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def customer(portfolios, today):
    customer = make_customer("C000030", "510100", portfolios["SC"])
    CreditProfile.objects.create(customer=customer, limit=Decimal("100000.00"), grade="B", term_days=60,
                                 next_review=today + timedelta(days=60))
    customer.invoice = make_invoice(customer, "AR-K1", "20000.00", days_overdue=10)
    return customer


def stop_supply(customer):
    StopSupply.objects.create(customer=customer, since=AS_OF, reason="106 days overdue")


def danger_zone(customer):
    ItemZone.objects.create(invoice=customer.invoice, customer=customer, zone=Zone.DANGER, since=AS_OF,
                            days_overdue=95)


def pending_grant(customer, amount="150000.00") -> LimitProposal:
    return LimitProposal.objects.create(
        customer=customer, current_limit=Decimal("100000.00"), proposed_limit=Decimal(amount), current_term_days=60,
        proposed_term_days=60, grade="B", reason="quarterly review", level=ApprovalLevel.MANAGER)


def test_without_a_knock_out_the_limit_leaves_80000_available(customer, today):
    figures = standing(customer, today)
    assert (figures.limit, figures.exposure, figures.available) == (
        Decimal("100000.00"), Decimal("20000.00"), Decimal("80000.00"))
    assert figures.knockouts == () and not figures.blocked


def test_stop_supply_leaves_no_credit_available_and_says_why(customer, today):
    stop_supply(customer)
    figures = standing(customer, today)
    assert figures.knockouts == ("stop_supply",) and figures.available == Decimal("0.00")
    assert figures.headroom == Decimal("80000.00")  # what the limit alone would leave
    assert "stop-supply" in figures.block_reason


def test_an_item_in_the_danger_zone_blocks_a_credit_check_naming_the_knock_out(customer, users, today):
    danger_zone(customer)
    assert standing(customer, today).available == Decimal("0.00")
    check, _created = run_check(actor=users["sales"], customer=customer, amount="1000.00", currency="CNY",
                                reference="SO-K1")
    assert check.decision == Decision.BLOCK
    knockout = [r for r in check.reasons if r["code"] == CheckReason.KNOCKOUT]
    assert knockout and knockout[0]["params"]["knockouts"] == ["danger_zone"]
    assert "danger zone" in reason_message(knockout[0])
    assert CheckReason.OVER_LIMIT not in [r["code"] for r in check.reasons]  # 1,000 fits the limit itself


def test_a_stop_supplied_customer_is_graded_c_with_no_limit(customer):
    stop_supply(customer)
    assess_customers([customer.pk], as_of=AS_OF, trigger="manual", propose=False)
    a = Assessment.objects.get(customer=customer)
    assert (a.grade, a.suggested_limit) == ("C", Decimal("0.00"))
    knockout = [r for r in a.reasons if r["code"] == "knockout"]
    assert knockout == [{"code": "knockout", "knockouts": ["stop_supply"], "cap": "C", "grade": knockout[0]["grade"]}]


def test_the_policy_can_turn_a_knock_out_off_or_cap_at_b(customer, today):
    from fengkong.credit.features import compute
    from fengkong.credit.grading import score
    from fengkong.credit.policy import parse

    stop_supply(customer)
    frame = compute([customer.pk], AS_OF).frame
    assert score(frame, parse(None)).knocked_out.tolist() == [True]
    assert score(frame, parse({"knockouts": {"stop_supply": False}})).knocked_out.tolist() == [False]
    capped = score(frame, parse({"knockouts": {"grade_cap": "B"}}))
    assert capped.grade.tolist()[0] >= 1 and capped.limit_fen.tolist() == [0]


def test_the_night_withdraws_a_pending_grant_to_a_stop_supplied_customer_with_the_reason(customer):
    proposal = pending_grant(customer)
    lowering = pending_grant(make_customer("C000031", "510100"), amount="0.00")
    stop_supply(customer)
    assert withdraw_contradicted() == 1
    proposal.refresh_from_db()
    lowering.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN and lowering.status == ProposalStatus.PENDING
    event = AuditEvent.objects.get(action="limit_proposal.withdrawn", object_id=str(proposal.pk))
    assert event.after["knockouts"] == ["stop_supply"] and "stop-supply" in event.after["reason"]
    assert withdraw_contradicted() == 0  # nothing left: a re-run withdraws nothing


def test_the_night_has_a_knock_out_step_after_monitoring_rules():
    from fengkong.core.nightly import steps

    step = next(s for s in steps() if s.name == "credit.knockouts")
    assert step.run is knockouts_step and 50 < step.order < 55


def test_flagging_litigation_withdraws_the_pending_grant(customer, users):
    proposal = pending_grant(customer)
    set_flags(actor=users[Role.RISK_MANAGER], customer=customer, blacklisted=False, litigation=True,
              reason="sued for unpaid invoices")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert "litigation" in AuditEvent.objects.get(action="limit_proposal.withdrawn").after["reason"]


def test_a_sales_person_cannot_flag_litigation_and_the_proposal_stays(customer, users):
    proposal = pending_grant(customer)
    with pytest.raises(PermissionDenied):
        set_flags(actor=users["sales"], customer=customer, blacklisted=False, litigation=True, reason="x")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_customer_page_shows_zero_and_the_block_in_red_never_the_green_gauge(customer, sign_in):
    stop_supply(customer)
    body = sign_in("credit_analyst").get("/customers/C000030/").content.decode()
    available = body.split('data-credit="available">')[1].split("</dd>")[0]
    assert "0.00" in available and "80,000" not in available
    assert 'id="credit-blocked"' in body and 'id="credit-utilisation"' not in body
    assert "stop-supply" in body.split('id="credit-blocked"')[1][:300]
    assert "No credit available" in body.split('id="credit-block-banner"')[1][:400]  # above the status badge


def test_the_api_gives_zero_available_under_a_knock_out(customer, sign_in):
    stop_supply(customer)
    response = sign_in("credit_analyst").get("/api/v1/customers/C000030/standing")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["available"], body["knockouts"], body["stop_supply"]) == ("0.00", ["stop_supply"], True)
