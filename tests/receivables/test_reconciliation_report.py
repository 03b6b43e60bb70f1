"""The AR reconciliation report (§10): every invoice whose ERP open amount differs from amount − allocations −
credit notes, with the sums, as of a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fengkong.receivables.choices import OpenBasis
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import CreditNote, FxRate, Invoice
from fengkong.receivables.queries import reconciliation


def test_the_report_lists_exactly_the_invoices_whose_erp_open_amount_the_receipts_do_not_explain(erp_book):
    report = reconciliation(None, date(2026, 11, 28))
    assert [(r.number, r.amount, r.erp_open, r.derived_open, r.difference) for r in report.rows] == [
        ("A1", Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00")),
        ("A4", Decimal("200.00"), Decimal("200.00"), Decimal("100.00"), Decimal("100.00")),
    ]
    assert report.invoices_checked == 4


def test_the_summary_counts_and_sums_the_differences_by_customer(erp_book):
    report = reconciliation(None, date(2026, 11, 28))
    assert (report.count, report.difference) == (2, Decimal("1100.00"))
    assert [(c.customer_code, c.invoices, c.difference) for c in report.by_customer] == [
        ("C000001", 1, Decimal("1000.00")), ("C000003", 1, Decimal("100.00"))]


def test_the_erp_open_amount_is_never_overwritten_by_the_receipts(erp_book):
    assert Invoice.objects.get(number="A1").open_amount == Decimal("1000.00")
    assert set(Invoice.objects.values_list("open_basis", flat=True)) == {OpenBasis.ERP}


def test_the_receipts_import_says_how_many_open_amounts_receipts_do_not_explain(erp_book):
    assert ("2 invoices have open amounts that receipts do not explain (see the reconciliation report)."
            in erp_book["receipts"].message)


def test_as_of_a_day_before_any_receipt_the_erp_and_the_allocations_agree(erp_book):
    """As of 2026-10-05 the ERP's open amount then is today's plus what was paid later (A2: 0 + 500 = 500,
    A3: 300 + 500 = 800), and nothing was allocated yet: every invoice agrees."""
    report = reconciliation(None, date(2026, 10, 5))
    assert (report.invoices_checked, report.rows) == (4, [])


def test_a_credit_note_counts_as_settled(erp_book):
    a4 = Invoice.objects.get(number="A4")
    CreditNote.objects.create(number="CN1", customer=a4.customer, issue_date=date(2026, 10, 25),
                              amount=Decimal("100.00"), invoice=a4)
    row = next(r for r in reconciliation(None, date(2026, 11, 28)).rows if r.number == "A4")
    assert (row.erp_open, row.derived_open, row.difference) == (Decimal("200.00"), Decimal("0.00"),
                                                                 Decimal("200.00"))


def test_invoices_issued_after_the_as_of_date_are_not_reconciled(erp_book):
    assert reconciliation(None, date(2026, 9, 2)).invoices_checked == 2


def test_differences_in_another_currency_are_summed_in_the_functional_one(erp_book):
    Invoice.objects.filter(number="A4").update(currency="USD")
    FxRate.objects.create(date=date(2026, 11, 1), currency="USD", rate=Decimal("7.1"))
    report = reconciliation(None, date(2026, 11, 28))
    a4 = next(r for r in report.rows if r.number == "A4")
    assert (a4.currency, a4.difference, a4.functional_difference) == ("USD", Decimal("100.00"), Decimal("710.00"))
    assert (report.currency, report.difference) == ("CNY", Decimal("1710.00"))
    assert report.difference_by_currency == {"CNY": Decimal("1000.00"), "USD": Decimal("100.00")}
    assert [c.difference for c in report.by_customer] == [Decimal("1000.00"), Decimal("710.00")]


def test_a_difference_in_a_currency_without_a_rate_is_refused_not_added_as_it_stands(erp_book):
    Invoice.objects.filter(number="A4").update(currency="EUR")
    with pytest.raises(MissingRate):
        reconciliation(None, date(2026, 11, 28))
