"""The monitoring dashboard: figures from the scoped snapshots, charts as JSON data, no leaks."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from fengkong.monitoring.models import CustomerSnapshot

pytestmark = pytest.mark.django_db
URL = "/monitoring/"


def chart(response, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert match, f"no chart data block {chart_id}"
    return json.loads(match.group(1))


@pytest.mark.parametrize("persona", ["risk_manager", "credit_analyst", "collector", "legal_officer",
                                     "industry_analyst", "finance", "auditor", "admin", "sales"])
def test_dashboard_opens_for_every_monitoring_role(monitored, sign_in, persona):
    response = sign_in(persona).get(URL)
    assert response.status_code == 200
    assert "应收账款监控" in response.content.decode()


def test_dashboard_is_forbidden_without_a_role(monitored, sign_in):
    assert sign_in("nobody").get(URL).status_code == 403


def test_dashboard_sends_anonymous_visitors_to_sign_in(monitored, client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_aging_trend_is_a_stacked_bar_over_both_snapshot_dates(monitored, sign_in):
    figure = chart(sign_in("risk_manager").get(URL), "aging-trend")
    assert figure["layout"]["barmode"] == "stack"
    assert len(figure["data"]) == 7
    assert figure["data"][0]["x"] == ["2026-11-21", "2026-11-28"]
    day_totals = [sum(trace["y"][i] for trace in figure["data"]) for i in range(2)]
    assert day_totals == [115000.0, 115000.0]


def test_a_collector_sees_figures_of_their_own_portfolio_only(monitored, sign_in):
    response = sign_in("collector").get(URL)
    body = response.content.decode()
    figure = chart(response, "aging-trend")
    # Chongqing: C000001 15,000 open + C000002 50,000 open; Sichuan's 50,000 is not counted
    assert [sum(trace["y"][i] for trace in figure["data"]) for i in range(2)] == [65000.0, 65000.0]
    assert "C000003" not in body and "成都锦江电子有限公司" not in body
    assert 'data-total="open">65,000.00' in body


def test_money_by_zone_uses_the_articles_colours(monitored, sign_in):
    figure = chart(sign_in("risk_manager").get(URL), "zone-money")
    assert figure["data"][0]["marker"]["color"] == ["#2e7d32", "#f9a825", "#ef6c00", "#c62828"]
    # normal: nothing overdue 30+ … danger: C000002's 50,000
    assert figure["data"][0]["x"] == [0.0, 15000.0, 50000.0, 50000.0]


def test_the_heat_map_crosses_provinces_and_industries(monitored, sign_in):
    figure = chart(sign_in("risk_manager").get(URL), "overdue-heatmap")
    trace = figure["data"][0]
    assert trace["type"] == "heatmap"
    assert set(trace["y"]) == {"重庆市", "四川省"}
    assert "制造业" in trace["x"]


def test_new_alerts_are_counted_by_level_for_the_last_week_and_month(monitored, sign_in):
    body = sign_in("risk_manager").get(URL).content.decode()
    assert 'data-level-month="4">4<' in body  # danger: C000002 entered, plus three escalations


def test_top_overdue_customers_come_from_the_latest_snapshot(monitored, sign_in):
    body = sign_in("risk_manager").get(URL).content.decode()
    table = body.split('id="top-overdue"')[1].split("</table>")[0]
    assert table.index("C000002") < table.index("C000003") < table.index("C000001")


def test_the_last_cycle_shows_book_counts_only_to_those_who_see_the_book(monitored, sign_in):
    assert "已产生预警" in sign_in("risk_manager").get(URL).content.decode()
    collector = sign_in("collector").get(URL).content.decode()
    assert 'id="last-run"' in collector
    assert "已产生预警" not in collector and "Alerts raised" not in collector


def test_without_any_cycle_the_dashboard_says_so(book, users, sign_in):
    assert not CustomerSnapshot.objects.exists()
    response = sign_in("risk_manager").get(URL)
    assert response.status_code == 200
    assert "run-cycle" in response.content.decode()
