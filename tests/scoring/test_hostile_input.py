"""Hostile and odd input to the models API, pages and CLI: never a 500, always a clear refusal."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.conftest import AS_OF

from fengkong.scoring.choices import ModelKind, ModelStatus, ModelUse
from fengkong.scoring.models import CashForecast, ModelVersion, PromotionRequest

HUGE = "9" * 30


def make_model(use=ModelUse.CUSTOMER_RISK, kind=ModelKind.SCORECARD, version=1, status=ModelStatus.CHALLENGER):
    return ModelVersion.objects.create(
        use=use, kind=kind, version=version, status=status, directory=f"models/{use}-v{version}",
        data_sha256="ab" * 32, metrics={"test": {"auc": 0.7}},
        promoted_at=timezone.now() if status == ModelStatus.CHAMPION else None)


@pytest.fixture
def registry_rows(db, users):
    champion = make_model(status=ModelStatus.CHAMPION)
    challenger = make_model(kind=ModelKind.GBM, version=2)
    asked = PromotionRequest.objects.create(model=challenger, reason="better", requested_by=users["credit_analyst"])
    delay = make_model(use=ModelUse.PAYMENT_DELAY, kind=ModelKind.DELAY, status=ModelStatus.CHAMPION)
    CashForecast.objects.create(model=delay, as_of=AS_OF, open_amount=Decimal("100.00"), weeks=[
        {"week": k, "start": str(AS_OF + timedelta(days=7 * k - 6)), "end": str(AS_OF + timedelta(days=7 * k)),
         "expected_fen": 100} for k in range(1, 14)])
    return {"champion": champion, "challenger": challenger, "request": asked, "delay": delay}


def post(client, url: str, body):
    return client.post(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("url", [
    "/api/v1/models/abc", "/api/v1/models/0", "/api/v1/models/-1", f"/api/v1/models/{HUGE}",
    "/api/v1/models?use=nope", "/api/v1/models?status=%00", f"/api/v1/models?limit={HUGE}", "/api/v1/models?offset=-1",
    "/api/v1/customers/%00/model-scores", "/api/v1/customers/NOPE/model-scores",
    f"/api/v1/customers/{'X' * 500}/model-scores",
    "/api/v1/invoice-predictions?customer=%00", f"/api/v1/invoice-predictions?offset={HUGE}",
    "/api/v1/cash-forecast?as_of=garbage", "/api/v1/cash-forecast?as_of=%00", "/api/v1/cash-forecast?as_of=2026-13-01",
    "/api/v1/cash-forecast?as_of=0000-01-01", "/api/v1/cash-forecast?as_of=99999-01-01",
    f"/api/v1/cash-forecast?as_of={HUGE}", "/api/v1/cash-forecast?as_of=-1", "/api/v1/cash-forecast?as_of=1e308",
])
def test_hostile_reads_are_refused_not_failed(registry_rows, sign_in, url):
    assert sign_in("risk_manager").get(url).status_code in {200, 404, 422}


@pytest.mark.parametrize("body", [
    "", "not json", "[]", "null", {"reason": 5}, {"reason": None}, {"reason": "a\x00b"}, {"reason": "x" * 10_000},
    {"reason": " "}, {"reason": ["x"]},
])
def test_hostile_promotion_requests_are_refused_not_failed(registry_rows, sign_in, body):
    answer = post(sign_in("credit_analyst"), f"/api/v1/models/{registry_rows['champion'].pk}/promotion", body)
    assert answer.status_code in {400, 409, 422}


@pytest.mark.parametrize("body", [
    "", "[]", {"approve": "yes"}, {"approve": 1}, {"approve": None}, {"approve": False, "comment": "a\x00"},
    {"approve": True, "comment": 5}, {"approve": True, "comment": "x" * 10_000},
])
def test_hostile_decisions_are_refused_not_failed(registry_rows, sign_in, body):
    answer = post(sign_in("risk_committee"), f"/api/v1/promotions/{registry_rows['request'].pk}/decision", body)
    assert answer.status_code in {400, 422}
    assert PromotionRequest.objects.get().status == "pending"


@pytest.mark.parametrize("url", ["/api/v1/promotions/0/decision", f"/api/v1/promotions/{HUGE}/decision",
                                 "/api/v1/promotions/abc/decision", "/api/v1/promotions/999999/decision",
                                 "/api/v1/promotions/999999/withdraw", f"/api/v1/models/{HUGE}/promotion"])
def test_decisions_on_what_does_not_exist_are_404_or_422(registry_rows, sign_in, url):
    assert post(sign_in("risk_committee"), url, {"approve": True, "reason": "x"}).status_code in {404, 422}


@pytest.mark.parametrize("body", ["", {"use": "nope", "reason": "x"}, {"use": None, "reason": "x"},
                                  {"use": "customer_risk", "reason": "\x00"}, {"use": "customer_risk"}])
def test_hostile_rollbacks_are_refused_not_failed(registry_rows, sign_in, body):
    assert post(sign_in("risk_manager"), "/api/v1/models/rollback", body).status_code in {400, 422}


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=0", f"page={HUGE}", "page=%00", "page=1.5"])
def test_the_forecast_page_takes_any_page_number(registry_rows, sign_in, query):
    assert sign_in("collector").get(f"/models/forecast/?{query}").status_code == 200


@pytest.mark.parametrize("url", [f"/models/{HUGE}/", f"/models/{HUGE}/report/", "/models/999999/"])
def test_model_pages_of_what_does_not_exist_are_404(registry_rows, sign_in, url):
    assert sign_in("risk_manager").get(url).status_code == 404


@pytest.mark.parametrize("url, data", [
    ("/models/rollback/", {"use": "nope", "reason": "x"}), ("/models/rollback/", {"use": "customer_risk",
                                                                                 "reason": "a\x00b"}),
    ("/models/train/", {"use": "\x00"}), (f"/models/{HUGE}/promote/", {"reason": "x"}),
    ("/models/999999/promote/", {"reason": "x"}), ("/models/promotions/999999/decide/", {"decision": "approve"}),
    ("/models/promotions/999999/withdraw/", {}), (f"/models/promotions/{HUGE}/decide/", {"decision": "approve"}),
])
def test_model_actions_on_bad_input_redirect_or_404(registry_rows, sign_in, url, data):
    assert sign_in("risk_manager").post(url, data).status_code in {302, 400, 404}


def test_pages_of_a_model_whose_directory_was_deleted_still_answer(registry_rows, sign_in):
    manager = sign_in("risk_manager")   # the fixture's rows have no directory on disk at all
    assert manager.get("/models/").status_code == 200
    assert manager.get(f"/models/{registry_rows['champion'].pk}/").status_code == 200
    assert manager.get(f"/models/{registry_rows['champion'].pk}/report/").status_code == 404
    assert manager.get("/models/forecast/").status_code == 200
