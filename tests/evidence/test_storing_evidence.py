"""Storing a file as evidence: kept once by its SHA-256, never overwritten, its type read from its bytes,
and what cannot be kept refused with the reason."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied

from fengkong.core.models import AuditEvent
from fengkong.evidence.actions import Description, mark_retention, store_evidence
from fengkong.evidence.exceptions import EvidenceRefused
from fengkong.evidence.intake import sniff
from fengkong.evidence.ledger import file_name
from fengkong.evidence.models import EvidenceFile, EvidenceItem, LedgerEntry

from .conftest import EXE, PDF, PNG, zipped

pytestmark = pytest.mark.django_db


def store(user, customer, data: bytes, filename: str = "letter.pdf", title: str = "催款函"):
    return store_evidence(actor=user, chunks=[data], filename=filename, customer=customer,
                          description=Description(title=title, source="letter", shows="demand sent"))


def test_a_file_is_stored_under_its_sha256_and_ledgered(users, customers, evidence_store):
    item = store(users["legal_officer"], customers["CQ"], PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    assert item.file.sha256 == digest and item.file.mime == "application/pdf" and item.file.size == len(PDF)
    assert (evidence_store / file_name(digest)).read_bytes() == PDF
    assert item.entry.seq == 1 and item.entry.content["sha256"] == digest
    assert AuditEvent.objects.filter(action="evidence.stored", object_id=str(item.pk)).exists()


def test_a_duplicate_upload_is_stored_once_and_linked_twice(users, customers):
    first = store(users["legal_officer"], customers["CQ"], PDF)
    second = store(users["collector"], customers["CQ"], PDF, filename="again.pdf", title="同一份函")
    assert first.file_id == second.file_id and EvidenceFile.objects.count() == 1
    assert EvidenceItem.objects.count() == 2 and list(LedgerEntry.objects.values_list("seq", flat=True)) == [1, 2]
    assert LedgerEntry.objects.get(seq=2).prev_hash == LedgerEntry.objects.get(seq=1).hash


def test_a_stored_file_is_never_overwritten_nor_deleted(users, customers, evidence_store):
    item = store(users["legal_officer"], customers["CQ"], PDF)
    with pytest.raises(PermissionError):
        item.delete()
    with pytest.raises(PermissionError):
        EvidenceFile.objects.get().delete()
    item.title = "changed"
    with pytest.raises(PermissionError):
        item.save()
    marked = mark_retention(actor=users["legal_officer"], item=item, note="retention rule: 10 years after closing")
    assert marked.retention_marked_at and EvidenceItem.objects.get().title == "催款函"


@pytest.mark.parametrize(("data", "filename", "reason"), [
    (b"", "empty.pdf", r"is empty \(0 bytes\)"),
    (PDF, "../../etc/passwd.pdf", "contains a path"),
    (PDF, "C:\\Users\\letter.pdf", "contains a path"),
    (PDF, "sub/letter.pdf", "contains a path"),
    (PDF, "invoice\u202efdp.pdf", "contains control characters"),
    (EXE, "invoice.pdf", "Cannot tell from its content"),
    (PNG, "scan.pdf", "is named as application/pdf but its content is image/png"),
    (PDF, "photo.jpg", "is named as image/jpeg but its content is application/pdf"),
    (b"\x00\x01\x02\x03" * 100, "recording.amr", "Cannot tell from its content"),
])
def test_what_cannot_be_kept_is_refused_with_the_reason(users, customers, data, filename, reason):
    with pytest.raises(EvidenceRefused, match=reason):
        store(users["legal_officer"], customers["CQ"], data, filename=filename)
    assert not EvidenceItem.objects.exists() and not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.stored").exists()


def test_a_file_over_the_size_limit_is_refused_while_it_is_read(users, customers, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    read = []

    def chunks():
        for _n in range(100):
            read.append(1)
            yield b"a" * 100

    with pytest.raises(EvidenceRefused, match="larger than the limit of 1,000 bytes"):
        store_evidence(actor=users["legal_officer"], chunks=chunks(), filename="notes.txt",
                       customer=customers["CQ"], description=Description(title="notes"))
    assert len(read) == 11  # stopped at the first chunk past the limit


def test_a_zip_bomb_is_refused(users, customers, settings):
    bomb = zipped({"chat.txt": b"0" * (5 * 1024 * 1024)})
    with pytest.raises(EvidenceRefused, match="zip bomb"):
        store(users["legal_officer"], customers["CQ"], bomb, filename="chat-export.zip")
    settings.EVIDENCE_MAX_RATIO = 10**9
    settings.EVIDENCE_MAX_UNPACKED_BYTES = 1024 * 1024
    with pytest.raises(EvidenceRefused, match="unpacks to more than 1,048,576 bytes"):
        store(users["legal_officer"], customers["CQ"], bomb, filename="chat-export.zip")


def test_a_nested_zip_bomb_is_refused(users, customers, settings):
    settings.EVIDENCE_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    inner = zipped({f"{n}.txt": b"1" * 300_000 for n in range(10)})
    outer = zipped({f"layer{n}.zip": inner for n in range(3)})
    with pytest.raises(EvidenceRefused, match="zip bomb"):
        store(users["legal_officer"], customers["CQ"], outer, filename="export.zip")


def test_an_ordinary_archive_and_office_file_are_kept(users, customers):
    chat = store(users["legal_officer"], customers["CQ"], zipped({"chat.txt": "客户承诺月底付款".encode() * 20}),
                 filename="wechat.zip", title="微信聊天记录")
    assert chat.file.mime == "application/zip"
    mail = store(users["legal_officer"], customers["CQ"], b"From: a@b.cn\r\nSubject: pay\r\n\r\nbody",
                 filename="mail.eml", title="邮件")
    assert mail.file.mime == "message/rfc822"


def test_a_collector_cannot_store_evidence_of_another_portfolio(users, customers, evidence_store):
    with pytest.raises(PermissionDenied):
        store(users["collector"], customers["SC"], PDF)
    with pytest.raises(PermissionDenied):
        store(users["sales"], customers["SC"], PDF)
    assert not EvidenceItem.objects.exists() and not evidence_store.exists()


def test_sniffing_reads_the_bytes_not_the_name():
    assert sniff(PDF) == "application/pdf"
    assert sniff(PNG) == "image/png"
    assert sniff("催款通知\n".encode("gb18030")) == "text/plain"
    assert sniff(EXE) == "application/x-msdownload"
    assert sniff(io.BytesIO(b"\x00\xff" * 10).read()) is None
