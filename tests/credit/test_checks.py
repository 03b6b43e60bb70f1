"""Credit checks on sales orders: each reason, idempotency, reservations and the override maker-checker."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from tests.conftest import make_customer, make_invoice

from fengkong.core.models import AuditEvent
from fengkong.credit.actions.checks import (
    approve_override,
    cancel,
    reason_message,
    reject_override,
    release,
    request_override,
    run_check,
)
from fengkong.credit.choices import CheckReason, CheckStatus, Decision, GuaranteeKind, PolicyStatus
from fengkong.credit.exceptions import Conflict, SelfApproval
from fengkong.credit.figures import standing
from fengkong.credit.models import CreditCheck, CreditPolicy, CreditProfile, Guarantee
from fengkong.monitoring.models import StopSupply
from fengkong.notifications.models import InboxMessage
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import FxRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def customer(portfolios, today):
    customer = make_customer("C000020", "510100", portfolios["SC"])
    CreditProfile.objects.create(customer=customer, limit=Decimal("100000.00"), grade="B",
                                 next_review=today + timedelta(days=60))
    return customer


@pytest.fixture
def sales(users):
    return users["sales"]


def check(actor, customer, amount="1000.00", reference="SO-1", currency="CNY"):
    return run_check(actor=actor, customer=customer, amount=amount, currency=currency, reference=reference)


def codes(result) -> list[str]:
    return [r["code"] for r in result.reasons]


def test_an_order_within_the_limit_is_approved_and_reserved(sales, customer):
    result, created = check(sales, customer, "40000.00")
    assert created and result.decision == Decision.APPROVE and result.status == CheckStatus.RESERVED
    assert result.reasons == [] and result.limit_at_check == Decimal("100000.00") and result.requested_by == sales
    assert standing(customer, timezone.localdate()).reserved == Decimal("40000.00")
    assert AuditEvent.objects.filter(action="credit_check.run", object_id=str(result.pk)).exists()


def test_an_order_over_what_is_available_is_held_with_its_figures(sales, customer):
    check(sales, customer, "70000.00", "SO-1")
    result, _ = check(sales, customer, "40000.00", "SO-2")
    assert result.decision == Decision.HOLD and result.status == CheckStatus.HELD
    assert result.reasons == [{"code": "over_limit", "params": {
        "amount": "40000.00", "limit": "100000.00", "exposure": "70000.00", "available": "30000.00",
        "shortfall": "10000.00"}}]
    assert "10,000.00" in reason_message(result.reasons[0])


def test_receivables_and_open_orders_count_toward_exposure(sales, customer, today):
    make_invoice(customer, "AR1", "60000.00", days_overdue=-10)
    result, _ = check(sales, customer, "50000.00")
    assert codes(result) == [CheckReason.OVER_LIMIT]
    assert result.exposure_at_check == Decimal("60000.00")


def test_no_approved_limit_holds(sales, portfolios):
    bare = make_customer("C000021", "510100", portfolios["SC"])
    result, _ = check(sales, bare, "1.00")
    assert codes(result) == [CheckReason.NO_LIMIT] and result.decision == Decision.HOLD
    assert CreditProfile.objects.filter(customer=bare).exists()  # created for the lock


def test_overdue_beyond_policy_holds(sales, customer):
    make_invoice(customer, "AR1", "100.00", days_overdue=31)
    make_invoice(customer, "AR2", "100.00", days_overdue=400)  # AS_OF based: far in the past of today too
    result, _ = check(sales, customer)
    assert codes(result) == [CheckReason.OVERDUE]
    assert result.reasons[0]["params"]["policy_days"] == 30


def test_overdue_within_policy_passes(sales, customer, today):
    from fengkong.receivables.models import Invoice

    Invoice.objects.create(number="AR1", customer=customer, issue_date=today - timedelta(days=60),
                           due_date=today - timedelta(days=30), amount=Decimal("100"), open_amount=Decimal("100"))
    result, _ = check(sales, customer)
    assert result.decision == Decision.APPROVE


def test_expired_review_holds(sales, customer, today):
    CreditProfile.objects.filter(customer=customer).update(next_review=today - timedelta(days=1))
    result, _ = check(sales, customer)
    assert codes(result) == [CheckReason.REVIEW_EXPIRED]
    assert result.reasons[0]["params"]["next_review"] == (today - timedelta(days=1)).isoformat()


def test_blacklisted_customer_is_blocked(sales, customer):
    CreditProfile.objects.filter(customer=customer).update(blacklisted=True)
    result, _ = check(sales, customer)
    assert result.decision == Decision.BLOCK and result.status == CheckStatus.BLOCKED
    assert codes(result) == [CheckReason.BLACKLISTED]


def test_stop_supply_blocks(sales, customer, today):
    StopSupply.objects.create(customer=customer, since=today, reason="danger")
    result, _ = check(sales, customer)
    assert codes(result) == [CheckReason.STOP_SUPPLY] and result.decision == Decision.BLOCK


def test_grade_c_needs_collateral_or_a_third_party_guarantee(sales, customer, today):
    CreditProfile.objects.filter(customer=customer).update(grade="C")
    result, _ = check(sales, customer, reference="SO-1")
    assert codes(result) == [CheckReason.GRADE_C_UNSECURED] and result.decision == Decision.BLOCK
    Guarantee.objects.create(customer=customer, kind=GuaranteeKind.COLLATERAL, provider="厂房", value=1,
                             valid_from=today)
    result, _ = check(sales, customer, reference="SO-2")
    assert result.decision == Decision.APPROVE


def test_inactive_customer_is_blocked(sales, customer):
    customer.status = "suspended"
    customer.save()
    result, _ = check(sales, customer)
    assert codes(result) == [CheckReason.INACTIVE]


def test_every_reason_is_listed_and_block_wins(sales, customer, today):
    CreditProfile.objects.filter(customer=customer).update(blacklisted=True, next_review=today - timedelta(days=1))
    result, _ = check(sales, customer, "200000.00")
    assert codes(result) == [CheckReason.BLACKLISTED, CheckReason.OVER_LIMIT, CheckReason.REVIEW_EXPIRED]
    assert result.decision == Decision.BLOCK
    assert all(reason_message(r) for r in result.reasons)


def test_policy_switches_are_honoured(sales, customer, today):
    CreditProfile.objects.filter(customer=customer).update(grade="C", next_review=today - timedelta(days=1))
    CreditPolicy.objects.create(version=7, status=PolicyStatus.APPROVED, config={
        "credit_check": {"hold_when_review_expired": False, "block_grade_c_unsecured": False,
                         "hold_when_overdue_days_over": 30}})
    result, _ = check(sales, customer)
    assert result.decision == Decision.APPROVE


def test_replaying_a_reference_returns_the_first_answer(sales, customer):
    first, created = check(sales, customer, "1000.00")
    again, created_again = check(sales, customer, "1000")
    assert created and not created_again and again.pk == first.pk
    assert standing(customer, timezone.localdate()).reserved == Decimal("1000.00")


@pytest.mark.parametrize("change", [{"amount": "1000.01"}, {"customer": "other"}])
def test_replaying_a_reference_with_different_content_conflicts(sales, customer, portfolios, change):
    check(sales, customer, "1000.00")
    other = make_customer("C000022", "510100", portfolios["SC"])
    with pytest.raises(Conflict, match="replayed reference SO-1"):
        check(sales, other if change.get("customer") else customer, change.get("amount", "1000.00"))


@pytest.mark.parametrize(("field", "kwargs"), [
    ("amount", {"amount": "-5"}), ("amount", {"amount": "0"}), ("amount", {"amount": "NaN"}),
    ("amount", {"amount": "Infinity"}), ("amount", {"amount": "1e15"}), ("amount", {"amount": "1.001"}),
    ("amount", {"amount": "abc"}), ("amount", {"amount": True}), ("currency", {"currency": "XYZ"}),
    ("reference", {"reference": ""}), ("reference", {"reference": "x" * 81}), ("reference", {"reference": "a\tb"}),
])
def test_bad_input_names_the_field(sales, customer, field, kwargs):
    with pytest.raises(ValidationError) as error:
        check(sales, customer, **kwargs)
    assert list(error.value.message_dict) == [field]


def test_an_order_in_another_currency_is_checked_at_the_days_rate(sales, customer, today):
    FxRate.objects.create(date=today - timedelta(days=2), currency="USD", rate=Decimal("7.2"))
    result, _created = check(sales, customer, amount="10000.00", currency="美元")  # a name becomes its code
    assert (result.currency, result.amount, result.fx_rate) == ("USD", Decimal("10000.00"), Decimal("7.2"))
    assert result.functional_amount == Decimal("72000.00") and result.decision == Decision.APPROVE
    assert standing(customer, today).reserved == Decimal("72000.00")
    held, _created = check(sales, customer, amount="5000.00", currency="USD", reference="SO-2")
    assert held.decision == Decision.HOLD and codes(held) == [CheckReason.OVER_LIMIT]  # 36,000 > 28,000 left
    assert held.reasons[0]["params"]["amount"] == "36000.00"


def test_an_order_in_a_currency_without_a_rate_is_refused_and_nothing_is_written(sales, customer):
    with pytest.raises(MissingRate) as refused:
        check(sales, customer, currency="EUR")
    assert refused.value.currency == "EUR" and not CreditCheck.objects.exists()


def test_a_role_without_the_permission_is_refused(users, customer):
    with pytest.raises(PermissionDenied):
        check(users["collector"], customer)


def test_a_customer_of_another_portfolio_is_not_found(users, portfolios):
    cq = make_customer("C000023", "500103", portfolios["CQ"])
    with pytest.raises(Http404):
        check(users["sales"], cq)


def test_a_large_order_asks_for_a_reassessment(sales, customer, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check(sales, customer, "1999999.99", "SO-1")
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        check(sales, customer, "2000000.00", "SO-2")
    assert queued == [([customer.pk], "large_order")]


def test_release_and_cancel_end_the_reservation(sales, customer, today):
    first, _ = check(sales, customer, "1000.00", "SO-1")
    second, _ = check(sales, customer, "2000.00", "SO-2")
    assert release(actor=sales, check=first).status == CheckStatus.RELEASED
    assert cancel(actor=sales, check=second, reason="customer withdrew").status == CheckStatus.CANCELLED
    assert standing(customer, today).reserved == 0
    assert first.closed_at is not None
    with pytest.raises(Conflict):
        release(actor=sales, check=first)
    assert AuditEvent.objects.filter(action="credit_check.cancelled", after__reason="customer withdrew").exists()


def test_a_held_order_can_be_cancelled(sales, customer):
    held, _ = check(sales, customer, "500000.00")
    assert cancel(actor=sales, check=held).status == CheckStatus.CANCELLED


def test_override_needs_a_reason_and_somebody_else_to_approve(sales, users, customer, today):
    held, _ = check(sales, customer, "150000.00")
    with pytest.raises(ValidationError):
        request_override(actor=sales, check=held, reason="  ")
    held = request_override(actor=sales, check=held, reason="大客户年末订单，已收到预付款")
    assert held.status == CheckStatus.OVERRIDE_REQUESTED and held.override_requested_by == sales
    assert InboxMessage.objects.filter(user=users["risk_manager"], template="approval_request").exists()
    assert not InboxMessage.objects.filter(user=sales).exists()
    with pytest.raises(PermissionDenied):
        approve_override(actor=sales, check=held)
    approved = approve_override(actor=users["risk_manager"], check=held)
    assert approved.status == CheckStatus.RESERVED and approved.override_approved_by == users["risk_manager"]
    assert approved.overridden_at is not None
    assert standing(customer, today).reserved == Decimal("150000.00")
    assert InboxMessage.objects.filter(user=sales, template="approval_decided").exists()
    assert AuditEvent.objects.filter(action="credit_check.override_approved", actor=users["risk_manager"]).exists()


def test_nobody_approves_their_own_override(users, customer):
    manager = users["risk_manager"]
    held, _ = check(manager, customer, "150000.00")
    held = request_override(actor=manager, check=held, reason="需要")
    with pytest.raises(SelfApproval):
        approve_override(actor=manager, check=held)
    with pytest.raises(SelfApproval):
        reject_override(actor=manager, check=held, note="no")


def test_nobody_approves_an_override_of_a_check_they_ran(users, customer, roles):
    from tests.conftest import make_user

    second = make_user("manager2", "risk_manager", roles)
    held, _ = check(second, customer, "150000.00")
    held = request_override(actor=users["sales"], check=held, reason="需要")
    with pytest.raises(SelfApproval):
        approve_override(actor=second, check=held)


def test_a_rejected_override_stays_held(sales, users, customer):
    held, _ = check(sales, customer, "150000.00")
    held = request_override(actor=sales, check=held, reason="需要")
    held = reject_override(actor=users["risk_manager"], check=held, note="先回款")
    assert held.status == CheckStatus.HELD
    with pytest.raises(Conflict):
        approve_override(actor=users["risk_manager"], check=held)


def test_a_block_cannot_be_overridden(sales, customer):
    CreditProfile.objects.filter(customer=customer).update(blacklisted=True)
    blocked, _ = check(sales, customer)
    with pytest.raises(Conflict, match="lift its cause"):
        request_override(actor=sales, check=blocked, reason="请放行")


def test_asking_for_an_override_needs_the_permission_before_the_state_is_looked_at(sales, users, customer):
    CreditProfile.objects.filter(customer=customer).update(blacklisted=True)
    blocked, _ = check(sales, customer)
    with pytest.raises(PermissionDenied):  # an auditor reads checks but asks for nothing
        request_override(actor=users["auditor"], check=blocked, reason="请放行")


def test_only_a_held_order_can_ask_for_an_override(sales, customer):
    approved, _ = check(sales, customer)
    with pytest.raises(Conflict):
        request_override(actor=sales, check=approved, reason="why not")


def test_another_portfolio_cannot_touch_a_check(users, customer):
    result, _ = check(users["risk_manager"], customer)
    cq_customer = make_customer("C000024", "500103", customer.portfolio.__class__.objects.get(code="CQ"))
    cq_check, _ = check(users["risk_manager"], cq_customer, reference="SO-CQ")
    with pytest.raises(Http404):
        release(actor=users["sales"], check=cq_check)
    assert release(actor=users["sales"], check=result).status == CheckStatus.RELEASED


def test_the_pages_show_a_held_order_and_carry_the_override_through(sales, users, customer, sign_in):
    held, _ = check(sales, customer, "150000.00", "SO-WEB")
    page = sign_in("sales").get("/credit/checks/")
    assert page.status_code == 200 and "SO-WEB" in page.content.decode()
    detail = sign_in("sales").get("/credit/checks/SO-WEB/")
    assert 'id="override-form"' in detail.content.decode() and "short by" in detail.content.decode()
    assert sign_in("sales").post("/credit/checks/SO-WEB/override/", {"reason": ""}).status_code == 400
    sign_in("sales").post("/credit/checks/SO-WEB/override/", {"reason": "预付三成"})
    assert 'id="override-approve"' in sign_in("risk_manager").get("/credit/checks/SO-WEB/").content.decode()
    assert sign_in("sales").post("/credit/checks/SO-WEB/override/approve/").status_code == 403
    held.refresh_from_db()
    assert held.status == CheckStatus.OVERRIDE_REQUESTED
    sign_in("risk_manager").post("/credit/checks/SO-WEB/override/approve/")
    held.refresh_from_db()
    assert held.status == CheckStatus.RESERVED and held.override_approved_by == users["risk_manager"]
    assert sign_in("collector").get("/credit/checks/SO-WEB/").status_code == 404


def test_the_check_page_shows_the_orders_currency_and_what_it_holds_of_the_limit(sales, customer, today, sign_in):
    FxRate.objects.create(date=today, currency="USD", rate=Decimal("7.2"))
    check(sales, customer, "100.00", "SO-USD", currency="USD")
    page = sign_in("sales").get("/credit/checks/SO-USD/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "USD 100.00" in page and "at 7.2: CNY 720.00" in page
