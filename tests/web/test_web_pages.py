"""Every page renders for the roles allowed to see it, refuses the others, and shows only the
customers of the user's portfolios."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.integrations.models import ImportBatch

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
SEE_CUSTOMERS = [r for r in ALL_ROLES if r != Role.LAW_FIRM]  # an outside firm sees only its cases (docs/legal.md)
SEE_IMPORTS = [Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.FINANCE, Role.AUDITOR]
RUN_IMPORTS = [Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.FINANCE]


@pytest.fixture
def batch(users):
    return ImportBatch.objects.create(kind="invoices", file_name="应收.csv", file_sha256="0" * 64,
                                      status="done", user=users["finance"], actor_name="finance",
                                      rows_total=3, rows_valid=3, rows_created=3)


def pages(batch) -> dict[str, tuple[str, list[str]]]:
    """page -> (url, personas allowed)"""
    return {
        "home": (reverse("home"), ALL_ROLES + ["nobody"]),
        "customer list": (reverse("customer-list"), SEE_CUSTOMERS),
        "customer page": (reverse("customer-detail", args=["C000001"]),
                          [r for r in SEE_CUSTOMERS if r != Role.SALES]),
        "import history": (reverse("import-list"), SEE_IMPORTS),
        "import page": (reverse("import-detail", args=[batch.pk]), SEE_IMPORTS),
        "import status": (reverse("import-progress", args=[batch.pk]), SEE_IMPORTS),
        "import problems": (reverse("import-problems", args=[batch.pk]), SEE_IMPORTS),
        "upload": (reverse("import-upload"), RUN_IMPORTS),
    }


@pytest.mark.parametrize("page", ["home", "customer list", "customer page", "import history", "import page",
                                  "import status", "import problems", "upload"])
def test_every_page_answers_each_persona_as_its_role_allows(page, batch, book, sign_in):
    url, allowed = pages(batch)[page]
    for persona in [*ALL_ROLES, "nobody"]:
        response = sign_in(persona).get(url)
        # sales works Sichuan, so the Chongqing customer page is "not found" for them, not "forbidden"
        expected = 200 if persona in allowed else (404 if page == "customer page" and persona == Role.SALES
                                                   else 403)
        assert response.status_code == expected, f"{persona} on {page}: {response.status_code}"


@pytest.mark.parametrize("name, args", [("home", []), ("customer-list", []), ("customer-detail", ["C000001"]),
                                        ("import-list", []), ("import-upload", [])])
def test_anonymous_visitors_are_sent_to_the_login_page(name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_forbidden_page_is_friendly_and_in_the_layout(book, sign_in):
    response = sign_in(Role.COLLECTOR).get(reverse("import-list"))
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.content.decode()
    assert 'class="topbar"' in response.content.decode()


def test_collector_sees_only_chongqing_customers(book, sign_in):
    html = sign_in(Role.COLLECTOR).get(reverse("customer-list")).content.decode()
    assert "C000001" in html and "C000002" in html
    assert "C000003" not in html


def test_sales_sees_only_sichuan_customers(book, sign_in):
    html = sign_in(Role.SALES).get(reverse("customer-list")).content.decode()
    assert "C000003" in html
    assert "C000001" not in html and "C000002" not in html


def test_customer_of_another_portfolio_is_not_found_like_a_missing_one(book, sign_in):
    collector = sign_in(Role.COLLECTOR)
    assert collector.get(reverse("customer-detail", args=["C000003"])).status_code == 404
    assert collector.get(reverse("customer-detail", args=["NO-SUCH"])).status_code == 404


def test_home_totals_cover_only_the_visible_book(book, sign_in):
    html = sign_in(Role.COLLECTOR).get(reverse("home")).content.decode()
    # Chongqing: 12,000 not yet due + 3,000 open at 45 days + 50,000 at 95 days
    assert re.search(r'data-kpi="customers">2<', html)
    assert 'data-kpi="open">65,000.00<' in html
    assert 'data-kpi="overdue">53,000.00<' in html


def test_home_totals_of_the_whole_book_for_a_risk_manager(book, sign_in):
    html = sign_in(Role.RISK_MANAGER).get(reverse("home")).content.decode()
    assert 'data-kpi="customers">3<' in html
    assert 'data-kpi="open">85,000.00<' in html  # the fully paid Sichuan invoice is not open
    assert 'data-kpi="overdue">73,000.00<' in html


def test_customer_page_shows_exposure_open_invoices_and_days_overdue(book, sign_in):
    html = sign_in(Role.CREDIT_ANALYST).get(reverse("customer-detail", args=["C000001"])).content.decode()
    assert "重庆渝中精密机械有限公司" in html
    assert 'data-exposure="receivables">15,000.00<' in html
    assert 'data-exposure="overdue">3,000.00<' in html
    assert "AR0001" in html and "AR0002" in html
    assert re.search(r'data-label="[^"]+">45</td>', html)
    assert 'id="aging-customer" type="application/json"' in html


def test_customer_page_hides_payments_from_sales(book, sign_in):
    html = sign_in(Role.SALES).get(reverse("customer-detail", args=["C000003"])).content.decode()
    assert "AR0004" in html
    assert "最近收款" not in html  # "Recent payments": sales lacks receivables.view_payment


def test_aging_table_counts_invoices_even_when_they_share_a_due_date(book, sign_in):
    from fengkong.receivables.models import Invoice

    original = Invoice.objects.get(number="AR0003")
    Invoice.objects.create(number="AR0003B", customer=original.customer, issue_date=original.issue_date,
                           due_date=original.due_date, amount=Decimal("1000.00"), open_amount=Decimal("1000.00"))
    html = sign_in(Role.RISK_MANAGER).get(reverse("customer-detail", args=["C000002"])).content.decode()
    row = re.search(r"<tr><td[^>]*>91–180 天</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", html)
    assert row.groups() == ("51,000.00", "2")
