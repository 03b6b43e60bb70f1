"""A salesperson on a phone (375×812, headless Chromium): find a customer, read grade, available credit
and the stop-supply flag, and report a risk. No console error (so nothing broke the CSP), and no page
scrolls sideways. Screenshots go to screenshots/ (not committed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import AS_OF, make_invoice
from tests.credit.web_fixtures import graded
from tests.web.test_browser import ARGS, CHROMIUM, SHOTS, open_page, sign_in

from fengkong.credit.models import RiskFeedback
from fengkong.monitoring.models import StopSupply
from fengkong.notifications.models import InboxMessage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone_book(live_book, book, users):
    cq1, _cq2, sc1 = book["customers"]
    graded(sc1, "B", "30000.00", "70.00")
    graded(cq1, "B", "50000.00", "72.50", owner=users["risk_manager"], history=3)
    make_invoice(sc1, "AR0009", "4000.00", days_overdue=95)
    StopSupply.objects.create(customer=sc1, since=AS_OF - timedelta(days=5), reason="danger zone")
    return live_book


def no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{where} scrolls sideways on a phone ({width}px)"


def test_a_salesperson_looks_up_a_customer_and_reports_a_risk_on_a_phone(phone_book, browser):
    base = phone_book.url
    page = open_page(browser, **PHONE)
    sign_in(page, base, "sales")
    page.click("[data-menu-toggle]")
    page.click("nav.menu a[href='/credit/sales/']")
    page.wait_for_url(f"{base}/credit/sales/")
    no_sideways_scroll(page, "/credit/sales/")
    page.fill("#id_q", "锦江")
    page.wait_for_function("location.search.includes('q=')")  # htmx pushed the live search
    assert page.locator("#sales-cards li").count() == 1
    page.screenshot(path=str(SHOTS / "phone-credit-sales-search-zh.png"), full_page=True)

    page.click("[data-customer=C000003]")
    page.wait_for_url(f"{base}/credit/sales/C000003/")
    assert page.inner_text("#sales-grade") == "B"
    # stop-supply is a knock-out: 30,000 - (20,000 + 4,000) would leave 6,000, but nothing is available
    assert page.inner_text("#sales-available").startswith("0.00")
    assert page.is_visible("#stop-supply")
    assert page.inner_text("#sales-zone")
    no_sideways_scroll(page, "/credit/sales/C000003/")
    page.screenshot(path=str(SHOTS / "phone-credit-sales-card-zh.png"), full_page=True)

    page.select_option("#id_category", "operations")
    page.fill("#id_text", "仓库门口堆满退货，工人说已两周没发工资")
    page.click("#feedback-submit")
    page.wait_for_selector(".message.success")
    feedback = RiskFeedback.objects.get()
    assert feedback.customer.code == "C000003" and feedback.author.username == "sales"
    assert InboxMessage.objects.filter(template="risk_feedback", user__username="credit_analyst").exists()
    page.screenshot(path=str(SHOTS / "phone-credit-sales-reported-zh.png"), full_page=True)
    assert page.errors == []


def test_an_analyst_reads_the_credit_profile_and_overview_with_charts(phone_book, browser):
    base = phone_book.url
    page = open_page(browser, **PHONE)
    sign_in(page, base, "credit_analyst")
    page.goto(f"{base}/customers/C000001/")
    page.wait_for_selector("[data-chart=credit-dimensions] .main-svg")
    page.wait_for_selector("[data-chart=credit-score-history] .main-svg")
    page.screenshot(path=str(SHOTS / "phone-credit-profile-zh.png"), full_page=True)
    page.goto(f"{base}/credit/")
    page.wait_for_selector("[data-chart=credit-grades] .main-svg")
    no_sideways_scroll(page, "/credit/")
    page.screenshot(path=str(SHOTS / "phone-credit-overview-zh.png"), full_page=True)
    assert page.errors == []
