"""Receipts with allocations, credit notes, sales orders and financial statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fengkong.customers.models import FinancialStatement
from fengkong.receivables.models import CreditNote, Payment, PaymentAllocation, SalesOrder

PAYMENTS = "收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额,结算方式\n"


def test_receipt_allocated_to_two_invoices_imports_once_with_two_allocations(db, write, run, book):
    text = PAYMENTS + "SK1,C000001,2025-03-01,5000,AR0001,3000,电汇\nSK1,C000001,2025-03-01,5000,AR0002,2000,电汇\n"
    path = write("p.csv", text)
    batch = run("payments", path)
    assert batch.status == "done" and batch.rows_created == 2, batch.errors
    payment = Payment.objects.get(number="SK1")
    assert payment.amount == 5000 and payment.method == "电汇"
    assert sorted(a.amount for a in PaymentAllocation.objects.filter(payment=payment)) == [2000, 3000]
    again = run("payments", path)
    assert again.rows_unchanged == 2 and PaymentAllocation.objects.count() == 2


def test_allocation_problems_unknown_invoice_other_customer_and_overallocation(db, write, run, book):
    text = (PAYMENTS + "SK1,C000001,2025-03-01,100,AR9999,50,\n"
            "SK2,C000001,2025-03-01,100,AR0004,50,\n"
            "SK3,C000001,2025-03-01,100,AR0001,80,\nSK3,C000001,2025-03-01,100,AR0002,80,\n")
    batch = run("payments", write("p.csv", text))
    reasons = {p["row"]: p["message"] for p in batch.errors}
    assert "unknown invoice" in reasons[2]
    assert "another customer" in reasons[3]
    assert "more than its amount" in reasons[4] and "more than its amount" in reasons[5]
    assert batch.status == "rejected" and not Payment.objects.exists()


def test_lines_of_one_receipt_must_agree_and_stand_or_fall_together(db, write, run, book):
    text = PAYMENTS + "SK1,C000001,2025-03-01,100,AR0001,50,\nSK1,C000001,2025-03-02,100,AR0002,50,\nSK2,C000001,2025-03-01,10,,,\n"
    batch = run("payments", write("p.csv", text), valid_rows_only=True)
    assert any("disagree" in p["message"] for p in batch.errors)
    assert batch.status == "partial" and list(Payment.objects.values_list("number", flat=True)) == ["SK2"]


def test_credit_notes_link_to_their_invoice(db, write, run, book):
    text = "红字单号,客户编码,单据日期,金额,原单据号,原因\nHZ1,C000001,2025-03-01,500,AR0001,质量折让\nHZ2,C000001,2025-03-01,0,AR0003,\n"
    batch = run("credit-notes", write("cn.csv", text), valid_rows_only=True)
    assert batch.rows_created == 1 and any(p["row"] == 3 for p in batch.errors)
    note = CreditNote.objects.get(number="HZ1")
    assert note.invoice.number == "AR0001" and note.reason == "质量折让"


def test_orders_import_with_status_aliases(db, write, run, book):
    text = "订单编号,客户编码,订单日期,订单金额,未发货金额,币种,状态\nSO1,C000002,2025-03-01,800,300,,部分发货\nSO2,C000002,2025-03-01,100,200,,飞走了\n"
    batch = run("orders", write("o.csv", text), valid_rows_only=True)
    order = SalesOrder.objects.get(number="SO1")
    assert (order.status, order.open_amount, order.currency) == ("partial", Decimal("300.00"), "CNY")
    assert {p["column"] for p in batch.errors} == {"未发货金额", "状态"}


def test_financial_statements_accept_a_year_as_the_period(db, write, run, book):
    text = "客户编码,报告期,流动资产,流动负债,资产总计,负债合计,营业收入,净利润,所有者权益\nC000001,2024,500,400,2000,1200,3000,-50,800\nC000001,2025-06,1,1,1,1,1,1,1\n"
    path = write("f.csv", text)
    batch = run("financials", path)
    assert batch.status == "done", batch.errors
    statement = FinancialStatement.objects.get(customer__code="C000001", period_end=date(2024, 12, 31))
    assert statement.net_profit == Decimal("-50.00") and statement.current_ratio == Decimal("1.25")
    assert FinancialStatement.objects.filter(period_end=date(2025, 6, 30)).exists()
    assert run("financials", path).rows_unchanged == 2
