"""Big files: the upload limit is enforced while the upload is received, and the importer reads a file in
batches (IMPORT_CHUNK_ROWS, set small here) with the same results as in one piece: every duplicate across
batches, all or nothing when the problem is in the last batch, the encoding decided by the whole file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.core.audit import AuditEvent
from fengkong.integrations import sources
from fengkong.integrations.cli import import_cmd
from fengkong.integrations.models import ImportBatch
from fengkong.receivables.models import Invoice

from .conftest import INVOICE_HEADER, invoices_csv, messages

pytestmark = pytest.mark.django_db

ROW = "ST{n:06d},C000001,2025-01-05,2025-02-04,100.00,100.00,CNY"
ENGLISH_HEADER = "invoice no,customer code,invoice date,due date,amount,contract"


def rows(count: int, **replace: str) -> list[str]:
    """`count` good invoice rows ST000001…; replace={"5": line} puts `line` at file row 5."""
    lines = [ROW.format(n=n) for n in range(1, count + 1)]
    for row, line in replace.items():
        lines[int(row) - 2] = line
    return lines


def leftovers(settings) -> list[Path]:
    """The files in the uploads and scratch folders (compared before and after)."""
    folders = [Path(settings.DATA_DIR) / "uploads", Path(settings.FILE_UPLOAD_TEMP_DIR)]
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


# --- the upload limit -------------------------------------------------------------------------------

def post_upload(client, content: bytes, **extra):
    data = {"kind": "invoices", "mode": "all", "file": SimpleUploadedFile("big.csv", content, "text/csv")}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("import-upload"), data, **extra)


def test_an_upload_over_the_limit_is_refused_while_received_with_the_limit_named_and_nothing_kept(
        sign_in, users, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    settings.LANGUAGE_CODE = "en"
    before = leftovers(settings)
    content = (INVOICE_HEADER + "\n").encode() + b"".join(f"{ROW.format(n=n)}\n".encode() for n in range(20_000))
    response = post_upload(sign_in(Role.FINANCE), content, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    html = response.content.decode()
    assert "the largest file that can be imported is 64.0\xa0KB" in html
    assert not ImportBatch.objects.exists() and leftovers(settings) == before


class EndlessUpload:
    """A multipart body that says it is 5 GB: the form's fields, then a file part that never ends."""

    BOUNDARY = "fkboundary"

    def __init__(self):
        self.read_bytes = 0
        head = (f"--{self.BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ninvoices\r\n"
                f"--{self.BOUNDARY}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nall\r\n"
                f"--{self.BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.csv\"\r\n"
                "Content-Type: text/csv\r\n\r\n")
        self.head = head.encode()

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        start, self.read_bytes = self.read_bytes, self.read_bytes + size
        if start < len(self.head):
            return (self.head[start:] + b"x" * size)[:size]
        return b"x" * size

    readline = read


def test_a_5_gb_post_is_refused_after_its_first_bytes_not_read_to_the_end(sign_in, users, settings):
    settings.LANGUAGE_CODE = "en"
    before = leftovers(settings)
    body = EndlessUpload()
    response = sign_in(Role.FINANCE).post(
        reverse("import-upload"), content_type=f"multipart/form-data; boundary={body.BOUNDARY}",
        HTTP_ACCEPT_LANGUAGE="en", **{"wsgi.input": body, "CONTENT_LENGTH": str(5 * 2**30)})
    assert response.status_code == 413
    assert "The file is 5.0\xa0GB; the largest file that can be imported is 200.0\xa0MB" in response.content.decode()
    assert body.read_bytes < 1024 * 1024   # refused at the start of the file part, not after 5 GB
    assert not ImportBatch.objects.exists() and leftovers(settings) == before


def test_the_command_refuses_a_file_over_its_own_limit_and_takes_one_over_the_web_limit(
        book, users, tmp_path, settings):
    path = tmp_path / "big.csv"
    path.write_text(invoices_csv(*rows(25_000)))
    before = leftovers(settings)
    assert path.stat().st_size > 2**20
    settings.IMPORT_MAX_BYTES, settings.IMPORT_CLI_MAX_BYTES = 100, 2 * 2**20
    result = CliRunner().invoke(import_cmd, ["invoices", str(path), "--user", "finance"])
    assert result.exit_code == 0, result.output
    assert Invoice.objects.filter(number__startswith="ST").count() == 25_000

    settings.IMPORT_CLI_MAX_BYTES = 2**20
    result = CliRunner().invoke(import_cmd, ["invoices", str(path), "--user", "finance"])
    assert result.exit_code == 1
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == "rejected" and batch.message == "The file is larger than the import limit of 1 MB."
    assert "import limit of 1 MB" in result.output
    assert leftovers(settings) == before


# --- encodings, decided by the whole file -----------------------------------------------------------

