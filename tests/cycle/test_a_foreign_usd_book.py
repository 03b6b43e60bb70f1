"""Issue 11's "done when", end to end: a USD book exported by a foreign ERP (English headers, M/D/YYYY dates,
invoices and receipts but no open amounts and no statements) loads with its mapping files alone, shows the
right open items, raises the alerts its overdue items deserve in the functional currency (CNY, through the
rate table), and the credit assessment gives it a grade mix with A, B and C."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from tests.fixtures.foreign_book import write_foreign_book

from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.models import CreditProfile
from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.integrations.importer import import_file
from fengkong.monitoring.models import Alert
from fengkong.receivables.models import Invoice

pytestmark = pytest.mark.django_db

RATE = "7.12"


@pytest.fixture
def book(tmp_path):
    book = write_foreign_book(tmp_path / "foreign")
    rates = tmp_path / "rates.csv"
    start = book.as_of - timedelta(days=800)
    rates.write_text(f"date,currency,rate\n{start.isoformat()},USD,{RATE}\n", encoding="utf-8")
    batches = [import_file(rates, "fx-rates", actor=None)]
    batches += [import_file(book.files[kind], kind, actor=None, mapping=book.mappings[kind])
                for kind in ("customers", "invoices", "payments")]
    assert [(b.status, b.error_count) for b in batches] == [("done", 0)] * 4, [b.errors[:3] for b in batches]
    return book


def test_a_foreign_usd_book_loads_alerts_in_cny_and_gets_grades_a_b_and_c(book):
    assert dict(Invoice.objects.open().values_list("number", "open_amount")) == book.open_amounts
    assert set(Invoice.objects.values_list("currency", flat=True)) == {"USD"}

    assert run_cycle(as_of=book.as_of).status == CycleStatus.DONE
    overdue_30 = {i.customer_id for i in Invoice.objects.open()
                  if (book.as_of - i.due_date).days > 30}
    alerted = set(Alert.objects.values_list("customer_id", flat=True))
    assert overdue_30 and overdue_30 <= alerted           # every customer 30 days overdue is alerted
    titles = list(Alert.objects.filter(customer_id__in=overdue_30).values_list("title", flat=True))
    assert any("CNY" in t for t in titles) and not any("USD" in t for t in titles), titles[:3]

    assess_customers(None, as_of=book.as_of, trigger="manual", propose=False)
    mix = Counter(CreditProfile.objects.values_list("grade", flat=True))
    assert {"A", "B", "C"} <= set(mix), mix

