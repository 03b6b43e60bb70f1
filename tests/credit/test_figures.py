"""A customer's live credit figures: exposure adds receivables, open orders and reservations, once each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import AS_OF, make_customer, make_invoice

from fengkong.credit.choices import CheckStatus, Decision, GuaranteeKind
from fengkong.credit.figures import standing, standing_many
from fengkong.credit.models import CreditCheck, CreditProfile, Guarantee
from fengkong.credit.policy import KNOCKOUTS
from fengkong.monitoring.models import StopSupply
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.fx import rates_on
from fengkong.receivables.models import FxRate, SalesOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(portfolios):
    return make_customer("C000010", "500103", portfolios["CQ"])


def order(customer, number, amount, open_amount=None, status="open"):
    return SalesOrder.objects.create(number=number, customer=customer, order_date=AS_OF, amount=Decimal(amount),
                                     open_amount=Decimal(open_amount or amount), status=status)


def check(customer, reference, amount, status=CheckStatus.RESERVED):
    return CreditCheck.objects.create(reference=reference, customer=customer, amount=Decimal(amount),
                                      functional_amount=Decimal(amount), decision=Decision.APPROVE, status=status)


def test_a_customer_without_profile_has_no_limit_and_no_utilisation(customer):
    figures = standing(customer, AS_OF)
    assert figures.limit == 0 and figures.exposure == 0 and figures.available == 0
    assert figures.utilisation_percent is None
    assert figures.grade == "" and figures.owner == "" and not figures.review_expired


def test_exposure_adds_receivables_open_orders_and_reservations(customer):
    CreditProfile.objects.create(customer=customer, limit=Decimal("100000.00"), grade="B")
    make_invoice(customer, "AR1", "30000.00", "20000.00", days_overdue=40)
    make_invoice(customer, "AR2", "5000.00", days_overdue=-5)
    make_invoice(customer, "AR3", "9000.00", "0.00", days_overdue=200)  # paid: not counted
    order(customer, "SO1", "10000.00")
    order(customer, "SO2", "7000.00", status="shipped")  # shipped: invoiced already
    check(customer, "SO3", "15000.00")
    check(customer, "SO4", "999.00", status=CheckStatus.HELD)  # not reserved
    figures = standing(customer, AS_OF)
    assert standing_many([customer.pk], AS_OF)[customer.pk] == figures
    assert figures.receivables == Decimal("25000.00")
    assert figures.open_orders == Decimal("10000.00")
    assert figures.reserved == Decimal("15000.00")
    assert figures.exposure == Decimal("50000.00")
    assert figures.available == Decimal("50000.00")
    assert figures.utilisation_percent == Decimal("50.00")
    assert figures.max_days_overdue == 40
    assert figures.overdue_amount == Decimal("20000.00")
    assert figures.grade == "B"


def test_an_imported_order_with_a_reserved_check_counts_once(customer):
    CreditProfile.objects.create(customer=customer, limit=Decimal("50000.00"))
    order(customer, "SO1", "10000.00")
    check(customer, "SO1", "10000.00")
    figures = standing(customer, AS_OF)
    assert (figures.open_orders, figures.reserved, figures.exposure) == (0, Decimal("10000.00"), Decimal("10000.00"))


def test_the_order_being_checked_can_be_left_out(customer):
    order(customer, "SO9", "4000.00")
    assert standing(customer, AS_OF).open_orders == Decimal("4000.00")
    assert standing(customer, AS_OF, exclude_reference="SO9").open_orders == 0


def test_over_the_limit_leaves_a_negative_available(customer):
    CreditProfile.objects.create(customer=customer, limit=Decimal("1000.00"))
    make_invoice(customer, "AR1", "1500.00")
    figures = standing(customer, AS_OF)
    assert figures.available == Decimal("-500.00") and figures.over_limit
    assert figures.utilisation_percent == Decimal("150.00")


def test_flags_review_and_guarantees(customer, users):
    CreditProfile.objects.create(customer=customer, limit=Decimal("1000.00"), blacklisted=True, litigation=True,
                                 next_review=AS_OF - timedelta(days=1), owner=users["risk_manager"])
    StopSupply.objects.create(customer=customer, since=AS_OF, reason="danger zone")
    Guarantee.objects.create(customer=customer, kind=GuaranteeKind.COLLATERAL, provider="厂房", value=1,
                             valid_from=AS_OF - timedelta(days=10), valid_until=AS_OF - timedelta(days=1))
    figures = standing(customer, AS_OF)
    assert figures.stop_supply and figures.blacklisted and figures.litigation and figures.review_expired
    assert figures.owner == "risk_manager" and not figures.secured
    Guarantee.objects.create(customer=customer, kind=GuaranteeKind.THIRD_PARTY, provider="母公司", value=1,
                             valid_from=AS_OF - timedelta(days=10))
    StopSupply.objects.filter(customer=customer).update(active=False)
    figures = standing(customer, AS_OF)
    assert figures.secured and not figures.stop_supply
    assert standing_many([customer.pk], AS_OF)[customer.pk] == figures


def test_a_credit_guarantee_does_not_secure(customer):
    Guarantee.objects.create(customer=customer, kind=GuaranteeKind.CREDIT_GUARANTEE, provider="担保公司", value=1,
                             valid_from=AS_OF)
    assert not standing(customer, AS_OF).secured


def test_standing_is_one_query(customer):
    make_invoice(customer, "AR1", "1500.00")
    rates = rates_on(AS_OF)
    with CaptureQueriesContext(connection) as queries:
        standing(customer, AS_OF, knockouts=KNOCKOUTS, rates=rates)  # as the credit check calls it
    assert len(queries) == 1


def test_other_currencies_count_converted_at_the_days_rate(customer):
    FxRate.objects.create(date=AS_OF - timedelta(days=3), currency="USD", rate=Decimal("7.1"))
    FxRate.objects.create(date=AS_OF + timedelta(days=1), currency="USD", rate=Decimal("9"))  # not yet
    make_invoice(customer, "AR1", "1000.00")
    usd = make_invoice(customer, "AR2", "100.05", days_overdue=40)
    usd.currency = "USD"
    usd.save()
    SalesOrder.objects.create(number="SO-USD", customer=customer, order_date=AS_OF, amount=Decimal("10"),
                              open_amount=Decimal("10"), currency="USD")
    figures = standing(customer, AS_OF)
    # 100.05 USD × 7.1 = 710.355 → 710.36 (per item, to the fen); 10 USD × 7.1 = 71.00
    assert (figures.receivables, figures.overdue_amount, figures.open_orders) == (
        Decimal("1710.36"), Decimal("710.36"), Decimal("71.00"))
    assert figures.exposure == Decimal("1781.36")
    assert standing_many([customer.pk], AS_OF)[customer.pk] == figures


@pytest.mark.parametrize("where", ["invoice", "order"])
def test_a_currency_without_a_rate_is_refused_not_added_as_it_stands(customer, where):
    if where == "invoice":
        make_invoice(customer, "AR1", "1000.00").__class__.objects.filter(number="AR1").update(currency="EUR")
    else:
        SalesOrder.objects.create(number="SO-EUR", customer=customer, order_date=AS_OF, amount=Decimal("10"),
                                  open_amount=Decimal("10"), currency="EUR")
    for figures in (lambda: standing(customer, AS_OF), lambda: standing_many([customer.pk], AS_OF)):
        with pytest.raises(MissingRate) as refused:
            figures()
        assert refused.value.currency == "EUR"


def test_standing_many_matches_standing(book):
    ids = [c.pk for c in book["customers"]]
    many = standing_many(ids, AS_OF)
    assert set(many) == set(ids)
    for pk in ids:
        assert many[pk] == standing(pk, AS_OF)
    assert many[book["customers"][1].pk].max_days_overdue == 95
