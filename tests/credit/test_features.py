"""The assessment's inputs are point in time: nothing dated after `as_of` is seen (no leakage)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.conftest import AS_OF, make_customer

from fengkong.credit.features import compute
from fengkong.credit.models import Guarantee
from fengkong.customers.models import FinancialStatement
from fengkong.industry.models import IndustryOutlook
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import FxRate, Invoice, Payment, PaymentAllocation, SalesOrder

THEN = date(2026, 6, 30)


def invoice(customer, number, issued, due, amount, open_amount=None):
    amount = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=issued, due_date=due, amount=amount,
                                  open_amount=amount if open_amount is None else Decimal(open_amount))


def pay(customer, number, day, invoice_, amount):
    payment = Payment.objects.create(number=number, customer=customer, payment_date=day, amount=Decimal(amount))
    PaymentAllocation.objects.create(payment=payment, invoice=invoice_, amount=Decimal(amount))


@pytest.fixture
def history(db, portfolios):
    c = make_customer("C000011", "500103", portfolios["CQ"], cooperation_start=date(2020, 6, 30))
    make_customer("C000012", "510100", portfolios["SC"], industry="E")
    IndustryOutlook.objects.create(industry="C", outlook="cautious", alarm=True)
    first = invoice(c, "F1", date(2026, 1, 1), date(2026, 2, 1), "10000.00", "0.00")
    pay(c, "P1", date(2026, 3, 8), first, "10000.00")                      # 35 days late, 66 days to pay
    second = invoice(c, "F2", date(2026, 5, 1), date(2026, 5, 31), "20000.00", "0.00")
    pay(c, "P2", date(2026, 8, 1), second, "20000.00")                     # paid after THEN: open then
    invoice(c, "F3", date(2026, 7, 15), date(2026, 8, 15), "50000.00")      # issued after THEN
    FinancialStatement.objects.create(customer=c, period_end=date(2025, 12, 31), current_assets=300,
                                      current_liabilities=100, total_assets=1000, total_liabilities=500,
                                      revenue=Decimal("1000000.00"), equity=500)
    FinancialStatement.objects.create(customer=c, period_end=date(2026, 12, 31), current_assets=50,
                                      current_liabilities=100, total_assets=1000, total_liabilities=900,
                                      revenue=1, equity=1)
    Guarantee.objects.create(customer=c, kind="collateral", provider="厂房", value=10000, eligible_percent=50,
                             valid_from=date(2026, 1, 1))
    Guarantee.objects.create(customer=c, kind="third_party", provider="母公司", value=99999,
                             valid_from=date(2026, 7, 1))
    Guarantee.objects.create(customer=c, kind="credit_guarantee", provider="担保公司", value=7777,
                             valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    SalesOrder.objects.create(number="SO1", customer=c, order_date=date(2026, 6, 1), amount=4000, open_amount=4000)
    SalesOrder.objects.create(number="SO2", customer=c, order_date=date(2026, 7, 10), amount=9999, open_amount=9999)
    return c


def row(features, customer) -> dict:
    return next(r for r in features.frame.to_dicts() if r["customer_id"] == customer.pk)


def test_statements_after_as_of_are_not_seen(history):
    r = row(compute(None, THEN), history)
    assert r["statement_date"] == date(2025, 12, 31)
    assert (r["current_ratio"], r["debt_to_asset"]) == (3.0, 0.5)
    assert (r["revenue_fen"], r["equity_fen"]) == (1_000_000_00, 500_00)


def test_payments_and_invoices_after_as_of_are_not_seen(history):
    r = row(compute(None, THEN), history)
    assert r["receivables_fen"] == 20000_00          # F2 was still open then; F3 did not exist
    assert r["sales_12m_fen"] == 30000_00
    assert r["overdue_count_12m"] == 2               # F1 paid late, F2 open past due
    assert r["avg_days_to_pay"] == pytest.approx(66)  # only P1 was received by then
    assert r["max_days_overdue_12m"] == 35


def test_guarantees_and_orders_count_as_they_stood(history):
    r = row(compute(None, THEN), history)
    assert (r["guarantee_fen"], r["secured_fen"]) == (5000_00, 5000_00)
    assert r["orders_fen"] == 4000_00 and r["exposure_fen"] == 24000_00
    assert r["guarantee_coverage"] == pytest.approx(5000 / 24000)


def test_industry_outlook_alarm_and_cooperation(history):
    r = row(compute(None, THEN), history)
    assert (r["industry_outlook"], r["alarm"]) == ("cautious", True)
    assert r["cooperation_years"] == pytest.approx(6.0, abs=0.01)


def test_later_dates_see_what_came_after(history):
    r = row(compute([history.pk], AS_OF), history)
    assert r["statement_date"] == date(2025, 12, 31)  # period end 2026-12-31 is still in the future
    assert r["sales_12m_fen"] == 80000_00 and r["receivables_fen"] == 50000_00
    assert r["avg_days_to_pay"] == pytest.approx((66 * 10000 + 92 * 20000) / 30000)


def test_a_customer_with_nothing_known_has_every_input_missing(history):
    other = next(r for r in compute(None, THEN).frame.to_dicts() if r["customer_id"] != history.pk)
    for name in ("current_ratio", "debt_to_asset", "overdue_count_12m", "avg_days_to_pay", "max_days_overdue_12m",
                 "industry_outlook", "guarantee_coverage", "cooperation_years"):
        assert other[name] is None, name
    assert other["exposure_fen"] == 0 and other["alarm"] is False


def test_a_subset_reads_only_those_customers(history):
    assert compute([history.pk], THEN).frame.get_column("customer_id").to_list() == [history.pk]


def test_a_book_in_another_currency_counts_converted_at_the_as_of_rate(history):
    Invoice.objects.filter(customer=history).update(currency="USD")
    SalesOrder.objects.filter(customer=history).update(currency="USD")
    FxRate.objects.create(date=date(2026, 6, 1), currency="USD", rate=Decimal("7"))
    FxRate.objects.create(date=date(2026, 7, 1), currency="USD", rate=Decimal("8"))  # after THEN: not used
    r = row(compute(None, THEN), history)
    assert (r["receivables_fen"], r["sales_12m_fen"], r["orders_fen"]) == (140000_00, 210000_00, 28000_00)
    assert r["avg_days_to_pay"] == pytest.approx(66)  # days do not change with the currency
    assert r["exposure_fen"] == 168000_00


def test_a_currency_without_a_rate_stops_the_read(history):
    Invoice.objects.filter(number="F2").update(currency="EUR")
    with pytest.raises(MissingRate) as refused:
        compute(None, THEN)
    assert refused.value.currency == "EUR"
