"""A real browser (headless Chromium through Playwright) clicks through the UI as a risk manager:
sign in, customer list, live search, a customer page with its aging chart, English and back, and a
phone-sized screen with the folding menu. Screenshots go to screenshots/ (not committed).

The page must also run without a single browser console error, which is how a Content-Security-Policy
violation (an inline script, a resource from another host) would show up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fengkong.accounts.choices import Role

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "Correct-horse-9"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still
    # synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, **context_options):
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def test_a_risk_manager_clicks_through_the_ui_in_both_languages(live_book, users, book,
                                                                 browser):
    base = live_book.url
    page = open_page(browser, viewport={"width": 1366, "height": 900})
    sign_in(page, base, Role.RISK_MANAGER)
    page.wait_for_selector("#main .chart .main-svg")
    assert page.inner_text("[data-kpi=open]") == "85,000.00"
    page.screenshot(path=str(SHOTS / "overview-zh.png"), full_page=True)

    page.click("nav.menu >> text=客户")
    page.wait_for_url(f"{base}/customers/")
    assert page.locator("#customer-table tbody tr").count() == 3
    page.fill("#id_q", "锦江")
    page.wait_for_function("document.querySelectorAll('#customer-table tbody tr').length === 1")
    assert "q=" in page.url  # htmx pushed the search into the address bar
    page.screenshot(path=str(SHOTS / "customers-search-zh.png"), full_page=True)

    page.fill("#id_q", "")
    page.wait_for_function("document.querySelectorAll('#customer-table tbody tr').length === 3")
    page.click("text=重庆渝中精密机械有限公司")
    page.wait_for_url(f"{base}/customers/C000001/")
    page.wait_for_selector("[data-chart=aging-customer] .main-svg")
    assert page.inner_text("[data-exposure=receivables]") == "15,000.00"
    assert page.locator("#invoice-table tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "customer-zh.png"), full_page=True)

    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url == f"{base}/customers/C000001/"
    assert page.is_visible("text=Master data") and page.is_visible("text=Open invoices")
    page.wait_for_selector("[data-chart=aging-customer] .main-svg")
    page.screenshot(path=str(SHOTS / "customer-en.png"), full_page=True)

    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.is_visible("text=基本信息")
    assert page.errors == []


def test_on_a_phone_the_menu_folds_and_tables_become_cards(live_book, users, book, browser):
    base = live_book.url
    page = open_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                     has_touch=True)
    sign_in(page, base, Role.RISK_MANAGER)
    toggle = page.locator("[data-menu-toggle]")
    assert toggle.is_visible()
    assert not page.is_visible("nav.menu >> text=客户")
    page.screenshot(path=str(SHOTS / "phone-overview-zh.png"), full_page=True)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.is_visible("nav.menu >> text=客户")
    page.screenshot(path=str(SHOTS / "phone-menu-zh.png"))
    page.click("nav.menu >> text=客户")
    page.wait_for_url(f"{base}/customers/")
    header = page.locator("#customer-table thead").bounding_box()
    assert header["height"] <= 1  # the header row is hidden; each cell carries its label
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.goto(f"{base}/customers/C000001/")
    page.wait_for_selector("[data-chart=aging-customer] .main-svg")
    page.screenshot(path=str(SHOTS / "phone-customer-zh.png"), full_page=True)
    assert page.errors == []


def test_the_audit_trail_is_append_only_again_after_a_browser_test(flushable_audit_trail):
    """Transactional, so it runs after the browser tests above: their flush must not leave the triggers off."""
    from django.db import connection

    from fengkong.core.audit import record

    event = record(None, "test.event", "thing", 1)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
