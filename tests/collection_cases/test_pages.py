"""The collector's day on the pages: the worklist by priority, the case page, a contact in two taps, a promise,
a dispute; another portfolio's customer is not found; the dispute's owner answers it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import make_user

from fengkong.collections.models import Attachment, CollectionCase, Contact, Dispute, PromiseToPay
from fengkong.core.models import AuditEvent

from .conftest import day, night

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def worked(ledger, clock):
    night(day(40))
    return ledger


def test_the_worklist_states_its_order_and_lists_the_collectors_cases(worked, sign_in, users):
    page = sign_in("collector").get("/collections/", **EN)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ordered by priority: the largest expected loss first" in text
    assert "C000201" in text and "C000202" not in text  # Sichuan is another portfolio's
    manager = sign_in("risk_manager").get("/collections/?zone=3", **EN).content.decode()
    assert "C000202" in manager and "C000201" not in manager
    assert "collector: 1 open case, 1 due" in manager and "Nobody yet: 1 open case" in manager  # the workload


def test_the_worklist_orders_by_expected_loss_then_zone(worked, sign_in):
    CollectionCase.objects.filter(customer__code="C000201").update(expected_loss=Decimal("500.00"))
    text = sign_in("risk_manager").get("/collections/", **EN).content.decode()
    assert text.index("C000201") < text.index("C000202")
    CollectionCase.objects.filter(customer__code="C000201").update(expected_loss=Decimal("0.00"))
    text = sign_in("risk_manager").get("/collections/", **EN).content.decode()
    assert text.index("C000202") < text.index("C000201")  # same loss: the danger zone first


def test_a_contact_is_logged_in_two_taps_from_the_case_page(worked, sign_in, cq):
    client = sign_in("collector")
    case = CollectionCase.objects.get(customer=cq)
    page = client.get(f"/collections/cases/{case.pk}/", **EN)
    assert page.status_code == 200 and b'name="outcome" value="no_answer"' in page.content
    answer = client.post(f"/collections/customers/{cq.code}/contact/", {"channel": "phone", "outcome": "no_answer"})
    assert answer.status_code == 302 and answer["Location"] == f"/collections/cases/{case.pk}/"
    contact = Contact.objects.get()
    assert (contact.case, contact.channel, contact.outcome, contact.logged_by.username) == (
        case, "phone", "no_answer", "collector")
    assert AuditEvent.objects.filter(action="contact.logged").count() == 1


def test_a_contact_with_a_file_keeps_the_file_on_the_case(worked, sign_in, cq, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = sign_in("collector")
    upload = SimpleUploadedFile("通话录音.txt", b"recording", content_type="text/plain")
    client.post(f"/collections/customers/{cq.code}/contact/", {"channel": "phone", "outcome": "reached",
                                                               "attachment": upload})
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.size, attachment.contact) == ("通话录音.txt", 9, Contact.objects.get())
    download = client.get(f"/collections/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"recording"
    assert sign_in("sales").get(f"/collections/attachments/{attachment.pk}/").status_code == 403


def test_a_contact_in_the_future_is_refused_on_the_page(worked, sign_in, cq):
    answer = sign_in("collector").post(f"/collections/customers/{cq.code}/contact/", {
        "channel": "phone", "outcome": "reached", "at": "2099-01-01T10:00"}, **EN)
    assert answer.status_code == 400 and b"is in the future" in answer.content
    assert not Contact.objects.exists()


def test_a_contact_on_another_portfolios_customer_is_not_found(worked, sign_in, sc):
    answer = sign_in("collector").post(f"/collections/customers/{sc.code}/contact/",
                                       {"channel": "phone", "outcome": "reached"})
    assert answer.status_code == 404 and not Contact.objects.exists()
    case = CollectionCase.objects.get(customer=sc)
    assert sign_in("collector").get(f"/collections/cases/{case.pk}/").status_code == 404


def test_a_promise_and_a_dispute_from_the_case_page(worked, sign_in, cq, users):
    client = sign_in("collector")
    a1 = worked["a1"]
    answer = client.post(f"/collections/customers/{cq.code}/promise/", {"amount": "5000.00",
                                                                         "due_date": day(50).isoformat()})
    assert answer.status_code == 302 and PromiseToPay.objects.get().amount == Decimal("5000.00")
    too_much = client.post(f"/collections/customers/{cq.code}/promise/", {
        "amount": "99999.00", "due_date": day(50).isoformat(), "invoices": [str(a1.pk)]}, **EN)
    assert too_much.status_code == 400 and b"more than the named invoices owe (10000.00)" in too_much.content
    answer = client.post(f"/collections/customers/{cq.code}/dispute/", {
        "invoices": [str(a1.pk)], "amount": "1200.00", "reason": "price", "team": "sales",
        "owner": users["sales"].pk, "description": "the price list was old"})
    assert answer.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.reason, dispute.owner, dispute.total()) == ("price", users["sales"], Decimal("1200.00"))


def test_the_disputes_owner_sees_and_resolves_it_and_nobody_else_in_sales_does(worked, sign_in, cq, users, roles):
    sign_in("collector").post(f"/collections/customers/{cq.code}/dispute/", {
        "invoices": [str(worked["a2"].pk)], "reason": "quality", "team": "quality", "owner": users["sales"].pk})
    dispute = Dispute.objects.get()
    owner = sign_in("sales")
    assert b"C000201" in owner.get("/collections/disputes/?show=mine", **EN).content
    assert owner.get(f"/collections/disputes/{dispute.pk}/").status_code == 200
    other = make_user("sales-2", "sales", roles)
    colleague = Client()
    colleague.force_login(other)
    assert colleague.get(f"/collections/disputes/{dispute.pk}/").status_code == 404
    assert owner.get(f"/collections/cases/{dispute.case_id}/").status_code == 403  # sales do not work cases
    answer = owner.post(f"/collections/disputes/{dispute.pk}/resolve/", {
        "resolution": "credit_note", "root_cause": "a scratched batch", "note": "CN-1 to follow"})
    assert answer.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolution, dispute.resolved_by) == ("resolved", "credit_note", users["sales"])


def test_collectors_take_unowned_cases_and_managers_reassign(worked, sign_in, users, roles, portfolios, sc):
    sc_collector = make_user("sc-collector", "collector", roles, [portfolios["SC"]])
    client = Client()
    client.force_login(sc_collector)
    case = CollectionCase.objects.get(customer=sc)
    assert client.post(f"/collections/cases/{case.pk}/take/").status_code == 302
    assert CollectionCase.objects.get(pk=case.pk).owner == sc_collector
    assert sign_in("collector").post(f"/collections/cases/{case.pk}/take/").status_code == 404
    manager = sign_in("risk_manager")
    refused = manager.post(f"/collections/cases/{case.pk}/reassign/", {"owner": users["collector"].pk}, **EN)
    assert CollectionCase.objects.get(pk=case.pk).owner == sc_collector  # the CQ collector does not work Sichuan
    assert refused.status_code == 302
    cq_case = CollectionCase.objects.get(customer__code="C000201")
    second = make_user("cq-collector-2", "collector", roles, [portfolios["CQ"]])
    manager.post(f"/collections/cases/{cq_case.pk}/reassign/", {"owner": second.pk})
    assert CollectionCase.objects.get(pk=cq_case.pk).owner == second


def test_the_customer_page_links_to_the_case_and_offers_the_contact_form(worked, sign_in, cq):
    page = sign_in("collector").get(f"/customers/{cq.code}/", **EN)
    case = CollectionCase.objects.get(customer=cq)
    assert f"/collections/cases/{case.pk}/".encode() in page.content
    assert b'name="outcome" value="promised"' in page.content
