"""Clause analysis from the API (POST /api/v1/contracts/analyze) and the command line
(`fengkong contracts analyze FILE --grade C --json`): the same JSON, flags in words, clear refusals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.fixtures.contract_documents import docx_bomb, scanned_pdf

from fengkong.cli.commands import fengkong
from fengkong.engine.contracts import TYPES
from fengkong.engine.contracts.samples import chinese_contract

URL = "/api/v1/contracts/analyze"
RISKY = chinese_contract(missing=("retention_of_title",), payment_days=120).encode("gbk")


def post(client, data: bytes, name: str = "合同.txt", **form):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **form}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_the_api_flags_a_missing_retention_of_title_and_a_too_long_term_for_grade_c(sign_in):
    response = post(sign_in("credit_analyst"), RISKY, grade="C")
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == ["language", "clauses", "flags"] and body["language"] == "zh"
    assert [c["type"] for c in body["clauses"]] == list(TYPES)
    flags = {(f["code"], f["clause"]): f for f in body["flags"]}
    assert flags[("missing", "retention_of_title")]["severity"] == "high"
    assert flags[("missing", "retention_of_title")]["message"] == (
        "The contract has no retention of title clause, which grade C requires.")
    term = flags[("term_too_long", "payment_terms")]
    assert term["message"] == "The payment term is 120 days, longer than the 30 days grade C allows."
    assert "120日内" in term["text"]


@pytest.mark.django_db
def test_without_a_grade_there_are_clauses_and_no_flags(sign_in):
    body = post(sign_in("legal_officer"), RISKY).json()
    assert body["flags"] == []
    assert {c["type"] for c in body["clauses"] if c["present"]} >= {"payment_terms", "guarantee"}


@pytest.mark.django_db
def test_grade_a_accepts_what_grade_c_refuses(sign_in):
    body = post(sign_in("credit_analyst"), chinese_contract(missing=("retention_of_title",), payment_days=60)
                .encode(), grade="A").json()
    assert body["flags"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "name", "words"), [
    (scanned_pdf(), "scan.pdf", "scan without a text layer"),
    (docx_bomb(), "bomb.docx", "inflates far beyond its size"),
    (b"", "empty.txt", "contains no text"),
], ids=["scanned", "zip-bomb", "empty"])
def test_unreadable_documents_are_a_422_that_says_why(sign_in, data, name, words):
    response = post(sign_in("credit_analyst"), data, name)
    assert response.status_code == 422
    assert words in response.json()["detail"]


@pytest.mark.django_db
def test_a_document_over_the_size_limit_is_a_413(sign_in, settings):
    settings.CONTRACTS_MAX_UPLOAD_BYTES = 1000
    assert post(sign_in("credit_analyst"), RISKY).status_code == 413


@pytest.mark.django_db
def test_a_bad_grade_is_a_422(sign_in):
    assert post(sign_in("credit_analyst"), RISKY, grade="D").status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["collector", "sales", "finance", "nobody"])
def test_roles_without_contract_work_are_refused(sign_in, persona):
    assert post(sign_in(persona), RISKY).status_code == 403


@pytest.mark.django_db
def test_the_answer_is_in_chinese_for_a_chinese_reader(sign_in):
    response = sign_in("credit_analyst").post(URL, {"file": SimpleUploadedFile("c.txt", RISKY), "grade": "C"},
                                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert all(f["message"] for f in response.json()["flags"])


@pytest.mark.django_db
def test_the_command_prints_the_same_json_as_the_api(sign_in, tmp_path):
    path = tmp_path / "合同.txt"
    path.write_bytes(RISKY)
    result = CliRunner().invoke(fengkong, ["--lang", "en", "contracts", "analyze", str(path), "--grade", "C", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == post(sign_in("credit_analyst"), RISKY, grade="C").json()


@pytest.mark.django_db
def test_the_command_says_why_a_scan_cannot_be_read(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    result = CliRunner().invoke(fengkong, ["--lang", "en", "contracts", "analyze", str(path), "--json"])
    assert result.exit_code == 2
    assert "scan without a text layer" in result.output
    assert result.stdout == ""


@pytest.mark.django_db
def test_the_command_summary_lists_what_is_missing(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(RISKY)
    result = CliRunner().invoke(fengkong, ["--lang", "en", "contracts", "analyze", str(path), "--grade", "C"])
    assert result.exit_code == 0
    assert "Not found:" in result.output and "retention of title" in result.output
