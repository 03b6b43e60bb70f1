"""A real browser (headless Chromium) on the monitoring pages: the dashboard's charts draw without a
console error (so nothing breaks the CSP), bulk acknowledge works through htmx, and a phone gets cards
instead of wide tables. Screenshots go to screenshots/ (not committed)."""

from __future__ import annotations

import pytest
from tests.web.test_browser import CHROMIUM, SHOTS, open_page, sign_in

from fengkong.monitoring.choices import AlertStatus
from fengkong.monitoring.models import Alert

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright
    from tests.web.test_browser import ARGS

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_a_risk_manager_reads_the_dashboard_and_acknowledges_alerts(live_book, monitored, browser):
    base = live_book.url
    page = open_page(browser, viewport={"width": 1366, "height": 900})
    sign_in(page, base, "risk_manager")
    page.goto(f"{base}/monitoring/")
    for chart in ("aging-trend", "zone-money", "overdue-heatmap"):
        page.wait_for_selector(f"[data-chart={chart}] .main-svg")
    page.screenshot(path=str(SHOTS / "monitoring-dashboard-zh.png"), full_page=True)

    page.goto(f"{base}/monitoring/alerts/")
    assert page.locator("#alert-table tbody tr").count() == 8
    page.select_option("#id_level", "4")
    page.wait_for_function("document.querySelectorAll('#alert-table tbody tr').length === 4")
    page.screenshot(path=str(SHOTS / "monitoring-alerts-zh.png"), full_page=True)
    boxes = page.locator("#alert-table input[name=alert]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("#bulk-acknowledge")
    page.wait_for_selector(".message.success")
    assert Alert.objects.filter(status=AlertStatus.ACKNOWLEDGED).count() == 2

    danger = Alert.objects.get(kind="zone_danger")
    page.goto(f"{base}/monitoring/alerts/{danger.pk}/")
    page.screenshot(path=str(SHOTS / "monitoring-alert-zh.png"), full_page=True)
    page.goto(f"{base}/customers/C000002/")
    page.wait_for_selector("[data-chart=aging-history-chart] .main-svg")
    assert page.is_visible("#stop-supply-banner")
    page.screenshot(path=str(SHOTS / "monitoring-customer-zh.png"), full_page=True)
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{base}/monitoring/")
    page.wait_for_selector("[data-chart=aging-trend] .main-svg")
    page.screenshot(path=str(SHOTS / "monitoring-dashboard-en.png"), full_page=True)
    assert page.errors == []


def test_on_a_phone_the_monitoring_pages_fit_the_screen(live_book, monitored, browser):
    base = live_book.url
    page = open_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                     has_touch=True)
    sign_in(page, base, "collector")
    for path, name in (("/monitoring/", "dashboard"), ("/monitoring/alerts/", "alerts"),
                       ("/monitoring/actions/?show=all", "actions"), ("/monitoring/stop-supply/", "stop-supply")):
        page.goto(f"{base}{path}")
        if name == "dashboard":
            page.wait_for_selector("[data-chart=aging-trend] .main-svg")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        page.screenshot(path=str(SHOTS / f"phone-monitoring-{name}-zh.png"), full_page=True)
    assert page.errors == []
