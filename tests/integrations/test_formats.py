"""File formats and layouts: UTF-8 with BOM, UTF-16, XLSX, and a mapping file for a foreign ERP layout."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl

from fengkong.receivables.models import Invoice

from .conftest import invoices_csv


def test_utf8_with_bom_imports_and_the_bom_is_not_part_of_the_first_header(db, write, run, book):
    path = write("bom.csv", b"\xef\xbb\xbf" + invoices_csv("AR9001,C000001,2025-01-05,2025-02-04,100,100,CNY").encode())
    batch = run("invoices", path)
    assert batch.status == "done" and batch.encoding == "utf-8-sig"


def test_utf16_with_bom_imports_as_excels_unicode_text_export_writes_it(db, write, run, book):
    text = invoices_csv("AR9001,C000001,2025-01-05,2025-02-04,100,100,CNY").replace(",", "\t")
    batch = run("invoices", write("unicode.txt", text.encode("utf-16")))
    assert batch.status == "done", (batch.message, batch.errors)
    assert batch.encoding == "utf-16" and Invoice.objects.filter(number="AR9001").exists()


def test_xlsx_import_reads_dates_and_numbers_from_cells(db, tmp_path, run, book):
    book_ = openpyxl.Workbook()
    sheet = book_.active
    sheet.append(["发票号", "客户代码", "开票日期", "到期日期", "价税合计", "余额"])
    sheet.append(["AR9001", "C000002", datetime(2025, 1, 5), date(2025, 3, 6), 1234.5, 1000])  # noqa: DTZ001 (Excel cells carry no time zone)
    sheet.append([None, None, None, None, None, None])
    path = tmp_path / "invoices.xlsx"
    book_.save(path)
    batch = run("invoices", path)
    assert batch.status == "done", batch.errors
    invoice = Invoice.objects.get(number="AR9001")
    assert (invoice.issue_date, invoice.due_date) == (date(2025, 1, 5), date(2025, 3, 6))
    assert invoice.amount == Decimal("1234.50") and invoice.open_amount == Decimal("1000.00")


def test_xlsx_sheet_named_in_the_mapping_is_used(db, tmp_path, run, book):
    book_ = openpyxl.Workbook()
    book_.active.append(["nothing here"])
    sheet = book_.create_sheet("应收明细")
    sheet.append(["单据编号", "客户编码", "单据日期", "到期日", "金额"])
    sheet.append(["AR9001", "C000002", "2025-01-05", "2025-02-05", "10"])
    path = tmp_path / "two-sheets.xlsx"
    book_.save(path)
    batch = run("invoices", path, mapping={"file": {"sheet": "应收明细"}})
    assert batch.status == "done", batch.errors


def test_mapping_file_reads_a_european_layout(db, write, run, book):
    mapping = write("sap.toml", """
[file]
delimiter = ";"
skip_rows = 1

[columns]
"Beleg" = "number"
"Kunde" = "customer_code"
"Belegdatum" = "issue_date"
"Fällig" = "due_date"
"Betrag" = "amount"

[dates]
formats = ["%d/%m/%Y"]

[numbers]
thousands = "."
decimal = ","

[constants]
currency = "EUR"
""")
    text = "SAP export 2025\nBeleg;Kunde;Belegdatum;Fällig;Betrag\nDE-1;C000003;31/01/2025;02/03/2025;1.234,56\n"
    batch = run("invoices", write("sap.csv", text), mapping=mapping)
    assert batch.status == "done", batch.errors
    invoice = Invoice.objects.get(number="DE-1")
    assert invoice.amount == Decimal("1234.56") and invoice.currency == "EUR"
    assert (invoice.issue_date, invoice.due_date) == (date(2025, 1, 31), date(2025, 3, 2))


def test_mapping_errors_report_the_row_as_the_user_sees_it(db, write, run, book):
    mapping = {"file": {"skip_rows": 2}, "dates": {"formats": ["%d/%m/%Y"]}}
    text = "title\n\n单据编号,客户编码,单据日期,到期日,金额\nX1,C000001,2025-01-31,01/03/2025,1\n"
    batch = run("invoices", write("skip.csv", text), mapping=mapping)
    assert batch.errors[0]["row"] == 4 and "DD/MM/YYYY" in batch.errors[0]["message"]


def test_english_headers_are_recognised_case_and_punctuation_insensitively(db, write, run, book):
    text = "Invoice No.,CUSTOMER_CODE,Invoice Date,Due Date,Amount,Open Amount,Currency\nE1,C000001,2025-01-05,2025-02-05,10,5,usd\n"
    batch = run("invoices", write("en.csv", text))
    assert batch.status == "done", batch.errors
    assert Invoice.objects.get(number="E1").currency == "USD"
