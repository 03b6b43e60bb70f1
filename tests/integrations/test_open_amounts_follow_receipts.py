"""Invoices without 未核销金额 get their open amount from the receipts and credit notes, and keep it so as later
files arrive; an invoices file that carries open amounts makes them the ERP's, which nothing overwrites."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.receivables.choices import OpenBasis
from fengkong.receivables.models import Invoice

NO_OPEN = "单据编号,客户编码,单据日期,到期日,金额\n"
WITH_OPEN = "单据编号,客户编码,单据日期,到期日,金额,未核销金额\n"
RECEIPTS = "收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额\n"
CREDIT_NOTES = "红字单号,客户编码,单据日期,金额,原发票号\n"


@pytest.fixture
def customer(portfolios):
    return make_customer("C000001", "500103", portfolios["CQ"])


def opened() -> dict[str, tuple[Decimal, str]]:
    return {i.number: (i.open_amount, i.open_basis) for i in Invoice.objects.order_by("number")}


@pytest.fixture
def derived_book(customer, write, run):
    batch = run("invoices", write("ar.csv", NO_OPEN + "D1,C000001,2026-09-01,2026-10-01,1000.00\n"
                                                      "D2,C000001,2026-09-01,2026-10-01,400.00\n"))
    assert batch.status == "done", batch.errors
    return batch


def test_new_invoices_without_an_open_amount_are_all_open_and_derived(derived_book):
    assert opened() == {"D1": (Decimal("1000.00"), OpenBasis.DERIVED), "D2": (Decimal("400.00"), OpenBasis.DERIVED)}
    assert "Open amounts derived from 0 allocations for 2 invoices." in derived_book.message


def test_receipts_reduce_the_derived_open_amounts_and_later_receipts_keep_reducing_them(derived_book, write, run):
    first = run("payments", write("r1.csv", RECEIPTS + "R1,C000001,2026-10-01,600.00,D1,600.00\n"))
    assert first.status == "done", first.errors
    assert opened()["D1"] == (Decimal("400.00"), OpenBasis.DERIVED)
    second = run("payments", write("r2.csv", RECEIPTS + "R2,C000001,2026-10-20,800.00,D1,400.00\n"
                                                        "R2,C000001,2026-10-20,800.00,D2,400.00\n"))
    assert second.status == "done", second.errors
    assert opened() == {"D1": (Decimal("0.00"), OpenBasis.DERIVED), "D2": (Decimal("0.00"), OpenBasis.DERIVED)}
    assert "Open amounts derived from 3 allocations for 2 invoices." in second.message


def test_reimporting_the_same_receipts_changes_nothing(derived_book, write, run):
    path = write("r1.csv", RECEIPTS + "R1,C000001,2026-10-01,600.00,D1,600.00\n")
    run("payments", path)
    again = run("payments", path)
    assert (again.status, again.rows_unchanged) == ("done", 1), again.errors
    assert opened()["D1"] == (Decimal("400.00"), OpenBasis.DERIVED)


def test_a_credit_note_reduces_a_derived_open_amount(derived_book, write, run):
    batch = run("credit-notes", write("cn.csv", CREDIT_NOTES + "CN1,C000001,2026-10-05,150.00,D2\n"))
    assert batch.status == "done", batch.errors
    assert opened()["D2"] == (Decimal("250.00"), OpenBasis.DERIVED)


def test_a_derived_open_amount_never_falls_below_zero(derived_book, write, run):
    run("payments", write("r.csv", RECEIPTS + "R1,C000001,2026-10-01,400.00,D2,400.00\n"))
    run("credit-notes", write("cn.csv", CREDIT_NOTES + "CN1,C000001,2026-10-05,100.00,D2\n"))
    assert opened()["D2"] == (Decimal("0.00"), OpenBasis.DERIVED)


def test_a_later_invoices_file_with_open_amounts_switches_them_to_the_erp(derived_book, write, run):
    run("payments", write("r.csv", RECEIPTS + "R1,C000001,2026-10-01,600.00,D1,600.00\n"))
    batch = run("invoices", write("ar2.csv", WITH_OPEN + "D1,C000001,2026-09-01,2026-10-01,1000.00,1000.00\n"))
    assert batch.status == "done", batch.errors
    assert opened()["D1"] == (Decimal("1000.00"), OpenBasis.ERP)
    assert "1 invoice has an open amount that receipts do not explain" in batch.message
    run("payments", write("r2.csv", RECEIPTS + "R2,C000001,2026-10-20,100.00,D1,100.00\n"))
    assert opened()["D1"] == (Decimal("1000.00"), OpenBasis.ERP)


def test_an_invoices_file_without_open_amounts_keeps_a_stored_erp_open_amount(customer, write, run):
    run("invoices", write("ar.csv", WITH_OPEN + "E1,C000001,2026-09-01,2026-10-01,1000.00,300.00\n"))
    run("invoices", write("ar2.csv", NO_OPEN + "E1,C000001,2026-09-01,2026-10-01,1000.00\n"))
    assert opened()["E1"] == (Decimal("300.00"), OpenBasis.ERP)


def test_a_corrected_amount_is_derived_again_under_the_stored_allocations(derived_book, write, run):
    run("payments", write("r.csv", RECEIPTS + "R1,C000001,2026-10-01,600.00,D1,600.00\n"))
    run("invoices", write("ar2.csv", NO_OPEN + "D1,C000001,2026-09-01,2026-10-01,900.00\n"))
    assert opened()["D1"] == (Decimal("300.00"), OpenBasis.DERIVED)
