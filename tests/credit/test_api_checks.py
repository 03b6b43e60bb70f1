"""POST /api/v1/credit-checks and the order's later life, through HTTP: answers, hostile input, scoping."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import make_invoice

from fengkong.accounts.actions import create_token
from fengkong.credit.choices import CheckStatus
from fengkong.credit.models import CreditCheck, CreditProfile
from fengkong.receivables.models import FxRate

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client: Client, headers: dict | None = None):
        self.client, self.headers = client, headers or {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data=None, raw: str | None = None):
        body = raw if raw is not None else json.dumps(data or {})
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)


@pytest.fixture
def as_(users):
    def signed_in(persona: str) -> Api:
        client = Client()
        client.force_login(users[persona])
        return Api(client)
    return signed_in


@pytest.fixture
def world(book):
    today = timezone.localdate()
    cq1, cq2, sc1 = book["customers"]
    for customer in (cq1, sc1):
        CreditProfile.objects.create(customer=customer, limit=Decimal("200000.00"), grade="A",
                                     next_review=today + timedelta(days=90))
    return {"cq": cq1, "sc": sc1}


def order(reference="SO-1", customer="C000003", amount="1000.00", currency="CNY"):
    return {"customer": customer, "amount": amount, "currency": currency, "reference": reference}


def test_an_approved_order_is_201_with_its_figures(world, as_):
    response = as_("sales").post("/credit-checks", order(amount="50000.00"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["decision"] == "approve" and body["status"] == "reserved" and body["reasons"] == []
    assert body["customer"] == "C000003"
    assert body["limit"] == "200000.00"
    assert body["exposure_before"] == "20000.00"  # the open invoice AR0004
    assert body["reserved_amount"] == "50000.00" and body["available_after"] == "130000.00"
    assert body["requested_by"] == "sales"


def test_a_replay_is_200_with_the_first_answer(world, as_):
    first = as_("sales").post("/credit-checks", order(amount="1000.00"))
    again = as_("sales").post("/credit-checks", order(amount=1000))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CreditCheck.objects.count() == 1


def test_a_replay_with_different_content_is_409(world, as_):
    as_("sales").post("/credit-checks", order(amount="1000.00"))
    response = as_("sales").post("/credit-checks", order(amount="1000.50"))
    assert response.status_code == 409 and "replayed reference SO-1" in response.json()["detail"]


def test_a_held_order_names_its_reasons_in_the_request_language(world, as_):
    make_invoice(world["sc"], "AR-OLD", "1000.00", days_overdue=400)
    response = as_("sales").post("/credit-checks", order(amount="300000.00"))
    body = response.json()
    assert body["decision"] == "hold" and body["status"] == "held"
    assert [r["code"] for r in body["reasons"]] == ["over_limit", "overdue"]
    over = body["reasons"][0]
    assert over["figures"]["available"] == "179000.00" and "179,000.00" in over["message"]
    zh = Client(headers={"Accept-Language": "zh-hans"})
    zh.force_login(world["sc"].portfolio.members.get(username="sales"))
    detail = Api(zh).get("/credit-checks/SO-1")
    assert detail.status_code == 200 and detail.json()["reasons"][0]["code"] == "over_limit"


def test_an_order_in_a_currency_without_a_rate_is_409_naming_it(world, as_):
    response = as_("sales").post("/credit-checks", order(currency="USD"))
    assert response.status_code == 409 and "USD" in response.json()["detail"]
    assert not CreditCheck.objects.exists()


def test_an_order_in_another_currency_shows_what_it_holds_of_the_limit(world, as_):
    FxRate.objects.create(date=timezone.localdate(), currency="USD", rate=Decimal("7"))
    body = as_("sales").post("/credit-checks", order(currency="usd", amount="100.00")).json()
    assert (body["currency"], body["amount"], body["fx_rate"], body["functional_amount"]) == (
        "USD", "100.00", "7.00000000", "700.00")
    assert body["reserved_amount"] == "700.00"


@pytest.mark.parametrize(("payload", "field"), [
    (order(customer="NOPE"), "customer"),
    (order(customer="C000001"), "customer"),  # another portfolio: as unknown
    (order(amount="-1"), "amount"), (order(amount="0"), "amount"), (order(amount=0), "amount"),
    (order(amount="NaN"), "amount"), (order(amount="1e30"), "amount"), (order(amount="12.345"), "amount"),
    (order(amount="一千"), "amount"), (order(amount=1e300), "amount"), (order(amount=0.001), "amount"),
    (order(currency="XYZ"), "currency"), (order(currency="$"), "currency"), (order(currency=""), "currency"),
    (order(reference=""), "reference"), (order(reference="R" * 81), "reference"),
    (order(reference="a\x00b"), "reference"), (order(reference="a\x7fb"), "reference"),
])
def test_bad_input_is_422_naming_the_field(world, as_, payload, field):
    response = as_("sales").post("/credit-checks", payload)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize("raw", ['{"customer": "C000003", "amount": NaN, "reference": "x"}',
                                 '{"customer": "C000003", "amount": Infinity, "reference": "x"}',
                                 '{"customer": "C000003", "amount": true, "reference": "x"}',
                                 '{"customer": "C000003", "amount": null, "reference": "x"}',
                                 '{"customer": "C000003", "reference": "x"}',
                                 '{"customer": 3, "amount": "1", "reference": "x"}',
                                 '[]', 'not json', '{"customer": "C000003", "amount": 1e999, "reference": "x"}'])
def test_malformed_bodies_are_4xx_never_500(world, as_, raw):
    response = as_("sales").post("/credit-checks", raw=raw)
    assert response.status_code in {400, 422}, response.content
    assert not CreditCheck.objects.exists()


def test_a_role_without_the_permission_gets_403(world, as_):
    for persona in ("collector", "auditor", "finance", "nobody"):
        response = as_(persona).post("/credit-checks", order(customer="C000001"))
        assert response.status_code == 403, persona


def test_anonymous_gets_401(world):
    assert Api(Client()).post("/credit-checks", order()).status_code == 401


def test_a_bearer_token_can_check(world, users):
    _token, key = create_token(actor="cli:tests", user=users["sales"], name="ERP")
    response = Api(Client(), {"Authorization": f"Bearer {key}"}).post("/credit-checks", order())
    assert response.status_code == 201


def test_sales_sees_only_checks_of_their_portfolio(world, as_):
    as_("risk_manager").post("/credit-checks", order("SO-SC", "C000003"))
    as_("risk_manager").post("/credit-checks", order("SO-CQ", "C000001"))
    listed = as_("sales").get("/credit-checks").json()
    assert [i["reference"] for i in listed["items"]] == ["SO-SC"] and listed["count"] == 1
    assert as_("sales").get("/credit-checks/SO-CQ").status_code == 404
    assert as_("sales").post("/credit-checks/SO-CQ/release").status_code == 404
    assert as_("sales").post("/credit-checks/SO-CQ/cancel", {"reason": "x"}).status_code == 404
    assert {i["reference"] for i in as_("risk_manager").get("/credit-checks").json()["items"]} == {"SO-SC", "SO-CQ"}
    collector = as_("collector").get("/credit-checks").json()
    assert [i["reference"] for i in collector["items"]] == ["SO-CQ"]


def test_list_filters(world, as_):
    api = as_("risk_manager")
    api.post("/credit-checks", order("SO-1", "C000003", "1000.00"))
    api.post("/credit-checks", order("SO-2", "C000003", "999999.00"))
    assert [i["reference"] for i in api.get("/credit-checks", status="attention").json()["items"]] == ["SO-2"]
    assert [i["reference"] for i in api.get("/credit-checks", decision="approve").json()["items"]] == ["SO-1"]
    assert api.get("/credit-checks", q="锦江").json()["count"] == 2
    assert api.get("/credit-checks", status="nonsense").status_code == 422


def test_release_and_cancel(world, as_):
    api = as_("sales")
    api.post("/credit-checks", order("SO-1"))
    api.post("/credit-checks", order("SO-2"))
    released = api.post("/credit-checks/SO-1/release")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert released.json()["reserved_amount"] == "0.00"
    assert api.post("/credit-checks/SO-1/release").status_code == 409
    cancelled = api.post("/credit-checks/SO-2/cancel", {"reason": "客户取消"})
    assert cancelled.json()["status"] == "cancelled"
    assert api.post("/credit-checks/SO-404/release").status_code == 404


def test_override_through_the_api(world, as_):
    sales, manager = as_("sales"), as_("risk_manager")
    sales.post("/credit-checks", order("SO-BIG", amount="500000.00"))
    assert sales.post("/credit-checks/SO-BIG/override", {"reason": ""}).status_code == 422
    asked = sales.post("/credit-checks/SO-BIG/override", {"reason": "预付30%"})
    assert asked.status_code == 200 and asked.json()["status"] == "override_requested"
    assert sales.post("/credit-checks/SO-BIG/override/approve").status_code == 403
    approved = manager.post("/credit-checks/SO-BIG/override/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "reserved" and approved.json()["override_approved_by"] == "risk_manager"
    assert manager.post("/credit-checks/SO-BIG/override/reject", {"note": "late"}).status_code == 409


def test_the_manager_cannot_approve_an_override_of_their_own_check(world, as_):
    manager = as_("risk_manager")
    manager.post("/credit-checks", order("SO-BIG", amount="500000.00"))
    manager.post("/credit-checks/SO-BIG/override", {"reason": "急单"})
    response = manager.post("/credit-checks/SO-BIG/override/approve")
    assert response.status_code == 403 and "somebody else" in response.json()["detail"]
    assert CreditCheck.objects.get(reference="SO-BIG").status == CheckStatus.OVERRIDE_REQUESTED


def test_a_blocked_order_cannot_be_overridden(world, as_):
    CreditProfile.objects.filter(customer=world["sc"]).update(blacklisted=True)
    as_("sales").post("/credit-checks", order("SO-X"))
    response = as_("sales").post("/credit-checks/SO-X/override", {"reason": "please"})
    assert response.status_code == 409 and "lift its cause" in response.json()["detail"]


def test_customer_standing(world, as_):
    body = as_("sales").get("/customers/C000003/standing").json()
    assert body["limit"] == "200000.00" and body["receivables"] == "20000.00" and body["available"] == "180000.00"
    assert body["utilisation_percent"] == "10.00" and body["grade"] == "A"
    assert as_("sales").get("/customers/C000001/standing").status_code == 404
    assert as_("nobody").get("/customers/C000003/standing").status_code == 403


@pytest.mark.parametrize("text", ["x" * 500, "\x00", "%", "' OR 1=1 --", "😀"])
def test_hostile_references_in_paths_are_4xx(world, as_, text):
    from urllib.parse import quote

    response = as_("risk_manager").get(f"/credit-checks/{quote(text, safe='')}")
    assert response.status_code in {404, 422}
