"""The collections API: a call-centre posts its calls, promises and disputes come in, cases are listed by priority,
bad input is a 422 naming the problem, another portfolio's customer is a 404, a case taken first is a 409."""

from __future__ import annotations

import pytest

from fengkong.collections.models import CollectionCase, Contact, Dispute, PromiseToPay

from .conftest import day, night

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def worked(ledger, clock):
    night(day(40))
    return ledger


def refused(answer, field: str) -> str:
    """The messages of a 422 about `field`."""
    assert answer.status_code == 422, answer.content
    return " ".join(e["message"] for e in answer.json()["errors"] if e["field"] == field)


def post(client, path, body):
    return client.post(f"/api/v1/collections/{path}", body, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")


def test_cases_are_listed_by_priority_within_the_portfolio(worked, sign_in):
    answer = sign_in("collector").get("/api/v1/collections/cases")
    assert answer.status_code == 200
    assert [c["customer"] for c in answer.json()["items"]] == ["C000201"]
    everyone = sign_in("risk_manager").get("/api/v1/collections/cases").json()
    assert [c["customer"] for c in everyone["items"]] == ["C000202", "C000201"]  # danger first at equal loss
    assert everyone["items"][1]["overdue_amount"] == "14000.00"


def test_a_call_centre_posts_a_call_once(worked, sign_in, cq):
    client = sign_in("collector")
    body = {"customer": cq.code, "channel": "phone", "outcome": "call_back", "duration_seconds": 95,
            "at": f"{day(40)}T10:15:00+08:00", "external_id": "CALL-0001"}
    answer = post(client, "contacts", body)
    assert answer.status_code == 201 and answer.json()["case"] == CollectionCase.objects.get(customer=cq).pk
    assert post(client, "contacts", body).status_code == 409
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(("body", "message"), [
    ({"outcome": "answered"}, "outcome"),
    ({"duration_seconds": -5}, "duration_seconds"),
    ({"at": "2099-01-01T10:00:00+08:00"}, "is in the future"),
])
def test_a_bad_contact_is_a_422_naming_the_problem(worked, sign_in, cq, body, message):
    answer = post(sign_in("collector"), "contacts", {"customer": cq.code, "channel": "phone", "outcome": "reached",
                                                     **body})
    assert answer.status_code == 422 and message in answer.content.decode()
    assert not Contact.objects.exists()


def test_another_portfolios_customer_is_not_found(worked, sign_in, sc):
    answer = post(sign_in("collector"), "contacts", {"customer": sc.code, "channel": "phone", "outcome": "reached"})
    assert answer.status_code == 404 and not Contact.objects.exists()
    case = CollectionCase.objects.get(customer=sc)
    assert sign_in("collector").get(f"/api/v1/collections/cases/{case.pk}").status_code == 404


def test_promises_in_and_their_refusals(worked, sign_in, cq):
    client = sign_in("collector")
    made = post(client, "promises", {"customer": cq.code, "amount": "3000.00", "due_date": str(day(44)),
                                     "invoices": ["CL-A2"]})
    assert made.status_code == 201 and made.json()["invoices"] == ["CL-A2"] and made.json()["state"] == "pending"
    past = post(client, "promises", {"customer": cq.code, "amount": "10.00", "due_date": str(day(39))})
    assert "in the past" in refused(past, "due_date")
    unknown = post(client, "promises", {"customer": cq.code, "amount": "10.00", "due_date": str(day(44)),
                                        "invoices": ["CL-B1"]})
    assert "has no invoice CL-B1" in refused(unknown, "invoices")
    assert PromiseToPay.objects.count() == 1
    listed = client.get("/api/v1/collections/promises?state=pending").json()
    assert [p["amount"] for p in listed["items"]] == ["3000.00"]


@pytest.mark.parametrize(("amount", "words"), [
    (1.7976931348623155e308, "less than 10^15"), ("1e3", "such as"), ("NaN", "such as"), (True, "such as"),
    ("1000000000000000", "less than 10^15"), (-1, "more than 0"), (0, "more than 0"), ("1.234", "two decimals"),
    (0.001, "two decimals"), ("一千", "such as"),
])
def test_an_amount_no_schema_allows_is_a_422_never_an_overflow(worked, sign_in, cq, amount, words):
    answer = post(sign_in("collector"), "promises", {"customer": cq.code, "amount": amount, "due_date": str(day(44))})
    assert words in refused(answer, "body.amount")
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize("path", ["promises", "plans", "bills"])
def test_an_invoice_number_with_a_nul_byte_is_a_422_naming_it(worked, sign_in, cq, path):
    answer = post(sign_in("risk_manager"), path, {"customer": cq.code, "amount": "10.00", "invoices": ["CL\x00A1"]})
    assert answer.status_code == 422, answer.content
    assert any(e["field"].startswith("body.invoices") and "control characters" in e["message"]
               for e in answer.json()["errors"])


def test_a_dispute_comes_in_and_its_owner_resolves_it(worked, sign_in, cq):
    made = post(sign_in("collector"), "disputes", {
        "customer": cq.code, "reason": "duplicate_billing", "team": "finance", "owner": "sales",
        "items": [{"invoice": "CL-A1", "amount": "2000.00"}]})
    assert made.status_code == 201 and made.json()["amount"] == "2000.00"
    too_much = post(sign_in("collector"), "disputes", {
        "customer": cq.code, "reason": "price", "team": "sales", "owner": "sales",
        "items": [{"invoice": "CL-A1", "amount": "8000.01"}]})
    assert "(8000.00)" in refused(too_much, "items")
    owner = sign_in("sales")
    mine = owner.get("/api/v1/collections/disputes?mine=true").json()
    assert [d["id"] for d in mine["items"]] == [made.json()["id"]]
    path = f"disputes/{made.json()['id']}/resolve"
    done = post(owner, path, {"resolution": "credit_note", "root_cause": "invoiced twice"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert post(owner, path, {"resolution": "credit_note", "root_cause": "again"}).status_code == 409
    assert Dispute.objects.get().resolution == "credit_note"


def test_a_case_somebody_owns_is_a_409_to_take(worked, sign_in, cq):
    case = CollectionCase.objects.get(customer=cq)
    answer = sign_in("risk_manager").post(f"/api/v1/collections/cases/{case.pk}/take")
    assert answer.status_code == 409 and "collector already owns this case" in answer.json()["detail"]
