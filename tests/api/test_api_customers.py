"""GET /customers and /customers/{code}: search, filters, pagination, exposure and portfolio scoping."""

from __future__ import annotations

import pytest
from api_helpers import codes
from tests.conftest import AS_OF, make_customer

from fengkong.customers.models import Contact, CustomerGroup
from fengkong.receivables.models import SalesOrder

ALL = ["C000001", "C000002", "C000003"]


def test_credit_analyst_sees_the_whole_book(book, users, as_):
    response = as_(users["credit_analyst"]).get("/customers")
    assert response.status_code == 200
    body = response.json()
    assert codes(response) == ALL
    assert body["count"] == 3 and body["limit"] == 50 and body["offset"] == 0
    first = body["items"][0]
    assert first["name"] == "重庆渝中精密机械有限公司"
    assert first["portfolio"] == "CQ" and first["region"] == "500103" and first["industry"] == "C"
    assert len(first["credit_code"]) == 18
    assert "重庆渝中精密机械有限公司".encode() in response.content  # UTF-8, not \\u escapes


def test_collector_sees_only_chongqing_customers(book, users, as_):
    response = as_(users["collector"]).get("/customers")
    assert codes(response) == ["C000001", "C000002"]
    assert response.json()["count"] == 2


def test_sales_sees_only_sichuan_customers(book, users, as_):
    assert codes(as_(users["sales"]).get("/customers")) == ["C000003"]


def test_collector_cannot_see_another_portfolios_customer(book, users, as_):
    response = as_(users["collector"]).get("/customers/C000003")
    assert response.status_code == 404
    assert "C000003" in response.json()["detail"]


def test_sales_cannot_list_invoices_of_another_portfolios_customer(book, users, as_):
    assert as_(users["sales"]).get("/customers/C000001/invoices").status_code == 404


def test_filtering_by_another_portfolio_does_not_widen_the_scope(book, users, as_):
    response = as_(users["collector"]).get("/customers", portfolio="SC")
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "锦江"}, ["C000003"]),
    ({"q": "c000002"}, ["C000002"]),
    ({"q": "91500103"}, ["C000001"]),
    ({"industry": "e"}, ["C000002"]),
    ({"region": "50"}, ["C000001", "C000002"]),
    ({"region": "5101"}, ["C000003"]),
    ({"portfolio": "SC"}, ["C000003"]),
    ({"status": "suspended"}, []),
    ({"q": "no such customer"}, []),
])
def test_customer_search_and_filters(book, users, as_, params, expected):
    assert codes(as_(users["risk_manager"]).get("/customers", **params)) == expected


def test_customer_list_pages_with_limit_and_offset(book, users, as_):
    api = as_(users["auditor"])
    first = api.get("/customers", limit=2)
    second = api.get("/customers", limit=2, offset=2)
    assert codes(first) == ["C000001", "C000002"] and codes(second) == ["C000003"]
    assert first.json()["count"] == second.json()["count"] == 3


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"limit": -1}, {"offset": -5},
                                    {"limit": "ten"}, {"status": "bankrupt"}, {"region": "Chongqing"},
                                    {"region": "5001011"}, {"offset": 10**40}])
def test_bad_customer_list_parameters_get_422_naming_the_field(book, users, as_, params):
    response = as_(users["admin"]).get("/customers", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert [e["field"] for e in body["errors"]] == list(params)


def test_largest_allowed_page_is_accepted(book, users, as_):
    assert as_(users["admin"]).get("/customers", limit=500).json()["limit"] == 500


def test_customer_detail_shows_master_data_contacts_group_and_exposure(book, users, as_):
    customer = book["customers"][0]
    customer.group = CustomerGroup.objects.create(code="G01", name="渝中集团")
    customer.salesperson = "王芳"
    customer.save()
    Contact.objects.create(customer=customer, name="李会计", phone="023-6000000", is_primary=True)
    SalesOrder.objects.create(number="SO1", customer=customer, order_date=AS_OF, amount="5000.00",
                              open_amount="4000.50")
    response = as_(users["collector"]).get("/customers/C000001", as_of=AS_OF.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert body["group"] == "G01" and body["group_detail"] == {"code": "G01", "name": "渝中集团"}
    assert body["portfolio_detail"] == {"code": "CQ", "name": "重庆", "kind": "region"}
    assert body["salesperson"] == "王芳"
    assert [c["name"] for c in body["contacts"]] == ["李会计"]
    assert body["as_of"] == "2026-11-28"
    # AR0001 12000.00 not yet due, AR0002 3000.00 open and 45 days overdue.
    assert body["exposure"] == [{"currency": "CNY", "open_receivables": "15000.00", "open_orders": "4000.50",
                                 "total": "19000.50", "overdue": "3000.00", "open_invoices": 2}]


def test_exposure_is_given_per_currency_never_added_across(book, users, as_):
    from tests.conftest import make_invoice

    invoice = make_invoice(book["customers"][2], "USD1", "100.00", days_overdue=1)
    invoice.currency = "USD"
    invoice.save()
    body = as_(users["finance"]).get("/customers/C000003", as_of=AS_OF.isoformat()).json()
    assert [(e["currency"], e["open_receivables"], e["overdue"]) for e in body["exposure"]] == [
        ("CNY", "20000.00", "20000.00"), ("USD", "100.00", "100.00")]


def test_customer_without_open_items_has_no_exposure_rows(portfolios, users, as_):
    make_customer("C000009", "500101", portfolios["CQ"])
    assert as_(users["admin"]).get("/customers/C000009").json()["exposure"] == []


def test_unknown_customer_is_404(book, users, as_):
    assert as_(users["admin"]).get("/customers/NOPE").status_code == 404


def test_customer_invoices_lists_only_that_customers_invoices(book, users, as_):
    response = as_(users["collector"]).get("/customers/C000001/invoices")
    assert [i["number"] for i in response.json()["items"]] == ["AR0002", "AR0001"]
