"""GET /invoices and /invoices/{number}: filters, ordering, money as strings, allocations, scoping."""

from __future__ import annotations

import pytest
from api_helpers import numbers
from tests.conftest import AS_OF

from fengkong.receivables.models import CreditNote, Payment, PaymentAllocation

ON = {"as_of": AS_OF.isoformat()}


def test_finance_lists_every_invoice_by_due_date(book, users, as_):
    response = as_(users["finance"]).get("/invoices", **ON)
    assert response.status_code == 200
    assert numbers(response) == ["AR0005", "AR0003", "AR0002", "AR0004", "AR0001"]
    assert response.json()["count"] == 5


def test_money_is_a_string_with_two_decimals_and_dates_are_iso(book, users, as_):
    item = as_(users["finance"]).get("/invoices", customer="C000001", ordering="number", **ON).json()["items"][1]
    assert item["number"] == "AR0002"
    assert item["amount"] == "8000.00" and item["open_amount"] == "3000.00"
    assert item["due_date"] == "2026-10-14" and item["issue_date"] == "2026-09-14"
    assert item["days_overdue"] == 45 and item["customer"] == "C000001" and item["currency"] == "CNY"


def test_collector_sees_only_chongqing_invoices(book, users, as_):
    assert sorted(numbers(as_(users["collector"]).get("/invoices"))) == ["AR0001", "AR0002", "AR0003"]


def test_sales_sees_only_sichuan_invoices(book, users, as_):
    assert sorted(numbers(as_(users["sales"]).get("/invoices"))) == ["AR0004", "AR0005"]


def test_collector_filtering_by_another_portfolios_customer_gets_nothing(book, users, as_):
    assert as_(users["collector"]).get("/invoices", customer="C000003").json()["count"] == 0


def test_collector_cannot_open_another_portfolios_invoice(book, users, as_):
    assert as_(users["collector"]).get("/invoices/AR0004").status_code == 404
    assert as_(users["sales"]).get("/invoices/AR0004").status_code == 200


@pytest.mark.parametrize(("params", "expected"), [
    ({"open": "true"}, ["AR0001", "AR0002", "AR0003", "AR0004"]),
    ({"overdue": "true"}, ["AR0002", "AR0003", "AR0004"]),
    ({"overdue": "true", "as_of": "2026-10-01"}, ["AR0003"]),
    ({"due_from": "2026-10-01", "due_to": "2026-11-27"}, ["AR0002", "AR0004"]),
    ({"due_from": "2026-11-28"}, ["AR0001"]),
    ({"customer": "C000002"}, ["AR0003"]),
])
def test_invoice_filters(book, users, as_, params, expected):
    response = as_(users["risk_manager"]).get("/invoices", ordering="number", **{**ON, **params})
    assert numbers(response) == expected


@pytest.mark.parametrize(("ordering", "expected"), [
    ("-amount", ["AR0003", "AR0004", "AR0001", "AR0002", "AR0005"]),
    ("open_amount", ["AR0005", "AR0002", "AR0001", "AR0004", "AR0003"]),
    ("-due_date", ["AR0001", "AR0004", "AR0002", "AR0003", "AR0005"]),
    ("-customer", ["AR0004", "AR0005", "AR0003", "AR0001", "AR0002"]),
])
def test_invoice_ordering(book, users, as_, ordering, expected):
    assert numbers(as_(users["admin"]).get("/invoices", ordering=ordering)) == expected


@pytest.mark.parametrize(("params", "field"), [
    ({"ordering": "customer__portfolio__members"}, "ordering"),
    ({"ordering": "password"}, "ordering"),
    ({"as_of": "2026-13-01"}, "as_of"),
    ({"due_from": "yesterday"}, "due_from"),
    ({"limit": 1000}, "limit"),
    ({"open": "perhaps"}, "open"),
])
def test_bad_invoice_parameters_get_422_naming_the_field(book, users, as_, params, field):
    response = as_(users["admin"]).get("/invoices", **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_due_range_that_ends_before_it_starts_gets_422(book, users, as_):
    response = as_(users["admin"]).get("/invoices", due_from="2026-12-01", due_to="2026-11-01")
    assert response.status_code == 422
    assert "due_from" in response.json()["errors"][0]["message"]


def test_invoice_pages(book, users, as_):
    api = as_(users["admin"])
    pages = [numbers(api.get("/invoices", ordering="number", limit=2, offset=o)) for o in (0, 2, 4, 6)]
    assert pages == [["AR0001", "AR0002"], ["AR0003", "AR0004"], ["AR0005"], []]


def make_payment(invoice, number, amount, day):
    payment = Payment.objects.create(number=number, customer=invoice.customer, payment_date=day, amount=amount)
    return PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=amount)


def test_invoice_detail_shows_its_allocations_and_credit_notes(book, users, as_):
    invoice = book["invoices"][1]
    make_payment(invoice, "RC2", "3000.00", AS_OF.replace(day=20))
    make_payment(invoice, "RC1", "1500.00", AS_OF.replace(day=2))
    CreditNote.objects.create(number="CN1", customer=invoice.customer, issue_date=AS_OF, amount="500.00",
                              invoice=invoice, reason="质量折让")
    body = as_(users["collector"]).get("/invoices/AR0002", **ON).json()
    assert body["days_overdue"] == 45
    assert body["allocations"] == [{"payment": "RC1", "payment_date": "2026-11-02", "amount": "1500.00"},
                                   {"payment": "RC2", "payment_date": "2026-11-20", "amount": "3000.00"}]
    assert body["credit_notes"] == [{"number": "CN1", "issue_date": "2026-11-28", "amount": "500.00",
                                     "currency": "CNY", "reason": "质量折让"}]


def test_sales_sees_an_invoice_but_not_its_payments(book, users, as_):
    make_payment(book["invoices"][3], "RC9", "100.00", AS_OF)
    body = as_(users["sales"]).get("/invoices/AR0004").json()
    assert body["number"] == "AR0004"
    assert body["allocations"] is None and body["credit_notes"] is None


def test_unknown_invoice_is_404(book, users, as_):
    assert as_(users["admin"]).get("/invoices/AR9999").status_code == 404
