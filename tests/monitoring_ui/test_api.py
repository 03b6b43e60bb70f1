"""The monitoring API: aging (book, grouped, history), alerts and their actions, stop-supply; scoping,
422 on bad parameters, and never a 500 whatever a client sends."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from fengkong.core.models import AuditEvent
from fengkong.monitoring.choices import AlertStatus

from .conftest import alert_of

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user=None):
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json")


@pytest.fixture
def api(users):
    return lambda persona: Api(users[persona])


def test_book_aging_gives_bucket_sums_as_strings(monitored, api):
    body = api("risk_manager").get("/aging").json()
    assert body["as_of"] == "2026-11-28" and body["group"] == "book"
    assert [b["label"] for b in body["buckets"]][0] in {"未到期", "Not yet due"}
    assert body["total"]["buckets"] == ["12000.00", "20000.00", "3000.00", "30000.00", "50000.00", "0.00", "0.00"]
    assert body["total"]["open_amount"] == "115000.00" and body["total"]["customers"] == 3


def test_aging_by_portfolio_region_industry_and_customer(monitored, api):
    client = api("risk_manager")
    portfolios = {r["key"]: r["open_amount"] for r in client.get("/aging", group="portfolio").json()["items"]}
    assert portfolios == {"CQ": "65000.00", "SC": "50000.00"}
    regions = {r["key"]: r["label"] for r in client.get("/aging", group="region").json()["items"]}
    assert set(regions) == {"50", "51"}
    industries = {r["key"] for r in client.get("/aging", group="industry").json()["items"]}
    assert industries == {"C", "E"}
    customers = client.get("/aging", group="customer", limit=2).json()
    assert customers["count"] == 3 and [r["key"] for r in customers["items"]] == ["C000002", "C000003"]
    assert customers["items"][0]["zone"] == 3


def test_a_collectors_aging_covers_their_portfolio_only(monitored, api):
    client = api("collector")
    assert client.get("/aging").json()["total"]["open_amount"] == "65000.00"
    keys = [r["key"] for r in client.get("/aging", group="customer").json()["items"]]
    assert sorted(keys) == ["C000001", "C000002"]
    assert [r["key"] for r in client.get("/aging", group="portfolio").json()["items"]] == ["CQ"]


def test_aging_of_a_day_without_a_cycle_is_404_and_a_bad_group_422(monitored, api):
    client = api("risk_manager")
    assert client.get("/aging", as_of="2026-11-27").status_code == 404
    assert client.get("/aging", as_of="2026-11-21").json()["total"]["open_amount"] == "115000.00"
    assert client.get("/aging", group="planet").status_code == 422
    assert client.get("/aging", as_of="yesterday").status_code == 422


def test_customer_aging_history_is_oldest_first_and_scoped(monitored, api):
    body = api("risk_manager").get("/customers/C000002/aging").json()
    assert [s["as_of"] for s in body["items"]] == ["2026-11-21", "2026-11-28"]
    assert [s["zone"] for s in body["items"]] == [2, 3]
    assert body["items"][1]["buckets"][4] == "50000.00"
    assert api("sales").get("/customers/C000002/aging").status_code == 404
    assert api("collector").get("/customers/C000003/aging").status_code == 404
    assert api("risk_manager").get("/customers/C000002/aging", date_from="2026-11-28",
                                   date_to="2026-11-01").status_code == 422


def test_alert_list_filters_and_scoping(monitored, api):
    everything = api("risk_manager").get("/alerts", status="all").json()
    assert everything["count"] == 8
    danger = api("risk_manager").get("/alerts", level=4, kind="zone_danger").json()["items"]
    assert [a["customer"] for a in danger] == ["C000002"]
    assert api("risk_manager").get("/alerts", portfolio="SC", status="all").json()["count"] == 3
    mine = api("collector").get("/alerts", status="all").json()
    assert {a["customer"] for a in mine["items"]} == {"C000001", "C000002"}
    sales = api("sales").get("/alerts", status="all").json()
    assert {a["customer"] for a in sales["items"]} == {"C000003"}


def test_one_alert_with_its_tasks_and_out_of_scope_is_404(monitored, api):
    danger = alert_of("C000002", kind="zone_danger")
    body = api("collector").get(f"/alerts/{danger.pk}").json()
    assert body["details"]["amount"] == "50000.00"
    assert [t["kind"] for t in body["action_items"]] == ["legal_referral"]
    sichuan = alert_of("C000003", kind="zone_warning")
    assert api("collector").get(f"/alerts/{sichuan.pk}").status_code == 404
    assert api("risk_manager").get("/alerts/999999").status_code == 404
    assert api("risk_manager").get("/alerts/abc").status_code == 422
    assert api("sales").get(f"/alerts/{sichuan.pk}").json()["action_items"] is None


def test_acknowledge_then_again_is_409(monitored, api):
    alert = alert_of("C000001", kind="zone_attention")
    response = api("collector").post(f"/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged" and response.json()["acknowledged_by"] == "collector"
    assert api("collector").post(f"/alerts/{alert.pk}/acknowledge").status_code == 409
    assert AuditEvent.objects.filter(action="alert.acknowledged", object_id=str(alert.pk)).count() == 1


def test_acknowledge_is_forbidden_to_auditors_and_404_out_of_scope(monitored, api):
    alert = alert_of("C000003", kind="zone_warning")
    assert api("auditor").post(f"/alerts/{alert.pk}/acknowledge").status_code == 403
    assert api("sales").post(f"/alerts/{alert.pk}/acknowledge").status_code == 403
    assert api("collector").post(f"/alerts/{alert.pk}/acknowledge").status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_resolve_needs_a_note(monitored, api):
    alert = alert_of("C000001", kind="zone_attention")
    client = api("collector")
    assert client.post(f"/alerts/{alert.pk}/resolve", {}).status_code == 422
    assert client.post(f"/alerts/{alert.pk}/resolve", {"note": "   "}).status_code == 422
    assert client.post(f"/alerts/{alert.pk}/resolve", {"note": "a\x00b"}).status_code == 422
    response = client.post(f"/alerts/{alert.pk}/resolve", {"note": "客户已付清 3,000 元"})
    assert response.status_code == 200 and response.json()["resolution"] == "客户已付清 3,000 元"
    assert client.post(f"/alerts/{alert.pk}/resolve", {"note": "again"}).status_code == 409


def test_stop_supply_list_is_scoped(monitored, api):
    assert [f["customer"] for f in api("risk_manager").get("/stop-supply").json()["items"]] == ["C000002"]
    assert api("collector").get("/stop-supply").json()["count"] == 1
    assert api("sales").get("/stop-supply").json()["count"] == 0  # Sichuan sales: the flag is in Chongqing
    assert api("nobody").get("/stop-supply").status_code == 403


def test_without_credentials_everything_is_401(monitored):
    client = Api()
    for path in ("/aging", "/alerts", "/stop-supply", "/customers/C000001/aging"):
        assert client.get(path).status_code == 401
    assert client.post("/alerts/1/acknowledge").status_code == 401


HOSTILE = ["x" * 5000, "' OR 1=1 --", "%", "_", "\\", "客户\u200b", "😀" * 30, "\x00", "a\x00b", "\x1b[31m",
           "<script>alert(1)</script>", "../../etc/passwd", "NULL", "\r\n", "-1", "99999999999999999999999", "1e9"]


HOSTILE_PARAMETERS = [
    ("/aging", "group"), ("/aging", "as_of"), ("/aging", "limit"), ("/alerts", "status"), ("/alerts", "level"),
    ("/alerts", "kind"), ("/alerts", "customer"), ("/alerts", "q"), ("/alerts", "portfolio"),
    ("/alerts", "date_from"), ("/alerts", "offset"), ("/stop-supply", "customer"), ("/stop-supply", "active"),
    ("/customers/C000001/aging", "date_to"),
]
HOSTILE_PATH_VALUES = ["0", "-5", "abc", "99999999999999999999999", "1.5", "%00", "😀", "9223372036854775808"]


def test_hostile_parameters_never_500(monitored, api, subtests):
    """Every hostile text in every parameter, on one monitored book (its two cycles are the cost here), each
    a subtest of its own."""
    client = api("risk_manager")
    for path, param in HOSTILE_PARAMETERS:
        for text in HOSTILE:
            with subtests.test(path=path, param=param, text=text[:40]):
                response = client.get(path, **{param: text})
                assert response.status_code in {200, 404, 422}, response.content[:300]
                assert response.json()


def test_hostile_path_values_never_500(monitored, api, subtests):
    client = api("risk_manager")
    for template in ["/alerts/{}", "/customers/{}/aging"]:
        for text in HOSTILE_PATH_VALUES:
            with subtests.test(template=template, text=text):
                response = client.get(template.format(quote(text, safe="")))
                assert response.status_code in {404, 422}, response.content[:300]


@pytest.mark.parametrize("body", [{"note": "x" * 5000}, {"note": None}, {"note": 5}, {"notes": "x"}, [], "x"])
def test_hostile_resolve_bodies_never_500(monitored, api, body):
    alert = alert_of("C000001", kind="zone_attention")
    response = api("risk_manager").client.post(f"/api/v1/alerts/{alert.pk}/resolve", body,
                                               content_type="application/json")
    assert response.status_code in {400, 422}, response.content[:300]
