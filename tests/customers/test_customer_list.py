"""The customer list: search by code, name and credit code; filters; htmx partial; pagination; bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.customers.models import Customer

pytestmark = pytest.mark.django_db


def listed(client, **params) -> set[str]:
    html = client.get(reverse("customer-list"), params).content.decode()
    return {code for code in ("C000001", "C000002", "C000003") if f">{code}<" in html}


def test_search_by_name_finds_the_customer(book, sign_in):
    assert listed(sign_in(Role.RISK_MANAGER), q="锦江") == {"C000003"}


def test_search_by_code_is_case_insensitive(book, sign_in):
    assert listed(sign_in(Role.RISK_MANAGER), q="c000002") == {"C000002"}


def test_search_by_credit_code_finds_the_customer(book, sign_in):
    customer = Customer.objects.get(code="C000001")
    assert listed(sign_in(Role.RISK_MANAGER), q=customer.credit_code.lower()) == {"C000001"}


def test_filter_by_industry(book, sign_in):
    assert listed(sign_in(Role.RISK_MANAGER), industry="E") == {"C000002"}


def test_filter_by_province(book, sign_in):
    assert listed(sign_in(Role.RISK_MANAGER), province="51") == {"C000003"}
    assert listed(sign_in(Role.RISK_MANAGER), province="50") == {"C000001", "C000002"}


def test_filter_by_status(book, sign_in):
    Customer.objects.filter(code="C000002").update(status="suspended")
    assert listed(sign_in(Role.RISK_MANAGER), status="suspended") == {"C000002"}


def test_search_stays_inside_the_collectors_portfolio(book, sign_in):
    assert listed(sign_in(Role.COLLECTOR), q="有限公司") == {"C000001", "C000002"}
    assert listed(sign_in(Role.COLLECTOR), q="锦江") == set()


@pytest.mark.parametrize("params", [{"industry": "ZZ"}, {"province": "99"}, {"status": "nope"},
                                    {"page": "abc"}, {"page": "-3"}, {"q": "x" * 5000}, {"q": "%_\\'\""}])
def test_nonsense_filters_never_break_the_page(book, sign_in, params):
    assert sign_in(Role.RISK_MANAGER).get(reverse("customer-list"), params).status_code == 200


def test_htmx_search_returns_only_the_results_fragment(book, sign_in):
    response = sign_in(Role.RISK_MANAGER).get(reverse("customer-list"), {"q": "锦江"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "C000003" in html and "C000001" not in html
    assert "<html" not in html and 'id="customer-table"' in html


def test_the_list_is_paginated(portfolios, sign_in):
    Customer.objects.bulk_create(Customer(code=f"X{n:06d}", name=f"客户{n}", region="500103",
                                          portfolio=portfolios["CQ"]) for n in range(1, 61))
    client = sign_in(Role.RISK_MANAGER)
    first = client.get(reverse("customer-list")).content.decode()
    third = client.get(reverse("customer-list"), {"page": 3}).content.decode()
    assert "60 个客户" in first
    assert ">X000001<" in first and ">X000026<" not in first
    assert ">X000051<" in third and ">X000060<" in third


def test_open_receivables_column_adds_up_open_invoices(book, sign_in):
    html = sign_in(Role.RISK_MANAGER).get(reverse("customer-list"), {"q": "C000001"}).content.decode()
    assert "15,000.00" in html
