"""A dormant customer (nothing due, received or open in the last 12 months) keeps its payment record: the
payment metrics fall back to its whole history, so a dormant book keeps its grades and raises no storm of
downgrade alerts.

The book: two customers with six invoices each, all paid, the last receipt 500+ days before today.
- PROMPT (C000051) paid 25 days after issue: payment 100 (the only dimension present: 30 % of the weight,
  the minimum), total 100.00, grade A.
- SLOW (C000052) paid 70 days after issue (40 days late): 0.3 x 80 + 0.3 x 60 + 0.4 x 65 = 68.00, grade B.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.conftest import make_customer

from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.features import compute
from fengkong.credit.models import Assessment
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import Alert

from .ledger_book import paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def dormant(portfolios, today):
    prompt = make_customer("C000051", "510100", portfolios["SC"])
    slow = make_customer("C000052", "510100", portfolios["SC"])
    start = today - timedelta(days=800)
    for k in range(6):
        paid(prompt, f"P{k}", start + timedelta(days=30 * k), 25)
        paid(slow, f"S{k}", start + timedelta(days=30 * k), 70)
    return {"prompt": prompt, "slow": slow}


def test_a_dormant_customer_is_scored_on_its_whole_history(dormant, today):
    frame = compute(None, today).frame.sort("customer_id")
    assert frame.get_column("payment_whole_history").to_list() == [True, True]
    assert frame.get_column("overdue_count_12m").to_list() == [0.0, 6.0]
    assert frame.get_column("avg_days_to_pay").to_list() == [25.0, 70.0]
    assert frame.get_column("max_days_overdue_12m").to_list() == [0.0, 40.0]
    assert frame.get_column("sales_12m_fen").to_list() == [0, 0]  # the sales of the last 12 months stay 0


def test_a_dormant_book_keeps_its_grades_and_raises_no_downgrade_alert(dormant, today):
    active_then = today - timedelta(days=600)  # while the customers were still buying and paying
    assess_customers(None, as_of=active_then, trigger="initial", propose=False)
    then = dict(Assessment.objects.values_list("customer__code", "grade"))
    counts = assess_customers(None, as_of=today, trigger="quarterly", propose=False)
    now = {a.customer.code: (a.grade, a.total) for a in Assessment.objects.filter(as_of=today)}
    assert then == {"C000051": "A", "C000052": "B"}
    assert {code: grade for code, (grade, _total) in now.items()} == then
    assert (str(now["C000051"][1]), str(now["C000052"][1])) == ("100.00", "68.00")
    assert counts["downgrades"] == 0 and not Alert.objects.filter(kind=AlertKind.GRADE_DOWNGRADE).exists()


def test_a_customer_with_no_invoice_ever_has_no_payment_history(portfolios, today):
    make_customer("C000053", "510100", portfolios["SC"])
    frame = compute(None, today).frame
    assert frame.get_column("overdue_count_12m").to_list() == [None]
    assert frame.get_column("payment_whole_history").to_list() == [False]
