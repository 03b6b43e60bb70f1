"""A collector on a phone (375×812, headless Chromium) opens the cash forecast: the chart draws with the
locally served plotly, the invoices by expected loss are in order, nothing scrolls sideways and the console
stays clean (so the CSP let everything run). A risk manager on a desktop sees the model section of a customer."""

from __future__ import annotations

import pytest
from tests.credit.test_credit_browser import PHONE, browser, business_date, no_sideways_scroll  # noqa: F401
from tests.web.test_browser import CHROMIUM, SHOTS, open_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def scored_live(live_book, users, scored, split_backtest):
    return live_book


def test_a_collector_reads_the_cash_forecast_on_a_phone(scored_live, browser):  # noqa: F811
    base = scored_live.url
    page = open_page(browser, **PHONE)
    sign_in(page, base, "collector")
    page.goto(f"{base}/models/forecast/")
    page.wait_for_selector("#forecast .chart .main-svg")
    page.wait_for_selector("#backtest .chart .main-svg")
    rows = page.locator("#by-expected-loss tbody tr")
    assert rows.count() == 3                                     # the Chongqing invoices (AR0001–AR0003)
    assert "AR0003" in rows.nth(0).inner_text()
    no_sideways_scroll(page, "/models/forecast/")
    page.screenshot(path=str(SHOTS / "phone-cash-forecast-zh.png"), full_page=True)
    assert page.errors == []


def test_a_risk_manager_sees_model_reasons_beside_the_expert_grade(scored_live, browser, book):  # noqa: F811
    from fengkong.credit.models import CreditProfile

    for customer, grade in zip(book["customers"], "AAB", strict=True):
        CreditProfile.objects.update_or_create(customer=customer, defaults={"grade": grade})
    base = scored_live.url
    page = open_page(browser, viewport={"width": 1366, "height": 900})
    sign_in(page, base, "risk_manager")
    page.goto(f"{base}/customers/C000002/")
    assert page.is_visible("#model-disagreement")
    assert page.locator("#model-scores .model-score").count() == 2
    page.screenshot(path=str(SHOTS / "customer-model-scores-zh.png"), full_page=True)
    page.goto(f"{base}/models/")
    page.screenshot(path=str(SHOTS / "models-zh.png"), full_page=True)
    assert page.errors == []