def test_a_gbk_file_whose_first_chinese_character_is_past_the_first_block_and_cut_by_it_imports(
        book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 20_000
    before = leftovers(settings)
    head = (ENGLISH_HEADER + "\n").encode()
    last = b"AR999999,C000001,2025-01-05,2025-02-04,100.00," + "重庆合同".encode("gbk") + b"\n"
    # ASCII rows up to the end of the first block the decoder reads; the first GBK character straddles it
    room = sources.DECODE_BLOCK - 1 - len(head) - last.index("重".encode("gbk"))
    filler = b""
    for n in range(1, room // 50):
        line = f"AR{n:06d},C000001,2025-01-05,2025-02-04,100.00,HT{n:06d}\n".encode()
        if len(filler) + len(line) > room - 80:
            break
        filler += line
    pad = b"AR000000,C000001,2025-01-05,2025-02-04,100.00,PAD"
    filler += pad + b" " * (room - len(filler) - len(pad) - 1) + b"\n"
    content = head + filler + last
    assert content.index("重".encode("gbk")) == sources.DECODE_BLOCK - 1
    batch = run("invoices", write("late-gbk.csv", content))
    assert batch.status == "done", batch.message
    assert batch.encoding == "gb18030" and batch.rows_created == filler.count(b"\n") + 1
    assert Invoice.objects.get(number="AR999999").contract_ref == "重庆合同"
    assert Invoice.objects.get(number="AR000000").contract_ref == "PAD"
    assert leftovers(settings) == before   # the UTF-8 copy is gone


def test_a_bad_byte_late_in_a_big_file_is_reported_with_its_line_and_nothing_is_written(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 20_000
    before = leftovers(settings)
    header = "invoice no,customer code,invoice date,due date,amount,open amount,currency"
    content = "\n".join([header, *rows(120_000)]).encode()
    bad_line = 110_001
    offset = content.index(f"ST{bad_line - 1:06d},".encode()) + 10
    content = content[:offset] + b"\xff" + content[offset + 1:]
    batch = run("invoices", write("late-bad.csv", content))
    assert batch.status == "rejected"
    assert f"as UTF-8, line {bad_line} byte 11" in batch.message and f"as GB18030, line {bad_line} byte 11" in batch.message
    assert not Invoice.objects.filter(number__startswith="ST").exists() and leftovers(settings) == before


# --- batches ----------------------------------------------------------------------------------------

def test_duplicates_in_different_batches_are_reported_on_every_row(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 3
    lines = rows(10, **{"9": ROW.format(n=1)})   # row 9 repeats row 2's number, two batches later
    batch = run("invoices", write("dup.csv", invoices_csv(*lines)))
    assert batch.status == "rejected"
    duplicated = [p for p in batch.errors if "more than once" in p["message"]]
    assert [(p["row"], p["value"]) for p in duplicated] == [(2, "ST000001"), (9, "ST000001")]
    assert all("(rows 2, 9)" in p["message"] for p in duplicated)
    assert not Invoice.objects.filter(number__startswith="ST").exists()


def test_with_valid_rows_only_neither_row_of_a_duplicate_across_batches_is_written(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 3
    batch = run("invoices", write("dup.csv", invoices_csv(*rows(10, **{"11": ROW.format(n=2)}))),
                valid_rows_only=True)
    assert batch.status == "partial" and batch.rows_rejected == 2 and batch.rows_created == 8
    assert not Invoice.objects.filter(number="ST000002").exists()
    assert Invoice.objects.filter(number__startswith="ST").count() == 8


def test_duplicate_credit_codes_across_batches_of_a_customers_file_are_caught(db, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    codes = ["91500000MA5U7XJ80A", "91500103MA60QDAM38", "915001126219149887"]
    text = "客户编码,客户名称,统一社会信用代码\n" + "".join(
        f"K{i},客户{i},{code}\n" for i, code in enumerate([codes[0], codes[1], codes[2], codes[0].lower()]))
    batch = run("customers", write("customers.csv", text))
    duplicated = [p for p in batch.errors if "more than once" in p["message"]]
    assert [p["row"] for p in duplicated] == [2, 5], batch.errors


def test_a_problem_in_the_last_batch_rolls_back_what_the_earlier_batches_wrote(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 3
    events = AuditEvent.objects.count()
    lines = rows(10, **{"11": "ST000010,C000001,2025-01-05,2025-02-04,abc,100.00,CNY"})
    batch = run("invoices", write("last.csv", invoices_csv(*lines)))
    assert batch.status == "rejected" and batch.rows_total == 10 and batch.rows_rejected == 1
    assert batch.rows_created == 0
    assert [(p["row"], p["column"], p["value"]) for p in batch.errors] == [(11, "金额", "abc")]
    assert not Invoice.objects.filter(number__startswith="ST").exists()
    assert list(AuditEvent.objects.order_by("pk")[events:].values_list("action", flat=True)) == ["import.finished"]


def test_batches_import_the_same_as_one_piece_and_a_dry_run_writes_nothing(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 4
    path = write("ok.csv", invoices_csv(*rows(10)))
    dry = run("invoices", path, dry_run=True)
    assert dry.status == "dry_run" and dry.rows_total == dry.rows_valid == 10 and dry.error_count == 0
    assert not Invoice.objects.filter(number__startswith="ST").exists()
    done = run("invoices", path)
    assert done.status == "done" and done.rows_created == 10
    again = run("invoices", path)
    assert again.rows_unchanged == 10


def test_a_workbook_is_read_in_batches_with_its_row_numbers(book, write, run, settings):
    settings.IMPORT_CHUNK_ROWS = 3
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(INVOICE_HEADER.split(","))
    for line in rows(8, **{"9": "ST000002,C000001,2025-01-05,2025-02-04,100.00,100.00,CNY"}):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = run("invoices", write("book.xlsx", buffer.getvalue()))
    assert batch.status == "rejected" and batch.rows_total == 8
    assert [p["row"] for p in batch.errors] == [3, 9] and "(rows 3, 9)" in messages(batch)[0]
