"""The customer page shows the stop-supply banner, the aging history and the alert history."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def page(client, code: str) -> str:
    response = client.get(f"/customers/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_danger_zone_customer_shows_the_stop_supply_banner(monitored, sign_in):
    body = page(sign_in("collector"), "C000002")
    assert 'id="stop-supply-banner"' in body
    assert 'id="stop-supply-banner"' not in page(sign_in("collector"), "C000001")


def test_the_aging_history_is_a_stacked_chart_of_the_customers_snapshots(monitored, sign_in):
    body = page(sign_in("risk_manager"), "C000002")
    data = re.search(r'<script id="aging-history-chart" type="application/json">(.*?)</script>', body, re.S)
    figure = json.loads(data.group(1))
    assert figure["layout"]["barmode"] == "stack"
    assert figure["data"][0]["x"] == ["2026-11-21", "2026-11-28"]
    assert figure["data"][3]["y"] == [50000.0, 0.0] and figure["data"][4]["y"] == [0.0, 50000.0]


def test_the_alert_history_lists_the_customers_alerts(monitored, sign_in):
    body = page(sign_in("collector"), "C000002")
    history = body.split('id="alert-history"')[1].split("</section>")[0]
    assert history.count("/monitoring/alerts/") == 3  # warning, danger, escalation


def test_sales_see_the_history_of_their_own_customer(monitored, sign_in):
    body = page(sign_in("sales"), "C000003")
    assert 'id="aging-history"' in body and 'id="alert-history"' in body
    assert sign_in("sales").get("/customers/C000002/").status_code == 404


def test_before_any_cycle_the_page_says_there_is_no_history(book, users, sign_in):
    body = page(sign_in("risk_manager"), "C000001")
    assert 'id="aging-history"' in body and 'data-chart="aging-history-chart"' not in body
