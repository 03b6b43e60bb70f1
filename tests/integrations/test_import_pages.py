"""The import pages end to end: upload a small ERP export, follow it to its result, read its problems.

huey runs the task immediately here, and the upload's on-commit work is run as the request ends (as a real
commit would), so the redirect after the upload lands on a finished batch.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from fengkong.accounts.choices import Role
from fengkong.integrations.models import ImportBatch
from fengkong.receivables.models import Invoice

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "单据编号,客户编码,单据日期,到期日,金额,未核销金额\n"
    "WEB0001,C000001,2026-10-01,2026-10-31,\"1,500.00\",1500.00\n"
    "WEB0002,C000001,2026-13-45,2026-11-30,800.00,800.00\n"
)


def upload(client, content: bytes, name="应收.csv", **fields):
    data = {"kind": "invoices", "mode": "all", "file": SimpleUploadedFile(name, content, "text/csv"), **fields}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("import-upload"), data)


def test_upload_page_offers_kind_file_mapping_mode_and_dry_run(sign_in, users):
    html = sign_in(Role.FINANCE).get(reverse("import-upload")).content.decode()
    for name in ('name="kind"', 'name="file"', 'name="mapping"', 'name="mode"', 'name="dry_run"'):
        assert name in html


def test_a_clean_gbk_file_is_imported_and_the_batch_page_shows_the_counts(book, sign_in, huey_immediate, settings):
    content = GOOD_AND_BAD.splitlines()[:2]
    response = upload(sign_in(Role.FINANCE), ("\n".join(content) + "\n").encode("gbk"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-detail", args=[batch.pk])
    assert batch.status == "done" and batch.rows_created == 1 and batch.file_name == "应收.csv"
    assert batch.actor_name == "finance" and len(batch.file_sha256) == 64
    assert Invoice.objects.get(number="WEB0001").amount == Decimal("1500.00")
    saved = list((Path(settings.DATA_DIR) / "uploads").iterdir())
    assert any(p.read_bytes() == ("\n".join(content) + "\n").encode("gbk") for p in saved)
    html = sign_in(Role.FINANCE).get(response["Location"]).content.decode()
    assert 'data-count="created">1<' in html and "hx-trigger" not in html


def test_all_or_nothing_rejects_a_file_with_a_bad_row_and_lists_the_problem(book, sign_in, huey_immediate):
    client = sign_in(Role.CREDIT_ANALYST)
    response = upload(client, GOOD_AND_BAD.encode("utf-8-sig"))
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and not Invoice.objects.filter(number__startswith="WEB").exists()
    html = client.get(response["Location"]).content.decode()
    assert 'id="problem-table"' in html and "2026-13-45" in html
    csv_response = client.get(reverse("import-problems", args=[batch.pk]))
    body = b"".join(csv_response.streaming_content) if csv_response.streaming else csv_response.content
    assert csv_response.status_code == 200 and "2026-13-45" in body.decode("utf-8-sig")


def test_valid_rows_only_keeps_the_good_row(book, sign_in, huey_immediate):
    upload(sign_in(Role.RISK_MANAGER), GOOD_AND_BAD.encode(), mode="valid")
    batch = ImportBatch.objects.get()
    assert batch.status == "partial" and batch.rows_rejected == 1
    assert Invoice.objects.filter(number="WEB0001").exists() and not Invoice.objects.filter(number="WEB0002").exists()


def test_dry_run_saves_nothing(book, sign_in, huey_immediate):
    upload(sign_in(Role.FINANCE), GOOD_AND_BAD.splitlines()[0].encode() + b"\n" +
           GOOD_AND_BAD.splitlines()[1].encode() + b"\n", dry_run="on")
    assert ImportBatch.objects.get().status == "dry_run"
    assert not Invoice.objects.filter(number="WEB0001").exists()


def test_an_empty_upload_gets_a_clear_form_error_and_no_batch(sign_in, users):
    response = upload(sign_in(Role.FINANCE), b"")
    assert response.status_code == 400
    assert "文件为空（0 字节）" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_upload_over_the_limit_gets_a_clear_form_error(sign_in, users, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(sign_in(Role.FINANCE), b"x" * 101)
    assert response.status_code == 413   # refused while it was received (integrations.uploads)
    assert "可导入的最大文件为 100" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_missing_file_or_unknown_kind_is_a_form_error_not_a_crash(sign_in, users):
    client = sign_in(Role.FINANCE)
    assert client.post(reverse("import-upload"), {"kind": "invoices", "mode": "all"}).status_code == 400
    assert upload(client, b"a,b\n1,2\n", kind="salaries").status_code == 400


def test_a_binary_file_is_refused_by_the_importer_with_its_message(book, sign_in, huey_immediate):
    client = sign_in(Role.FINANCE)
    response = upload(client, bytes(range(256)) * 4, name="dump.csv")
    batch = ImportBatch.objects.get()
    assert batch.status in {"rejected", "failed"}
    assert batch.message in client.get(response["Location"]).content.decode()


def test_running_batch_page_polls_its_progress_fragment(sign_in, users):
    batch = ImportBatch.objects.create(kind="invoices", file_name="big.csv", file_sha256="1" * 64,
                                       status="running", actor_name="finance")
    cache.set(f"import-progress:{batch.pk}", {"stage": "Checking rows", "done": 250, "total": 1000})
    client = sign_in(Role.FINANCE)
    page = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("import-progress", args=[batch.pk]) in page
    fragment = client.get(reverse("import-progress", args=[batch.pk])).content.decode()
    assert 'value="25"' in fragment and "250 / 1000" in fragment and "<html" not in fragment


def test_finished_batch_fragment_stops_polling(sign_in, users):
    batch = ImportBatch.objects.create(kind="invoices", file_name="a.csv", file_sha256="2" * 64, status="done",
                                       actor_name="finance", rows_total=7, rows_created=7)
    fragment = sign_in(Role.FINANCE).get(reverse("import-progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in fragment and 'data-count="created">7<' in fragment


def test_history_lists_newest_first(sign_in, users):
    for name in ["old.csv", "new.csv"]:
        ImportBatch.objects.create(kind="customers", file_name=name, file_sha256="3" * 64, status="done",
                                   actor_name="finance")
    html = sign_in(Role.AUDITOR).get(reverse("import-list")).content.decode()
    assert html.index("new.csv") < html.index("old.csv")


def test_problem_csv_neutralises_spreadsheet_formulas(sign_in, users):
    batch = ImportBatch.objects.create(kind="invoices", file_name="a.csv", file_sha256="4" * 64, status="rejected",
                                       actor_name="x", error_count=2,
                                       errors=[{"row": 2, "column": "金额", "value": "=HYPERLINK(1)", "message": "bad"},
                                               {"row": 3, "column": "金额", "value": "-12.50", "message": "negative"}])
    response = sign_in(Role.FINANCE).get(reverse("import-problems", args=[batch.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body and ',"-12.50",' in body


def test_auditor_can_read_history_but_not_upload(sign_in, users):
    client = sign_in(Role.AUDITOR)
    assert client.get(reverse("import-list")).status_code == 200
    assert upload(client, b"x").status_code == 403


def mapping_form(content: bytes):
    from fengkong.integrations.forms import ImportUploadForm

    return ImportUploadForm(data={"kind": "invoices", "mode": "all"},
                            files={"file": SimpleUploadedFile("应收.csv", b"a,b\n1,2\n", "text/csv"),
                                   "mapping": SimpleUploadedFile("映射.toml", content, "text/plain")})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_a_mapping_file_in_utf8_gbk_or_with_a_bom_is_read_by_the_importers_decoder(encoding):
    text = '[columns]\n"发票号码" = "number"\n'
    form = mapping_form(text.encode(encoding))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mapping"] == text


def test_a_mapping_file_that_is_not_text_is_refused_naming_the_line_and_byte():
    with translation.override("zh-hans"):
        form = mapping_form(b'[columns]\n"\xff\xfe\x80" = "number"\n')
        assert not form.is_valid()
        assert form.errors["mapping"] == ["映射文件不是 UTF-8 或 GBK 编码的文本：按 UTF-8 读取时第 2 行第 2 字节无法识别；"
                                          "按 GB18030 读取时第 2 行第 2 字节无法识别。"]
    with translation.override("en"):
        form = mapping_form(b'[columns]\n"\xff\xfe\x80" = "number"\n')
        assert not form.is_valid()
        assert form.errors["mapping"] == ["The mapping file is not text in UTF-8 or GBK: as UTF-8, line 2 byte 2 "
                                          "cannot be read; as GB18030, line 2 byte 2."]
