"""The registry in /api/v1: listing, promotion and its refusals, rollback, scores and predictions, scoped."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from tests.conftest import AS_OF, make_user

from fengkong.scoring import book_scores


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def versions(register_trained):
    return register_trained()


def test_models_are_listed_and_filtered(sign_in, versions):
    answer = sign_in("auditor").get("/api/v1/models?status=challenger&use=customer_risk").json()
    assert answer["count"] == 2 and {m["kind"] for m in answer["items"]} == {"scorecard", "gbm"}
    detail = sign_in("auditor").get(f"/api/v1/models/{versions[0].pk}").json()
    assert detail["metrics"]["test"]["auc"] > 0 and detail["monitors"] == [] and detail["promotions"] == []
    assert sign_in("sales").get("/api/v1/models").status_code == 403
    assert sign_in("auditor").get("/api/v1/models/999999").status_code == 404


def test_promotion_through_the_api_is_maker_checker(sign_in, versions):
    card = versions[0]
    manager = sign_in("risk_manager")
    asked = post(manager, f"/api/v1/models/{card.pk}/promotion", {"reason": "best KS"})
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    assert post(manager, f"/api/v1/promotions/{request_id}/decision", {"approve": True}).status_code == 403
    committee = sign_in("risk_committee")
    assert post(committee, f"/api/v1/promotions/{request_id}/decision", {"approve": False}).status_code == 422
    assert post(committee, f"/api/v1/promotions/{request_id}/decision", {"approve": True}).json()["status"] == "approved"
    assert post(committee, f"/api/v1/promotions/{request_id}/decision", {"approve": True}).status_code == 409
    assert post(manager, f"/api/v1/models/{card.pk}/promotion", {"reason": "again"}).status_code == 409
    assert manager.get(f"/api/v1/models/{card.pk}").json()["status"] == "champion"


def test_roles_without_the_permission_are_refused_on_every_action(sign_in, versions):
    card = versions[0]
    asked = post(sign_in("credit_analyst"), f"/api/v1/models/{card.pk}/promotion", {"reason": "x"}).json()["id"]
    collector = sign_in("collector")
    assert post(collector, f"/api/v1/models/{card.pk}/promotion", {"reason": "x"}).status_code == 403
    assert post(collector, f"/api/v1/promotions/{asked}/decision", {"approve": True}).status_code == 403
    assert post(collector, f"/api/v1/promotions/{asked}/withdraw", {}).status_code == 403
    assert post(collector, "/api/v1/models/rollback", {"use": "customer_risk", "reason": "x"}).status_code == 403
    assert post(sign_in("risk_manager"), f"/api/v1/promotions/{asked}/withdraw", {}).status_code == 403
    assert post(sign_in("credit_analyst"), f"/api/v1/promotions/{asked}/withdraw", {}).json()["status"] == "withdrawn"


def test_rollback_without_an_earlier_champion_is_409(sign_in, versions):
    answer = post(sign_in("risk_manager"), "/api/v1/models/rollback", {"use": "customer_risk", "reason": "x"})
    assert answer.status_code == 409 and "No earlier champion" in answer.json()["detail"]
    assert post(sign_in("risk_manager"), "/api/v1/models/rollback", {"use": "nope", "reason": "x"}).status_code == 422


def test_customer_scores_are_scoped_to_the_portfolio(ledger_book, versions, sign_in, portfolios, roles):
    book_scores.score_book(as_of=AS_OF)
    scored = {s.customer for s in versions[0].customer_scores.select_related("customer__portfolio")}
    cq = next(c for c in scored if c.portfolio.code == "CQ")
    sc = next(c for c in scored if c.portfolio.code == "SC")
    answer = sign_in("risk_manager").get(f"/api/v1/customers/{cq.code}/model-scores").json()
    assert [s["model"]["kind"] for s in answer] == ["gbm", "scorecard"] and answer[1]["reasons"]
    viewer = make_user("cq-viewer", None, roles, [portfolios["CQ"]])
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_customer", "view_customermodelscore"]))
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    assert client.get(f"/api/v1/customers/{cq.code}/model-scores").status_code == 200
    assert client.get(f"/api/v1/customers/{sc.code}/model-scores").status_code == 404
    assert sign_in("collector").get(f"/api/v1/customers/{cq.code}/model-scores").status_code == 403


def test_no_cash_forecast_yet_is_an_empty_forecast(sign_in, db):
    assert sign_in("finance").get("/api/v1/cash-forecast").json() == {"model": None, "as_of": None,
                                                                       "open_amount": None, "weeks": [],
                                                                       "portfolio_only": False}
    assert sign_in("finance").get("/api/v1/cash-forecast?as_of=2026-01-05").status_code == 404
    assert sign_in("collector").get("/api/v1/invoice-predictions").json()["count"] == 0
    assert sign_in("sales").get("/api/v1/invoice-predictions").status_code == 403


def test_a_challenger_is_retired_through_the_api_by_a_risk_manager_only(sign_in, versions):
    card = versions[0]
    assert post(sign_in("credit_analyst"), f"/api/v1/models/{card.pk}/retire", {"reason": "weak"}).status_code == 403
    assert post(sign_in("risk_manager"), f"/api/v1/models/{card.pk}/retire", {"reason": ""}).status_code == 422
    answer = post(sign_in("risk_manager"), f"/api/v1/models/{card.pk}/retire", {"reason": "weak on Q3"})
    assert answer.status_code == 200 and answer.json()["status"] == "retired"
    assert post(sign_in("risk_manager"), f"/api/v1/models/{card.pk}/retire", {"reason": "again"}).status_code == 409


def test_a_rollback_with_a_stale_champion_is_409(sign_in, versions):
    answer = post(sign_in("risk_manager"), "/api/v1/models/rollback",
                  {"use": "customer_risk", "reason": "x", "expected": versions[0].pk})
    assert answer.status_code == 409 and "changed since you looked" in answer.json()["detail"]
