"""Evidence tests: a customer of each portfolio and a store of its own per test (the files live outside the
database, so no rollback empties them)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation
from tests.conftest import make_customer

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def evidence_store(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "evidence"), "file_permissions_mode": 0o440}}}
    from django.core.files.storage import storages

    storages._storages.pop("evidence", None)
    storages.backends  # noqa: B018 - re-read from the settings
    yield tmp_path / "evidence"
    storages._storages.pop("evidence", None)


@pytest.fixture
def customers(portfolios):
    return {"CQ": make_customer("C000001", "500103", portfolios["CQ"]),
            "SC": make_customer("C000003", "510104", portfolios["SC"])}


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English; the zh-hans catalogue translates them (a test may override it)."""
    with translation.override("en"):
        yield

