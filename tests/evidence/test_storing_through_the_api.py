"""Storing evidence through the API (POST /api/v1/evidence/items, multipart): the same intake as every other way
in, a customer or a subject the caller may see, a law firm's user on its firm's cases only, and every refusal a
4xx naming what is wrong, with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.conftest import make_invoice

from fengkong.collections.models import CollectionCase
from fengkong.core.models import AuditEvent
from fengkong.evidence.models import EvidenceFile, EvidenceItem, LedgerEntry
from fengkong.evidence.subjects import SUBJECT_TYPES, subject_names
from fengkong.legal import firms
from fengkong.legal.actions import Claim, open_case
from fengkong.legal.firms import FeeArrangement
from fengkong.legal.models import CaseDocument, LawFirm

from .conftest import EXE, PDF, PNG, zipped

pytestmark = pytest.mark.django_db
URL = "/api/v1/evidence/items"
CONTINGENCY = FeeArrangement("contingency", contingency_share=Decimal("15"))


def upload(client: Client, data: bytes = PDF, filename: str = "催款函.pdf", **fields):
    form = {"title": "催款函", "source": "letter", "shows": "the demand was sent", **fields}
    return client.post(URL, {"file": SimpleUploadedFile(filename, data), **form}, HTTP_ACCEPT_LANGUAGE="en")


def nothing_stored() -> bool:
    return (not EvidenceItem.objects.exists() and not LedgerEntry.objects.exists()
            and not AuditEvent.objects.filter(action="evidence.stored").exists())


def test_a_collector_stores_a_letter_on_a_customer_of_the_portfolio(customers, sign_in):
    invoice = make_invoice(customers["CQ"], "AR0001", amount="1000.00", days_overdue=40)
    answer = upload(sign_in("collector"), customer="C000001", invoice="AR0001", occurred_on="2026-11-30", pages="2")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    item = EvidenceItem.objects.get(pk=body["id"])
    assert (body["customer"], body["mime"], body["size"], body["ledger_seq"]) == ("C000001", "application/pdf",
                                                                                 len(PDF), 1)
    assert body["stored_by"] == "collector" and body["sha256"] == item.file.sha256 and body["pages"] == 2
    assert item.invoice == invoice and item.occurred_on == date(2026, 11, 30) and item.source == "letter"
    assert AuditEvent.objects.filter(action="evidence.stored", object_id=str(item.pk)).exists()


def test_a_duplicate_upload_is_stored_once_and_linked_twice(customers, sign_in):
    client = sign_in("collector")
    first = upload(client, customer="C000001").json()
    second = upload(client, filename="again.pdf", title="同一份函", customer="C000001").json()
    assert first["sha256"] == second["sha256"] and first["id"] != second["id"]
    assert EvidenceFile.objects.count() == 1 and EvidenceItem.objects.count() == 2
    assert list(LedgerEntry.objects.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.parametrize(("data", "filename", "reason"), [
    (b"", "empty.pdf", r"is empty (0 bytes)"),
    (EXE, "invoice.pdf", "Cannot tell from its content"),
    (PNG, "scan.pdf", "is named as application/pdf but its content is image/png"),
    (PDF, "photo.jpg", "is named as image/jpeg but its content is application/pdf"),
    (zipped({"chat.txt": b"0" * (5 * 1024 * 1024)}), "chat-export.zip", "refused as a possible zip bomb"),
], ids=["empty", "program", "png-named-pdf", "pdf-named-jpg", "zip-bomb"])
def test_a_hostile_file_is_refused_with_the_reason_and_nothing_is_stored(customers, sign_in, evidence_store, data,
                                                                        filename, reason):
    answer = upload(sign_in("collector"), data, filename, customer="C000001")
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert reason in body["detail"] and body["errors"][0]["field"] == "file" and body["errors"][0]["location"] == "form"
    assert nothing_stored() and not EvidenceFile.objects.exists()
    assert not evidence_store.exists() or not any(path.is_file() for path in evidence_store.rglob("*"))


@pytest.mark.parametrize("filename", ["../../etc/letter.pdf", "C:\\Users\\letter.pdf", "sub/letter.pdf",
                                      "letter\u202efdp.pdf"])
def test_a_path_or_a_control_character_in_the_name_never_reaches_the_store(customers, sign_in, filename):
    """Django's multipart parser keeps a file name's last part and its printable characters; the intake refuses
    what is left of a path (evidence.intake.clean_filename, tested in test_storing_evidence)."""
    answer = upload(sign_in("collector"), PDF, filename, customer="C000001")
    assert answer.status_code == 201, answer.content
    stored = EvidenceItem.objects.get().filename
    assert stored in {"letter.pdf", "letterfdp.pdf"} and not {"/", "\\", "\u202e"} & set(stored)


def test_a_file_over_the_limit_is_a_413(customers, sign_in, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    answer = upload(sign_in("collector"), PDF + b" " * 2000, customer="C000001")
    assert answer.status_code == 413 and "EVIDENCE_MAX_BYTES" in answer.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("persona", ["auditor", "finance", "sales", "risk_committee", "law_firm", "nobody"])
def test_a_role_that_does_not_store_evidence_is_refused(customers, sign_in, persona):
    customer = "C000003" if persona == "sales" else "C000001"  # the sales persona's own portfolio
    assert upload(sign_in(persona), customer=customer).status_code == 403
    assert nothing_stored()


def test_without_credentials_the_answer_is_401(customers):
    assert upload(Client(), customer="C000001").status_code == 401 and nothing_stored()


def test_a_customer_of_another_portfolio_is_not_found(customers, sign_in):
    answer = upload(sign_in("collector"), customer="C000003")
    assert answer.status_code == 404 and nothing_stored()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({}, "customer", "give the customer's code, or the subject"),
    ({"customer": "C000001", "invoice": "AR0009"}, "invoice", "customer C000001 has no invoice AR0009"),
    ({"customer": "C000001", "subject_type": "legal_case"}, "subject_id", "give subject_type and subject_id together"),
], ids=["no-customer", "invoice-of-another-customer", "half-a-subject"])
def test_what_the_evidence_is_about_must_be_said_and_hold_together(customers, sign_in, fields, field, message):
    make_invoice(customers["SC"], "AR0009", amount="500.00", days_overdue=10)  # Sichuan's, not C000001's
    answer = upload(sign_in("collector"), **fields)
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"] == [{"location": "form", "field": field, "message": answer.json()["detail"]}]
    assert message in answer.json()["detail"] and nothing_stored()


def test_an_unknown_subject_or_source_is_refused_by_the_schema(customers, sign_in):
    client = sign_in("collector")
    for fields in ({"subject_type": "supplier", "subject_id": "1"}, {"source": "rumour"}, {"title": "   "}):
        answer = upload(client, customer="C000001", **fields)
        assert answer.status_code == 422, fields
    assert nothing_stored()


def test_every_kind_the_schema_names_is_registered():
    assert subject_names() == sorted(SUBJECT_TYPES)


# --- on a subject: a collection case, a legal case -----------------------------------------------------

def test_a_collector_stores_a_recording_on_a_collection_case_of_the_portfolio(customers, sign_in):
    today = timezone.localdate()
    own = CollectionCase.objects.create(customer=customers["CQ"], opened_on=today, updated_on=today)
    other = CollectionCase.objects.create(customer=customers["SC"], opened_on=today, updated_on=today)
    client = sign_in("collector")
    answer = upload(client, subject_type="collection_case", subject_id=str(own.pk))
    assert answer.status_code == 201 and answer.json()["customer"] == "C000001"
    assert EvidenceItem.objects.get().subject == own
    assert upload(client, subject_type="collection_case", subject_id=str(other.pk)).status_code == 404
    assert upload(client, subject_type="collection_case", subject_id=str(own.pk),
                  customer="C000003").json()["errors"][0]["field"] == "customer"
    assert EvidenceItem.objects.count() == 1


@pytest.fixture
def cases(users, customers):
    """A Chongqing case engaged to the law_firm persona's firm, a Sichuan one engaged to another firm."""
    officer = users["legal_officer"]
    ours = open_case(actor=officer, customer=customers["CQ"], claim=Claim(Decimal("9000.00")))
    theirs = open_case(actor=officer, customer=customers["SC"], claim=Claim(Decimal("8000.00")))
    engaged_on = timezone.localdate() - timedelta(days=10)
    firms.engage_firm(actor=officer, firm=LawFirm.objects.get(members=users["law_firm"]), cases=[ours],
                      fees=CONTINGENCY, engaged_on=engaged_on)
    firms.engage_firm(actor=officer, firm=firms.register_firm(actor=officer, name="四川蜀都律师事务所"), cases=[theirs],
                      fees=CONTINGENCY, engaged_on=engaged_on)
    return {"ours": ours, "theirs": theirs}


