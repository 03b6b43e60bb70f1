"""A legal case's court bundle is checked by a court clerk with sh, sha256sum and openssl alone: intact it
passes, and a changed file, catalogue entry, chain line or signature fails."""

from __future__ import annotations

import shutil
import subprocess  # the standard tools the bundle says to use  # nosec B404
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from tests.evidence.conftest import PDF, PNG

from fengkong.cli.commands import fengkong
from fengkong.core.models import AuditEvent
from fengkong.evidence.actions import Description, keep
from fengkong.evidence.choices import EvidenceSource
from fengkong.legal.actions import Claim, attach_document, move_case, open_case

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("sha256sum")),
                                 reason="needs openssl and sha256sum")]


@pytest.fixture
def bundle(users, debtor, tmp_path) -> Path:
    officer = users["legal_officer"]
    case = open_case(actor=officer, customer=debtor, claim=Claim(Decimal("150000.00")))
    keep(actor=None, chunks=[b"unrelated"], filename="other.txt", customer=debtor,
         description=Description(title="另一份记录"))  # in the chain between the case's items, not in the bundle
    attach_document(actor=officer, case=case, chunks=[PDF], filename="律师函.pdf",
                    description=Description(title="律师函", source="letter", shows="已催告付款", pages=2))
    move_case(actor=officer, case=case, stage="demand_letter", details={"sent_on": "2026-11-01"})
    attach_document(actor=officer, case=case, chunks=[PNG], filename="送货单.png",
                    description=Description(title="签收的送货单", source="delivery_note", shows="货物已交付"))
    out = tmp_path / "bundle.zip"
    run = CliRunner().invoke(fengkong, ["--lang", "en", "evidence", "export", "--case", case.number, "--out", str(out),
                                        "--user", officer.username])
    assert run.exit_code == 0, run.output
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(unpacked)
    return unpacked


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "verify.sh"], cwd=folder, capture_output=True, text=True, check=False)  # nosec B603 B607


def test_an_intact_bundle_verifies_with_standard_tools(bundle):
    result = check(bundle)
    assert result.returncode == 0 and "BUNDLE INTACT" in result.stdout, result.stdout + result.stderr
    names = sorted(p.name for p in (bundle / "files").iterdir())
    assert names == ["001-律师函.pdf", "002-送货单.png"]
    sheet = load_workbook(bundle / "证据目录-catalogue.xlsx").active
    letter = str(EvidenceSource.LETTER.label)  # the catalogue speaks the language it was made in
    assert [c.value for c in sheet[4]][:6] == [1, "律师函", letter, sheet[4][3].value, "已催告付款", "2"]
    assert (bundle / "证据目录-catalogue.pdf").read_bytes().startswith(b"%PDF")
    assert "另一份记录" not in (bundle / "chain/entries.txt").read_text()
    assert AuditEvent.objects.filter(action="evidence.bundle_exported").exists()


def test_a_changed_file_fails_the_check(bundle):
    (bundle / "files/002-送货单.png").write_bytes(PNG + b"x")
    assert "does not match SHA256SUMS" in check(bundle).stdout


def test_a_changed_item_fails_the_check_even_with_a_new_manifest(bundle):
    items = bundle / "chain/items.txt"
    items.write_text(items.read_text().replace("已催告付款", "已全额付款"))
    lines = [line for line in (bundle / "SHA256SUMS").read_text().splitlines() if not line.endswith("chain/items.txt")]
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    assert "is not in the chain" in check(bundle).stdout


def test_a_forged_signature_fails_the_check(bundle):
    signature = bytearray((bundle / "anchor/anchor.sig").read_bytes())
    signature[0] ^= 1
    (bundle / "anchor/anchor.sig").write_bytes(bytes(signature))
    lines = [line for line in (bundle / "SHA256SUMS").read_text().splitlines() if not line.endswith("anchor.sig")]
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    assert "signature does not verify" in check(bundle).stdout


def test_someone_without_the_right_cannot_export(users, debtor, tmp_path):
    out = tmp_path / "b.zip"
    run = CliRunner().invoke(fengkong, ["--lang", "en", "evidence", "export", "--customer", debtor.code, "--out",
                                        str(out), "--user", users["collector"].username])
    assert run.exit_code != 0 and not out.exists()
