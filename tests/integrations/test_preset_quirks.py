"""Each quirk a preset's rules handle (issue 22), on a file small enough to read: what is dropped is counted,
what is rewritten is still checked, and row numbers stay the file's own."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from tests.fixtures import erp_exports as erp

from fengkong.customers.models import Customer
from fengkong.integrations.importer import import_file
from fengkong.integrations.presets import customer_code
from fengkong.receivables.models import CreditNote, Invoice, Payment

from .conftest import problem_at

pytestmark = pytest.mark.django_db
AR_HEAD = ",".join(erp.ERPNEXT_AR_HEADER)


def ar_row(number, posting, due, invoiced, outstanding, voucher_type="Sales Invoice", party="CUST-1", age=0):
    cells = [posting, "Customer", party, "Debtors - FK", "", "Main - FK", voucher_type, number, due, invoiced, "0",
             "0", outstanding, str(age), "", "", "", "", "", "CNY", "", "", ""]
    return ",".join(cells)


def run_ar(write, *rows, **options):
    path = write("AR.csv", "\n".join([AR_HEAD, *rows]) + "\n")
    return import_file(path, "invoices", actor=None, preset="erpnext-ar", create_customers=True, **options)


def test_float_noise_is_rounded_to_the_fen_it_stands_for(write):
    batch = run_ar(write, ar_row("SINV-1", "01-11-2026", "01-12-2026", "2150.31", "2150.3100000000004"),
                   ar_row("SINV-2", "01-11-2026", "01-12-2026", "100.00", "99.99999999999999"))
    assert batch.status == "done", batch.errors
    assert dict(Invoice.objects.values_list("number", "open_amount")) == {
        "SINV-1": Decimal("2150.31"), "SINV-2": Decimal("100.00")}


def test_a_real_third_decimal_is_no_noise_and_is_refused_with_row_and_column(write):
    batch = run_ar(write, ar_row("SINV-1", "01-11-2026", "01-12-2026", "2150.31", "2150.315"))
    assert batch.status == "rejected"
    assert problem_at(batch, 2) == [{"row": 2, "column": "Outstanding Amount", "value": "2150.315",
                                     "message": "more than two decimal places"}]


def test_the_trailing_total_row_is_skipped_and_said(write):
    batch = run_ar(write, ar_row("SINV-1", "01-11-2026", "01-12-2026", "10.00", "10.00"),
                   ",,,,,,,,,10.00,0,0,10.00,,,,,,,,,,")
    assert batch.status == "done" and Invoice.objects.count() == 1
    assert "1 total or heading row skipped" in batch.message


def test_a_row_without_a_number_but_with_a_date_is_still_a_problem(write):
    batch = run_ar(write, ar_row("", "01-11-2026", "01-12-2026", "10.00", "10.00"))
    assert batch.status == "rejected"
    assert problem_at(batch, 2)[0]["message"] == "required value is missing"


def test_items_not_yet_due_have_negative_ages_and_are_ordinary_open_items(write):
    batch = run_ar(write, ar_row("SINV-1", "01-12-2026", "31-12-2026", "10.00", "10.00", age=-24))
    assert batch.status == "done"
    assert Invoice.objects.get().due_date == date(2026, 12, 31)


def test_negative_rows_are_credit_balances_not_invoices(write):
    batch = run_ar(write, ar_row("ACC-PAY-1", "01-12-2026", "", "0", "-500.00", "Payment Entry"),
                   ar_row("ACC-JV-1", "01-12-2026", "", "0", "-20.00", "Journal Entry"),
                   ar_row("SINV-RET-1", "02-12-2026", "02-12-2026", "-80.00", "-80.00"),
                   ar_row("SINV-RET-2", "02-12-2026", "02-12-2026", "-30.00", "0"))
    assert batch.status == "done", batch.errors
    assert not Invoice.objects.exists()
    assert dict(Payment.objects.values_list("number", "amount")) == {"ACC-PAY-1": Decimal("500.00"),
                                                                     "ACC-JV-1": Decimal("20.00")}
    assert not Payment.objects.filter(allocations__isnull=False).exists()
    note = CreditNote.objects.get()
    assert (note.number, note.amount, note.invoice_id) == ("SINV-RET-1", Decimal("80.00"), None)
    assert "1 settled credit row skipped" in batch.message


def test_a_credit_balance_with_a_bad_date_names_its_row_and_column(write):
    batch = run_ar(write, ar_row("ACC-PAY-1", "2026/31/12", "", "0", "-500.00", "Payment Entry"))
    assert batch.status == "rejected"
    assert [(p["row"], p["column"]) for p in batch.errors] == [(2, "Posting Date")]
    assert not Payment.objects.exists()


def sales_invoice_export(write, *records):
    book = erp.make_book(invoices=1, customers=1)
    path = erp.write_sales_invoice_data_export(book, write("x.csv", ""))
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[:15]   # the preamble, "Column Labels:" … "Start entering data below this line"
    body = [",".join(["", *record, "", "ITEM-1", record[5]]) for record in records]
    return write("Sales Invoice.csv", "\n".join(head + body) + "\n")


def test_data_export_ids_lose_their_quotes_and_rows_keep_the_files_line_numbers(write):
    path = sales_invoice_export(write, ['"""SINV-9"""', "CUST-1", "C1", "2026-11-01", "2026-12-01", "10.00", "10.00",
                                        "Unpaid", "CNY", "1"],
                                ['"""SINV-10"""', "CUST-1", "C1", "2026-11-01", "2026-10-01", "10.00", "10.00",
                                 "Unpaid", "CNY", "1"])
    batch = import_file(path, "invoices", actor=None, preset="erpnext-sales-invoice", create_customers=True)
    assert batch.status == "rejected"
    assert [(p["row"], p["column"], p["message"]) for p in batch.errors] == [
        (17, "Payment Due Date", "due date is before the issue date")]
    assert "Item Code" not in batch.message   # the child table after "~" is not the invoice's


def test_drafts_and_cancelled_invoices_are_no_receivables(write):
    path = write("si.csv", "Sr,ID,Customer,Date,Payment Due Date,Grand Total,Outstanding Amount,Status\n"
                           "1,SINV-1,CUST-1,2026-11-01,2026-12-01,10.00,10.00,Unpaid\n"
                           "2,SINV-2,CUST-1,2026-11-01,2026-12-01,10.00,10.00,Draft\n"
                           "3,SINV-3,CUST-1,2026-11-01,2026-12-01,10.00,10.00,cancelled\n")
    batch = import_file(path, "invoices", actor=None, create_customers=True)
    assert list(Invoice.objects.values_list("number", flat=True)) == ["SINV-1"]
    assert "2 draft or cancelled rows skipped" in batch.message


ODOO_HEAD = ",".join(erp.ODOO_HEADER)


def test_instalment_lines_are_one_invoice_and_a_bad_line_is_still_named(write):
    path = write("aml.csv", "\n".join([
        ODOO_HEAD,
        "2026-09-01,INV/2026/00001,Customer Invoices,Azure Interior,121000,,2026-10-01,600.00,0,,,,0,",
        "2026-09-01,INV/2026/00001,Customer Invoices,Azure Interior,121000,,2026-11-01,400.00,0,,,,400.00,",
        "2026-09-01,INV/2026/00002,Customer Invoices,Azure Interior,121000,,2026-10-01,1x0.00,0,,,,0,",
        "2026-09-01,INV/2026/00002,Customer Invoices,Azure Interior,121000,,2026-11-01,100.00,0,,,,100.00,"]) + "\n")
    batch = import_file(path, "invoices", actor=None, preset="odoo-move-lines", create_customers=True,
                        valid_rows_only=True)
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.amount, invoice.open_amount, invoice.due_date) == (
        "INV/2026/00001", Decimal("1000.00"), Decimal("400.00"), date(2026, 11, 1))
    assert [(p["column"], p["value"]) for p in batch.errors] == [("Debit", "1x0.00")]
    assert "2 instalment lines merged into their invoices" in batch.message


def test_exchange_difference_lines_and_document_currency_columns_are_not_read(write):
    path = write("aml.csv", "\n".join([
        ODOO_HEAD,
        "2026-09-01,INV/2026/00001,Customer Invoices,Azure Interior,121000,,2026-10-01,710.00,0,100.00,USD,,710.00,"
        "100.00",
        "2026-09-30,EXCH/2026/09/0001,Exchange Difference,Azure Interior,121000,,2026-09-30,3.21,0,0,USD,,3.21,0"])
        + "\n")
    batch = import_file(path, "invoices", actor=None, preset="odoo-move-lines", create_customers=True)
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.currency, invoice.open_amount) == ("INV/2026/00001", "CNY", Decimal("710.00"))
    assert "1 exchange-difference line skipped" in batch.message
    assert "Amount in Currency" not in batch.message   # dropped, not "not imported"


def test_a_customer_known_by_a_long_name_gets_the_stated_code(write):
    name = "重庆某某某某机械设备制造有限公司第二分公司（渝北区工业园区第三生产基地及配套仓储物流中心）"
    assert len(name) > 40
    path = write("aml.csv", f"{ODOO_HEAD}\n2026-09-01,INV/2026/00001,Customer Invoices,{name},121000,,2026-10-01,"
                            "10.00,0,,,,10.00,\n")
    batch = import_file(path, "invoices", actor=None, preset="odoo-move-lines", create_customers=True)
    expected = name[:31] + "~" + hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]
    assert customer_code(name) == expected and customer_code("Azure Interior") == "Azure Interior"
    assert Customer.objects.get().code == expected and Customer.objects.get().name == name
    assert "1 customer created from the file (code: the name as written" in batch.message
    assert Invoice.objects.get().customer.code == expected


def test_kingdee_with_the_customer_code_exported_uses_it_not_the_name(write):
    path = write("应收单.csv", "单据编号,业务日期,到期日,客户编码,客户,币别,价税合计,未核销金额\n"
                              "AR001,2026-11-01,2026-12-01,K0001,重庆甲公司,人民币,100.00,100.00\n")
    batch = import_file(path, "invoices", actor=None, preset="kingdee-ar", create_customers=True)
    assert batch.status == "done", batch.errors
    assert list(Customer.objects.values_list("code", "name")) == [("K0001", "重庆甲公司")]
    assert "code: the file's customer ID" in batch.message
