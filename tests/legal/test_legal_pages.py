"""The legal pages: the worklist by amount at risk, the case page with its timeline and its evidence tab
(checked against the ledger), and the steps taken from the page."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.evidence.conftest import PDF

from fengkong.evidence.ledger import file_name
from fengkong.legal.actions import Claim, open_case
from fengkong.legal.models import LegalCase

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def cases(users, debtor, portfolios):
    from tests.conftest import make_customer

    other = make_customer("C000003", "510104", portfolios["SC"], name="成都锦江电子有限公司")
    officer = users["legal_officer"]
    small = open_case(actor=officer, customer=other, claim=Claim(Decimal("1000.00")))
    large = open_case(actor=officer, customer=debtor, claim=Claim(Decimal("150000.00"), Decimal("2000.00")))
    return small, large


def test_the_worklist_puts_the_largest_amount_at_risk_first(cases, sign_in):
    page = sign_in("legal_officer").get("/legal/", **EN).content.decode()
    small, large = cases
    assert page.index(large.number) < page.index(small.number) and "152,000.00" in page


def test_a_case_moves_and_keeps_a_document_from_its_page(cases, sign_in, evidence_store):
    client, case = sign_in("legal_officer"), cases[1]
    moved = client.post(f"/legal/{case.pk}/move/", {"stage": "demand_letter", "sent_on": "2026-11-01", "note": "律师函"})
    assert moved.status_code == 302 and LegalCase.objects.get(pk=case.pk).stage == "demand_letter"
    client.post(f"/legal/{case.pk}/documents/", {"file": SimpleUploadedFile("律师函.pdf", PDF), "title": "律师函",
                                                 "source": "letter"})
    page = client.get(f"/legal/{case.pk}/", **EN).content.decode()
    assert "Demand letter" in page and "律师函" in page and "Verified: every file" in page
    path = evidence_store / file_name(case.documents.get().item.file.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(b"%PDF-1.4 forged")
    page = client.get(f"/legal/{case.pk}/", **EN).content.decode()
    assert "Not intact" in page and "changed on disk" in page


def test_an_illegal_move_from_the_page_is_refused_with_the_reason(cases, sign_in):
    client, case = sign_in("legal_officer"), cases[1]
    answer = client.post(f"/legal/{case.pk}/move/", {"stage": "judgment", "judgment_on": "2026-11-01",
                                                      "served_on": "2026-11-02"}, follow=True, **EN)
    assert "a judgment comes after litigation" in answer.content.decode()
    assert LegalCase.objects.get(pk=case.pk).stage == "opened"


def test_the_api_refuses_an_illegal_move_with_409_and_bad_details_with_422(cases, sign_in):
    client, case = sign_in("legal_officer"), cases[1]
    refused = client.post(f"/api/v1/legal/cases/{case.pk}/move", {"stage": "appeal", "details": {"filed_on": "2026-11-01"}},
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and "cannot move" in refused.json()["detail"]
    invalid = client.post(f"/api/v1/legal/cases/{case.pk}/move", {"stage": "demand_letter", "details": {"sent_on": 5.5}},
                          content_type="application/json")
    assert invalid.status_code == 422 and "sent_on" in invalid.json()["detail"]