def test_on_a_legal_case_the_file_becomes_the_case_document(cases, sign_in):
    answer = upload(sign_in("legal_officer"), subject_type="legal_case", subject_id=str(cases["theirs"].pk),
                    title="起诉状", source="court_document")
    assert answer.status_code == 201 and answer.json()["customer"] == "C000003"
    document = CaseDocument.objects.get(case=cases["theirs"])
    assert document.item.subject == cases["theirs"] and document.stage_record.stage == "opened"
    assert AuditEvent.objects.filter(action="legal_case.document_attached").count() == 1


def test_a_law_firm_user_stores_on_its_firm_case_only(cases, sign_in):
    client = sign_in("law_firm")
    ours = upload(client, subject_type="legal_case", subject_id=str(cases["ours"].pk), title="律师函")
    assert ours.status_code == 201 and ours.json()["stored_by"] == "law_firm"
    assert CaseDocument.objects.get().case == cases["ours"]
    assert upload(client, subject_type="legal_case", subject_id=str(cases["theirs"].pk)).status_code == 404
    assert upload(client, customer="C000001").status_code == 403  # on a bare customer: not a firm's work
    assert EvidenceItem.objects.count() == 1


def test_a_role_that_reads_legal_cases_but_does_not_work_them_is_refused_on_one(cases, sign_in):
    assert upload(sign_in("auditor"), subject_type="legal_case", subject_id=str(cases["ours"].pk)).status_code == 403
    # a collector does not read legal cases: the case is not found for them
    assert upload(sign_in("collector"), subject_type="legal_case", subject_id=str(cases["ours"].pk)).status_code == 404
    assert nothing_stored()
