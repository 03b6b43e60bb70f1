"""Receipts whose allocations the book cannot take: an unknown invoice, or more allocated to an invoice than
its amount (with what other receipts already allocate). Each a problem with row, column and value, and
nothing of the file written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import make_customer

from fengkong.receivables.models import Invoice, Payment, PaymentAllocation

RECEIPTS = "收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额\n"


@pytest.fixture
def invoices(portfolios, write, run):
    make_customer("C000001", "500103", portfolios["CQ"])
    batch = run("invoices", write("ar.csv", "单据编号,客户编码,单据日期,到期日,金额\n"
                                            "D1,C000001,2026-09-01,2026-10-01,1000.00\n"
                                            "D2,C000001,2026-09-01,2026-10-01,400.00\n"))
    assert batch.status == "done", batch.errors


def problems(batch) -> list[tuple]:
    return [(p["row"], p["column"], p["value"], p["message"]) for p in batch.errors]


def nothing_written() -> None:
    assert not Payment.objects.exists() and not PaymentAllocation.objects.exists()
    assert dict(Invoice.objects.values_list("number", "open_amount")) == {"D1": Decimal("1000.00"),
                                                                          "D2": Decimal("400.00")}


def test_allocations_above_an_invoice_amount_in_one_file_are_refused_with_row_column_and_value(invoices, write, run):
    batch = run("payments", write("r.csv", RECEIPTS + "R1,C000001,2026-10-01,700.00,D1,700.00\n"
                                                      "R2,C000001,2026-10-02,400.00,D1,400.00\n"
                                                      "R3,C000001,2026-10-02,100.00,D2,100.00\n"))
    assert batch.status == "rejected"
    message = "the allocations to invoice D1 add up to 1100.00, more than its amount 1000.00"
    assert problems(batch) == [(2, "核销金额", "700.00", message), (3, "核销金额", "400.00", message)]
    nothing_written()


def test_allocations_above_an_invoice_amount_with_those_already_stored_are_refused(invoices, write, run):
    assert run("payments", write("r1.csv", RECEIPTS + "R1,C000001,2026-10-01,700.00,D1,700.00\n")).status == "done"
    batch = run("payments", write("r2.csv", RECEIPTS + "R2,C000001,2026-10-20,400.00,D1,400.00\n"))
    assert batch.status == "rejected"
    assert problems(batch) == [(2, "核销金额", "400.00",
                                "the allocations to invoice D1 add up to 1100.00, more than its amount 1000.00")]
    assert list(Payment.objects.values_list("number", flat=True)) == ["R1"]
    assert Invoice.objects.get(number="D1").open_amount == Decimal("300.00")


def test_a_receipt_reimported_with_a_corrected_allocation_replaces_its_own(invoices, write, run):
    """R1 stored with 700 on D1, re-imported with 900: 900 is within 1000 (R1's 700 is not counted twice)."""
    run("payments", write("r1.csv", RECEIPTS + "R1,C000001,2026-10-01,900.00,D1,700.00\n"))
    batch = run("payments", write("r1b.csv", RECEIPTS + "R1,C000001,2026-10-01,900.00,D1,900.00\n"))
    assert batch.status == "done", batch.errors
    assert Invoice.objects.get(number="D1").open_amount == Decimal("100.00")


def test_receipts_for_unknown_invoices_are_refused_with_row_column_and_value(invoices, write, run):
    batch = run("payments", write("r.csv", RECEIPTS + "R1,C000001,2026-10-01,100.00,D1,100.00\n"
                                                      "R2,C000001,2026-10-01,50.00,NOPE-9,50.00\n"))
    assert batch.status == "rejected"
    assert problems(batch) == [(3, "核销单据号", "NOPE-9", "unknown invoice number")]
    nothing_written()
