"""Every view that serves a stored file serves it only from the file's own folder (core.files.resolve_inside).

A row's stored path is data that anyone with write access to the database can change: pointed at
/etc/passwd, at the data directory's secret key, through `..` or a symbolic link, the download must not
serve it. The problems download then rewrites the problems kept on the batch instead; the model report and
the task's letter answer 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import AS_OF, make_invoice

from fengkong.cycle.actions import run_cycle
from fengkong.integrations.models import ImportBatch
from fengkong.monitoring.actions import LETTER_DIR, write_reminder_letter
from fengkong.monitoring.choices import ActionKind
from fengkong.monitoring.models import ActionItem
from fengkong.scoring.models import ModelVersion

SECRET = "SECRET-KEY-must-never-leave"
FOREIGN = "FOREIGN-file-must-never-leave"


@pytest.fixture
def data_dir(settings, tmp_path):
    """A data directory of its own, with a secret key, a stray report and a file next to it outside."""
    data = tmp_path / "data"
    for folder in ("imports", "reports", "models/m1", "media/monitoring/letters", "media/evidence"):
        (data / folder).mkdir(parents=True)
    (data / "secret_key").write_text(SECRET)
    (data / "reports" / "other.csv").write_text(FOREIGN)
    (data / "media" / "evidence" / "contract.docx").write_text(FOREIGN)
    (tmp_path / "secret").write_text(SECRET)
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = str(data / "media")
    return data


def foreign_paths(data) -> list[str]:
    return ["/etc/passwd", str(data / "secret_key"), str(data / "reports" / "other.csv"),
            str(data / "imports" / ".." / "secret_key"), "../secret_key", "../../secret", "secret_key"]


def assert_not_served(body: bytes) -> None:
    assert SECRET.encode() not in body and FOREIGN.encode() not in body and b"root:" not in body


# --- the import problems file ---------------------------------------------------------------------

def problems_batch(errors_file: str) -> ImportBatch:
    return ImportBatch.objects.create(kind="invoices", file_name="a.csv", file_sha256="5" * 64, status="rejected",
                                      actor_name="x", error_count=1, errors_file=errors_file,
                                      errors=[{"row": 2, "column": "金额", "value": "=1+1", "message": "bad"}])


def problems_download(client, batch) -> bytes:
    response = client.get(reverse("import-problems", args=[batch.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("index", range(7))
def test_a_problems_file_stored_outside_the_imports_folder_is_never_served(data_dir, sign_in, index):
    batch = problems_batch(foreign_paths(data_dir)[index])
    body = problems_download(sign_in("finance"), batch)
    assert_not_served(body)
    assert "'=1+1" in body.decode("utf-8-sig")   # the kept problems instead


def test_a_symlink_in_the_imports_folder_leading_out_is_not_followed(data_dir, sign_in):
    link = data_dir / "imports" / "import-1-problems.csv"
    link.symlink_to(data_dir / "secret_key")
    body = problems_download(sign_in("finance"), problems_batch(str(link)))
    assert_not_served(body)


def test_the_importers_own_file_is_served_escaped(data_dir, sign_in):
    stored = data_dir / "imports" / "import-7-problems.csv"
    stored.write_text("row,column,value,problem\n2,金额,=2+2,bad\n3,金额,-12.50,negative\n", encoding="utf-8-sig")
    body = problems_download(sign_in("finance"), problems_batch(str(stored))).decode("utf-8-sig")
    assert "'=2+2" in body and '"-12.50"' in body and "'=1+1" not in body   # the file, not the kept problems


# --- the model report -----------------------------------------------------------------------------

@pytest.mark.parametrize("directory", ["/etc", "models/../reports", "../..", "media/monitoring/letters", "models/m2"])
def test_a_model_report_outside_the_models_folder_is_not_found(data_dir, sign_in, directory):
    (data_dir / "reports" / "report.html").write_text(FOREIGN)
    (data_dir / "media" / "monitoring" / "letters" / "report.html").write_text(FOREIGN)
    (data_dir / "models" / "m2").symlink_to(data_dir / "reports")
    model = ModelVersion.objects.create(use="customer_risk", kind="scorecard", version=1, directory=directory,
                                        data_sha256="0" * 64)
    assert sign_in("risk_manager").get(reverse("scoring-report", args=[model.pk])).status_code == 404


def test_a_model_report_inside_the_models_folder_is_served(data_dir, sign_in):
    (data_dir / "models" / "m1" / "report.html").write_text("<p>report</p>")
    model = ModelVersion.objects.create(use="customer_risk", kind="scorecard", version=1, directory="models/m1",
                                        data_sha256="0" * 64)
    response = sign_in("risk_manager").get(reverse("scoring-report", args=[model.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"<p>report</p>"


# --- the task's reminder letter -------------------------------------------------------------------

@pytest.fixture
def letter(data_dir, book, monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    make_invoice(book["customers"][2], "AR0006", "30000.00", days_overdue=65)
    run_cycle(as_of=AS_OF)
    return ActionItem.objects.filter(kind=ActionKind.REMINDER_LETTER).first()


def letter_status(client, item, document: str) -> int:
    ActionItem.objects.filter(pk=item.pk).update(document=document)
    return client.get(reverse("monitoring-action-document", args=[item.pk])).status_code


def test_a_letter_is_served_from_the_letters_folder_only(data_dir, letter, sign_in):
    client = sign_in("risk_manager")
    written = write_reminder_letter(letter)
    assert written.startswith(LETTER_DIR) and letter_status(client, letter, written) == 200
    link = data_dir / "media" / LETTER_DIR / "out.docx"
    link.symlink_to(data_dir / "secret_key")
    refused = ["/etc/passwd", str(data_dir / "secret_key"), "evidence/contract.docx", "../secret_key",
               f"{LETTER_DIR}/../../evidence/contract.docx", f"{LETTER_DIR}/out.docx", LETTER_DIR]
    assert [letter_status(client, letter, path) for path in refused] == [404] * len(refused)
