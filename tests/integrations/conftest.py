"""Helpers for import tests: write an ERP export to a temporary file and import it."""

from __future__ import annotations

import pytest
from django.utils import translation

from fengkong.integrations.importer import import_file

INVOICE_HEADER = "单据编号,客户编码,单据日期,到期日,金额,未核销金额,币种"


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the zh-hans catalogue translates them in the product."""
    with translation.override("en"):
        yield


@pytest.fixture
def write(tmp_path):
    """write(name, text_or_bytes, encoding="utf-8") -> Path"""

    def _write(name: str, content, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def trusted_source(db):
    """An import source an administrator has marked trusted: its files skip dual review."""
    from fengkong.integrations.models import ImportSource

    return ImportSource.objects.create(code="kingdee", name="金蝶 K/3", trusted=True)


@pytest.fixture
def run(users):
    """run(kind, path, **options) -> the finished ImportBatch, imported by the finance user."""

    def _run(kind: str, path, **options):
        return import_file(path, kind, actor=users["finance"], **options)

    return _run


def invoices_csv(*lines: str) -> str:
    return "\n".join([INVOICE_HEADER, *lines]) + "\n"


def messages(batch) -> list[str]:
    return [p["message"] for p in batch.errors]


def problem_at(batch, row: int) -> list[dict]:
    return [p for p in batch.errors if p["row"] == row]
