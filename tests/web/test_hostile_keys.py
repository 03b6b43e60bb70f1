"""Natural keys whatever their characters (issue 20, finding 3).

An outside probe imported a customer `K/10086` (a plausible ERP code): /customers/, /credit/ and
/credit/sales/ then answered 500 (NoReverseMatch) to everyone whose portfolio held it, and the customer
could not be opened on the web or the API. Here customers, invoices and credit-check references with "/",
"?", "#", "%", spaces, Chinese, full-width characters, "~", "\\" and dot-only codes are imported through
the real importer, the night is run so that they have alerts and worklist rows, and every page and the
API are opened for them by the manager and the two scoped personas.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.conftest import AS_OF
from tests.test_permission_matrix import project_urls

from fengkong.core import uscc
from fengkong.core.converters import escape_key, unescape_key
from fengkong.credit.actions.checks import run_check
from fengkong.customers.models import Customer
from fengkong.cycle.actions import run_cycle
from fengkong.integrations.importer import import_file
from fengkong.receivables.models import Invoice

CODES = ["K/10086", "K?20", "K#30", "K%2F50", "K 60 A", "重庆客户/七", "Ｋ／８＃", ".", "..", "K~7E", "K\\90",
         ".hidden", "K~2F"]
REGIONS = {"CQ": "500103", "SC": "510100"}
CUSTOMER_HEADER = "客户编码,客户名称,统一社会信用代码,行业,行政区划代码,状态"
INVOICE_HEADER = "单据编号,客户编码,单据日期,到期日,金额,未核销金额,币种"
# Pages that are not pages (signing out, switching language, a script file) or are only written to.
NOT_PAGES = {"logout", "set_language", "plotly-js"}


def portfolio_of(index: int) -> str:
    return "CQ" if index % 2 == 0 else "SC"


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture
def hostile_book(db, users, portfolios, tmp_path, settings):
    customers, invoices = [CUSTOMER_HEADER], [INVOICE_HEADER]
    for index, code in enumerate(CODES):
        region = REGIONS[portfolio_of(index)]
        credit = uscc.make("9", "1", region, f"{index + 1:08d}")
        customers.append(",".join([csv_cell(code), f"危险编码{index}有限公司", credit, "制造业", region, "正常"]))
        due = AS_OF - timedelta(days=45)
        for n, (amount, days) in enumerate([("50000.00", 45), ("8000.00", -10)]):
            due = AS_OF - timedelta(days=days)
            invoices.append(",".join([csv_cell(f"{code}/INV#{n}"), csv_cell(code), str(due - timedelta(days=30)),
                                      str(due), amount, amount, "CNY"]))
    (tmp_path / "customers.csv").write_text("\n".join(customers) + "\n", encoding="utf-8")
    (tmp_path / "invoices.csv").write_text("\n".join(invoices) + "\n", encoding="utf-8")
    with translation.override("en"):
        for kind in ("customers", "invoices"):
            batch = import_file(tmp_path / f"{kind}.csv", kind, actor=users["admin"])
            assert batch.status == "done" and not batch.errors, (kind, batch.errors[:3])
    assert set(Customer.objects.values_list("code", flat=True)) == set(CODES)
    run_cycle(as_of=AS_OF, actor=users["admin"])
    for customer in Customer.objects.all():
        run_check(actor=users["risk_manager"], customer=customer, amount="1000.00", currency="CNY",
                  reference=f"{customer.code}/SO#1")
    return {code: portfolio_of(index) for index, code in enumerate(CODES)}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_escape_round_trips_and_leaves_ordinary_codes_alone():
    for code in [*CODES, "C000001", "~", "~~", "~7", "/", "\\", "...", "a.", "~2e"]:
        assert unescape_key(escape_key(code)) == code
        assert "/" not in escape_key(code) and "\\" not in escape_key(code)
        assert escape_key(code) not in {".", ".."} and not escape_key(code).startswith(".")
    assert escape_key("C000001") == "C000001" and escape_key("重庆客户") == "重庆客户"
    assert unescape_key("K~zz") == "K~zz"  # a tilde that is not one of our codes stays as it is


def test_the_reference_may_hold_a_slash(hostile_book):
    assert Customer.objects.get(code="K/10086").credit_checks.get().reference == "K/10086/SO#1"


PERSONAS = {"risk_manager": {"CQ", "SC"}, "collector": {"CQ"}, "sales": {"SC"}}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_without_a_key_opens_for_a_book_of_hostile_codes(hostile_book, users, persona):
    client = signed_in(users[persona])
    routes = [url for url in project_urls() if "<" not in url.route and ":" not in url.name
              and url.name not in NOT_PAGES and not url.route.startswith(("admin/", "api/", "i18n/"))]
    assert len(routes) > 15
    failed = []
    for url in routes:
        response = client.get(reverse(url.name))
        if response.status_code >= 500:
            failed.append((url.name, response.status_code))
    assert not failed


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_hostile_customer_opens_on_the_web_in_the_portfolio_and_only_there(hostile_book, users, persona):
    client, sees = signed_in(users[persona]), PERSONAS[persona]
    for code, portfolio in hostile_book.items():
        response = client.get(reverse("customer-detail", args=[code]))
        if portfolio in sees:
            assert response.status_code == 200, (code, response.status_code)
            assert response.context["customer"].code == code
        else:
            assert response.status_code == 404, code
        check = client.get(reverse("credit-check", args=[f"{code}/SO#1"]))
        assert check.status_code == (200 if portfolio in sees else 404), (code, check.status_code)


def test_the_sales_and_credit_analyst_pages_of_a_hostile_customer(hostile_book, users):
    sales, analyst = signed_in(users["sales"]), signed_in(users["credit_analyst"])
    for code, portfolio in hostile_book.items():
        if portfolio == "SC":
            assert sales.get(reverse("credit-sales-customer", args=[code])).status_code == 200, code
        assert analyst.get(reverse("credit-propose", args=[code])).status_code == 200, code
    page = signed_in(users["risk_manager"]).get(reverse("customer-detail", args=["K/10086"])).content.decode()
    assert reverse("credit-propose", args=["K/10086"]) in page  # the page's own links escape the code too


def api_path(*parts: str) -> str:
    """What an API client writes: each key escaped (docs/api.md, Keys in paths), then percent-encoded."""
    return "/api/v1/" + "/".join(quote(escape_key(part), safe="") if i % 2 else part for i, part in enumerate(parts))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_for_each_hostile_key(hostile_book, users, persona):
    client, sees, refused = signed_in(users[persona]), PERSONAS[persona], set()
    for code, portfolio in hostile_book.items():
        status = 200 if portfolio in sees else 404
        detail = client.get(api_path("customers", code))
        assert detail.status_code == status, (code, detail.content[:200])
        assert api_path("customers", code) == reverse("api:customer_detail", args=[code])
        if status == 200:
            assert detail.json()["code"] == code
        for tail in ("invoices", "aging", "credit", "assessments", "standing"):
            response = client.get(api_path("customers", code) + "/" + tail)
            if response.status_code == 403:  # the role may not read this at all: so for every code alike
                refused.add(tail)
            else:
                assert response.status_code == status, (code, tail, response.content[:200])
        invoice = client.get(api_path("invoices", f"{code}/INV#0"))
        assert invoice.status_code == status, (code, invoice.content[:200])
        if status == 200:
            assert invoice.json()["number"] == f"{code}/INV#0"
        check = client.get(api_path("credit-checks", f"{code}/SO#1"))
        assert check.status_code == status, (code, check.content[:200])
    assert refused <= {"assessments"}
    if refused:
        assert not users[persona].has_perm("credit.view_assessment")  # the role, not the key


def test_a_hostile_customer_is_found_in_the_lists_and_linked_from_them(hostile_book, users):
    client = signed_in(users["risk_manager"])
    listing = client.get(reverse("customer-list")).content.decode()
    for code in CODES:
        assert reverse("customer-detail", args=[code]) in listing, code
    alerts = client.get("/api/v1/alerts", {"limit": 200}).json()
    assert {row["customer"] for row in alerts["items"]} >= set(CODES)
    assert Invoice.objects.filter(number="K/10086/INV#0").exists()
