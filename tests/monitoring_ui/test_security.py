"""Every monitoring page keeps the site's promises: nothing from another host, no inline script (charts
are JSON data blocks), the self-only Content-Security-Policy, and charts that plotly.js can draw."""

from __future__ import annotations

import re

import pytest

from fengkong.monitoring.models import ActionItem

from .conftest import alert_of

pytestmark = pytest.mark.django_db

URL_ATTR = re.compile(r'\b(?:src|href|action|hx-get|hx-post)\s*=\s*["\']([^"\']*)["\']', re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


@pytest.fixture
def rendered(monitored, sign_in):
    client = sign_in("risk_manager")
    alert = alert_of("C000002", kind="zone_danger")
    pages = ["/monitoring/", "/monitoring/alerts/", "/monitoring/alerts/?status=all&level=4",
             f"/monitoring/alerts/{alert.pk}/", "/monitoring/actions/?show=all", "/monitoring/stop-supply/?lifted=1",
             "/customers/C000002/"]
    assert ActionItem.objects.exists()
    return {url: client.get(url) for url in pages}


def test_monitoring_pages_answer(rendered):
    assert {url: r.status_code for url, r in rendered.items()} == {url: 200 for url in rendered}


def test_no_monitoring_page_refers_to_another_host(rendered):
    for url, response in rendered.items():
        for target in URL_ATTR.findall(response.content.decode()):
            assert not re.match(r"^(https?:)?//", target.strip(), re.I), f"{url} refers to {target}"


def test_no_monitoring_page_has_an_inline_script(rendered):
    for url, response in rendered.items():
        for attrs, body in SCRIPT.findall(response.content.decode()):
            is_data = 'type="application/json"' in attrs
            assert is_data or ("src=" in attrs and not body.strip()), f"inline script on {url}"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_charts_are_drawn_from_data_blocks_with_local_plotly(rendered):
    html = rendered["/monitoring/"].content.decode()
    for chart_id in ("aging-trend", "zone-money", "overdue-heatmap"):
        assert f'data-chart="{chart_id}"' in html and f'<script id="{chart_id}" type="application/json">' in html
    assert re.search(r'<script src="/vendor/plotly-[^"]+\.min\.js" defer>', html)


def test_forms_carry_the_csrf_token(rendered):
    for url in ("/monitoring/alerts/", f"/monitoring/alerts/{alert_of('C000002', kind='zone_danger').pk}/",
                "/monitoring/actions/?show=all", "/monitoring/stop-supply/?lifted=1"):
        html = rendered[url].content.decode()
        for form in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S):
            if "set_language" in form or "/i18n/" in form or "logout" in form:
                continue
            assert "csrfmiddlewaretoken" in form, f"a form on {url} has no CSRF token"
