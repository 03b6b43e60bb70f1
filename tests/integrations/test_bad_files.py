"""Files that cannot be imported at all: each gets one clear message, status rejected, nothing written."""

from __future__ import annotations

import io
import zipfile

from fengkong.receivables.models import Invoice

from .conftest import INVOICE_HEADER, invoices_csv, messages


def test_zero_byte_file_is_rejected_as_empty(db, write, run):
    batch = run("invoices", write("empty.csv", b""))
    assert batch.status == "rejected"
    assert "empty (0 bytes)" in batch.message


def test_header_only_file_is_rejected_for_having_no_rows(db, write, run):
    batch = run("invoices", write("header.csv", INVOICE_HEADER + "\n"))
    assert batch.status == "rejected"
    assert "no data rows" in batch.message


def test_random_bytes_are_rejected_naming_line_and_byte(db, write, run):
    batch = run("invoices", write("junk.csv", INVOICE_HEADER.encode() + b"\nAR1,\xff\xfe\x80abc\n"))
    assert batch.status == "rejected"
    assert "neither UTF-8 nor GBK" in batch.message and "as UTF-8, line 2 byte 5" in batch.message


def test_shift_jis_file_is_rejected_showing_the_garbled_headers(db, write, run):
    text = "請求書番号,得意先コード,発行日,期日,金額\nINV1,C001,2025/01/05,2025/02/05,100\n"
    batch = run("invoices", write("sjis.csv", text, "shift_jis"))
    assert batch.status == "rejected"
    assert "Missing required column" in batch.message and "Columns found in the file" in batch.message


def test_binary_file_with_nul_bytes_is_rejected(db, write, run):
    batch = run("invoices", write("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert batch.status == "rejected" and "binary" in batch.message


def test_xlsx_that_is_not_a_zip_is_rejected(db, write, run):
    batch = run("invoices", write("fake.xlsx", "this is text pretending to be Excel"))
    assert batch.status == "rejected" and "not an Excel workbook" in batch.message


def test_old_xls_is_rejected_with_advice(db, write, run):
    batch = run("invoices", write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))
    assert batch.status == "rejected" and ".xlsx or CSV" in batch.message


def test_zip_bomb_is_refused_before_it_is_unpacked(db, write, run):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    batch = run("invoices", write("bomb.xlsx", buffer.getvalue()))
    assert batch.status == "rejected" and "zip bomb" in batch.message


def test_missing_required_columns_are_listed_with_the_headers_found(db, write, run):
    batch = run("invoices", write("short.csv", "单据编号,金额\nAR1,100\n"))
    assert batch.status == "rejected"
    for needed in ("客户编码", "单据日期", "到期日"):
        assert needed in batch.message
    assert "单据编号, 金额" in batch.message


def test_two_columns_meaning_the_same_field_are_refused(db, write, run):
    batch = run("invoices", write("twice.csv", "单据编号,客户编码,单据日期,到期日,金额,价税合计\nA,B,C,D,E,F\n"))
    assert batch.status == "rejected" and "金额, 价税合计" in batch.message


def test_row_with_more_cells_than_the_header_is_named(db, write, run, book):
    text = invoices_csv("AR9,C000001,2025-01-01,2025-02-01,100,100,CNY", "AR10,C000001,2025-01-01,2025-02-01,1,000.00,100,CNY")
    batch = run("invoices", write("ragged.csv", text))
    assert batch.status == "rejected" and "Row 3" in batch.message


def test_bad_mapping_file_is_rejected_with_the_reason(db, write, run):
    mapping = write("map.toml", '[columns]\n"Invoice" = "numbr"\n')
    batch = run("invoices", write("x.csv", invoices_csv()), mapping=mapping)
    assert batch.status == "rejected" and "numbr" in batch.message and "number" in batch.message


def test_rejected_file_writes_nothing_and_is_recorded(db, write, run):
    before = Invoice.objects.count()
    batch = run("invoices", write("empty.csv", b""))
    assert Invoice.objects.count() == before
    assert batch.error_count == 1 and messages(batch) == [batch.message]
    assert batch.finished_at is not None and batch.actor_name == "finance"
