"""The contract register: an analyst registers a customer's draft with its document, sees the missing
retention of title and the too-long payment term flagged against the grade, submits it; another person
approves it (maker-checker by value), and the approval records the flags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import make_customer, make_invoice, make_user
from tests.fixtures.contract_documents import scanned_pdf

from fengkong.contracts import actions
from fengkong.contracts.choices import ContractStatus
from fengkong.contracts.exceptions import (
    ApprovalLevel,
    ChecklistIncomplete,
    DocumentUnreadable,
    EvidenceMissing,
    OwnContract,
    WrongStatus,
)
from fengkong.contracts.models import Contract, ContractDocument
from fengkong.core.models import AuditEvent
from fengkong.credit.models import CreditProfile, Guarantee
from fengkong.engine.contracts.samples import chinese_contract

DRAFT = chinese_contract(missing=("retention_of_title",), payment_days=120).encode()


REGISTRATION = {"registration_status": "存续", "legal_representative": "王强", "registered_capital": "5000万元"}


@pytest.fixture
def customer(book):
    customer = book["customers"][0]
    CreditProfile.objects.create(customer=customer, grade="C", term_days=30)
    Guarantee.objects.create(customer=customer, kind="collateral", provider="渝北区厂房抵押", value=Decimal("2000000"),
                             eligible_percent=70, valid_from=date(2026, 1, 1))
    return customer


def complete_checklist(user, contract) -> None:
    for item in contract.checklist.all():
        actions.sign_off_item(actor=user, contract=contract, code=item.code, evidence=REGISTRATION,
                              note="查询无异常", attachment=SimpleUploadedFile("报告.pdf", b"%PDF-1.4 report"))


def register(users, customer, value="800000.00", number="HT-2026-001"):
    contract = actions.register_contract(actor=users["credit_analyst"], customer=customer, number=number,
                                         value=Decimal(value), payment_term_days=120)
    actions.upload_document(actor=users["credit_analyst"], contract=contract, data=DRAFT, filename="草稿.txt")
    return contract


@pytest.mark.django_db
def test_the_upload_is_flagged_against_the_customers_grade_and_audited(users, customer):
    contract = register(users, customer)
    document = contract.latest_document()
    assert (document.version, document.grade, document.term_days, document.policy_version) == (1, "C", 30, 1)
    codes = {(f["code"], f["clause"]) for f in document.flags}
    assert {("missing", "retention_of_title"), ("term_too_long", "payment_terms")} <= codes
    assert document.file.read() == DRAFT and len(document.sha256) == 64
    assert AuditEvent.objects.filter(action="contract.document_uploaded", object_id=str(contract.pk)).exists()


@pytest.mark.django_db
def test_nobody_approves_their_own_contract_and_the_approval_records_the_flags(users, customer):
    contract = register(users, customer)
    actions.submit_for_review(actor=users["credit_analyst"], contract=contract)
    with pytest.raises(ChecklistIncomplete):
        actions.approve_contract(actor=users["risk_manager"], contract=contract)
    complete_checklist(users["credit_analyst"], contract)
    with pytest.raises(PermissionDenied):
        actions.approve_contract(actor=users["credit_analyst"], contract=contract)   # no approval right
    maker = make_user("maker", "risk_manager", {g.name: g for g in users["risk_manager"].groups.all()})
    own = actions.register_contract(actor=maker, customer=customer, number="HT-OWN", value=Decimal(1))
    actions.upload_document(actor=maker, contract=own, data=DRAFT, filename="own.txt")
    actions.submit_for_review(actor=maker, contract=own)
    complete_checklist(maker, own)
    with pytest.raises(OwnContract):
        actions.approve_contract(actor=maker, contract=own)
    approved = actions.approve_contract(actor=users["risk_manager"], contract=contract, note="保留所有权条款已补充")
    assert approved.status == ContractStatus.APPROVED and approved.approved_by == users["risk_manager"]
    assert {f["code"] for f in approved.approved_flags} >= {"missing", "term_too_long"}
    event = AuditEvent.objects.get(action="contract.approved", object_id=str(contract.pk))
    assert event.after["document_version"] == 1 and event.after["flags"] == approved.approved_flags


@pytest.mark.django_db
def test_a_large_contract_needs_the_large_contract_level(users, customer):
    contract = register(users, customer, value="9000000.00", number="HT-BIG")
    actions.submit_for_review(actor=users["credit_analyst"], contract=contract)
    complete_checklist(users["credit_analyst"], contract)
    with pytest.raises(ApprovalLevel):
        actions.approve_contract(actor=users["legal_officer"], contract=contract)
    assert actions.approve_contract(actor=users["risk_manager"], contract=contract).status == ContractStatus.APPROVED


@pytest.mark.django_db
def test_steps_out_of_order_are_refused(users, customer):
    contract = actions.register_contract(actor=users["credit_analyst"], customer=customer, number="HT-X")
    with pytest.raises(WrongStatus):
        actions.submit_for_review(actor=users["credit_analyst"], contract=contract)   # no document yet
    with pytest.raises(WrongStatus):
        actions.approve_contract(actor=users["risk_manager"], contract=contract)      # not in review


@pytest.mark.django_db
def test_an_unreadable_document_stores_nothing(users, customer):
    contract = actions.register_contract(actor=users["credit_analyst"], customer=customer, number="HT-SCAN")
    with pytest.raises(DocumentUnreadable):
        actions.upload_document(actor=users["credit_analyst"], contract=contract, data=scanned_pdf(), filename="s.pdf")
    assert not ContractDocument.objects.exists()


@pytest.mark.django_db
def test_a_number_is_unique_per_customer_and_another_portfolio_is_out_of_reach(users, customer, portfolios):
    register(users, customer)
    with pytest.raises(ValidationError):
        actions.register_contract(actor=users["credit_analyst"], customer=customer, number="HT-2026-001")
    collector_customer = make_customer("C000009", "510100", portfolios["SC"])
    with pytest.raises(PermissionDenied):
        actions.register_contract(actor=users["collector"], customer=collector_customer, number="X")


@pytest.mark.django_db
def test_the_invoices_under_a_contract_are_those_with_its_number(users, customer):
    contract = register(users, customer)
    invoice = make_invoice(customer, "AR7001")
    invoice.contract_ref = contract.number
    invoice.save()
    assert list(contract.invoices()) == [invoice]


@pytest.mark.django_db
def test_the_contract_page_shows_the_document_and_its_flags_side_by_side(users, customer, sign_in):
    analyst = sign_in("credit_analyst")
    response = analyst.post("/contracts/new/", {
        "customer": customer.code, "number": "HT-WEB-1", "kind": "sales", "value": "800000", "currency": "CNY",
        "payment_term_days": "120", "document": SimpleUploadedFile("草稿.txt", DRAFT)}, HTTP_ACCEPT_LANGUAGE="en")
    contract = Contract.objects.get(number="HT-WEB-1")
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    page = analyst.get(f"/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The contract has no retention of title clause, which grade C requires." in page
    assert "The payment term is 120 days, longer than the 30 days grade C allows." in page
    assert 'data-clause="payment_terms"' in page and "<mark" in page
    assert analyst.post(f"/contracts/{contract.pk}/submit/").status_code == 302
    assert 'data-item="business_registration"' in analyst.get(f"/contracts/{contract.pk}/").content.decode()
    for item in contract.checklist.all():
        response = analyst.post(f"/contracts/{contract.pk}/checklist/{item.code}/", {
            **REGISTRATION, "note": "已核实", "attachment": SimpleUploadedFile("photos.pdf", b"%PDF-1.4 photos")})
        assert response.status_code == 302
    assert not contract.checklist.filter(signed_off_at__isnull=True).exists()
    assert analyst.post(f"/contracts/{contract.pk}/approve/").status_code == 403
    manager = sign_in("risk_manager")
    manager.post(f"/contracts/{contract.pk}/approve/", {"note": "ok"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED
    zh = manager.get(f"/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200 and f"/contracts/{contract.pk}/signed/" in zh.content.decode()
    assert analyst.post(f"/contracts/{contract.pk}/signed/", {"signed_on": "2026-12-01"}).status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED and contract.signed_on == date(2026, 12, 1)


@pytest.mark.django_db
def test_a_collector_of_another_portfolio_does_not_see_the_contract(users, customer, sign_in):
    contract = register(users, customer)
    assert sign_in("sales").get(f"/contracts/{contract.pk}/").status_code in (403, 404)
    listed = sign_in("credit_analyst").get("/contracts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert contract.number in listed


@pytest.mark.django_db
def test_the_checklist_follows_the_grade_and_the_value(users, customer, book):
    contract = register(users, customer)
    assert [i.code for i in contract.checklist.all()] == [
        "business_registration", "litigation_search", "dishonest_debtor_check", "site_visit",
        "financial_statements", "guarantees_in_place"]
    other = book["customers"][1]
    CreditProfile.objects.create(customer=other, grade="A", term_days=90)
    small = actions.register_contract(actor=users["credit_analyst"], customer=other, number="A-1", value=Decimal(1000))
    large = actions.register_contract(actor=users["credit_analyst"], customer=other, number="A-2",
                                      value=Decimal(6000000))
    assert [i.code for i in small.checklist.all()] == ["business_registration", "litigation_search",
                                                       "dishonest_debtor_check"]
    assert {"site_visit", "financial_statements"} <= {i.code for i in large.checklist.all()}


@pytest.mark.django_db
def test_an_item_is_signed_off_only_with_its_evidence(users, customer):
    contract = register(users, customer)
    analyst = users["credit_analyst"]
    with pytest.raises(EvidenceMissing):
        actions.sign_off_item(actor=analyst, contract=contract, code="business_registration", note="ok")
    with pytest.raises(EvidenceMissing):
        actions.sign_off_item(actor=analyst, contract=contract, code="site_visit", note="去过了")
    with pytest.raises(EvidenceMissing):
        actions.sign_off_item(actor=analyst, contract=contract, code="litigation_search")
    item = actions.sign_off_item(actor=analyst, contract=contract, code="business_registration", evidence=REGISTRATION)
    assert item.evidence["credit_code"] == customer.credit_code and item.signed_off_by == analyst
    Guarantee.objects.filter(customer=customer).update(kind="credit_guarantee")   # not enough for grade C
    with pytest.raises(EvidenceMissing):
        actions.sign_off_item(actor=analyst, contract=contract, code="guarantees_in_place", note="见担保")
    assert AuditEvent.objects.filter(action="contract.checklist_signed_off").count() == 1


@pytest.mark.django_db
def test_the_customer_page_lists_the_customers_contracts(users, customer, sign_in):
    contract = register(users, customer)
    page = sign_in("credit_analyst").get(f"/customers/{customer.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="customer-contracts"' in page and contract.number in page
    assert f"/contracts/new/?customer={customer.code}" in page
    collector = sign_in("collector").get(f"/customers/{customer.code}/").content.decode()
    assert 'id="customer-contracts"' not in collector   # collectors do not read contracts


@pytest.mark.django_db
def test_the_night_expires_contracts_past_their_end_date(users, customer):
    from fengkong.core.nightly import steps
    from fengkong.cycle.actions import run_cycle

    ended = register(users, customer, number="HT-OLD")
    running = register(users, customer, number="HT-NOW")
    Contract.objects.filter(pk=ended.pk).update(status=ContractStatus.SIGNED, ends_on=date(2025, 12, 31))
    Contract.objects.filter(pk=running.pk).update(status=ContractStatus.SIGNED, ends_on=date(2099, 12, 31))
    assert any(s.name == "contracts.expire" for s in steps())
    run = run_cycle(as_of=date(2026, 11, 30))
    assert run.counts["contracts_expired"] == 1
    assert Contract.objects.get(pk=ended.pk).status == ContractStatus.EXPIRED
    assert Contract.objects.get(pk=running.pk).status == ContractStatus.SIGNED
    assert actions.expire_contracts(actor=None, as_of=date(2026, 11, 30)) == 0   # a second run changes nothing
    assert AuditEvent.objects.filter(action="contract.expired", object_id=str(ended.pk)).count() == 1
