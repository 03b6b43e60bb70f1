"""Model pages read in English (the source language), like the credit tests; rows are made directly so the
pages are tested apart from training (tests/scoring covers the registry's actions and the cycle)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from django.utils import timezone, translation

from fengkong.engine.modelling import delay as delay_engine
from fengkong.scoring.choices import ModelKind, ModelStatus, ModelUse
from fengkong.scoring.models import (
    CashForecast,
    CustomerModelScore,
    InvoicePrediction,
    ModelMonitor,
    ModelVersion,
)

AS_OF = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_model(use=ModelUse.CUSTOMER_RISK, kind=ModelKind.SCORECARD, version=1, status=ModelStatus.CHALLENGER,
               auc=0.75, **extra) -> ModelVersion:
    fields = {"directory": f"models/{use}-v{version}", "data_sha256": "ab" * 32,
              "metrics": {"test": {"auc": auc, "ks": 0.4, "gini": 2 * auc - 1, "brier": 0.12}},
              "features": ["dbt_mean_12m", "current_ratio"], "training": {"rows": 1234},
              "promoted_at": timezone.now() if status == ModelStatus.CHAMPION else None, **extra}
    return ModelVersion.objects.create(use=use, kind=kind, version=version, status=status, **fields)


@pytest.fixture(scope="session")
def model_directory(tmp_path_factory) -> Path:
    """A small real scorecard + LightGBM directory on two ledger features: a champion must load to be crowned."""
    from fengkong.engine.modelling.train import TrainConfig, train_models
    from fengkong.scoring import storage

    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    frame = pl.DataFrame({"dbt_mean_12m": x * 10 + 20, "current_ratio": rng.normal(1.5, 0.3, 400),
                          "bad": (x + rng.normal(size=400) > 0.8).astype(int)})
    trained = train_models(frame, "bad", TrainConfig(gbm_estimators=20), created_at=timezone.now())
    return storage.save_model(trained, tmp_path_factory.mktemp("model") / "model", html=False)


@pytest.fixture
def models(db, settings, tmp_path, model_directory):
    settings.DATA_DIR = tmp_path
    champion = make_model(version=1, status=ModelStatus.CHAMPION, auc=0.73)
    challenger = make_model(kind=ModelKind.GBM, version=2, auc=0.79)
    delay = make_model(use=ModelUse.PAYMENT_DELAY, kind=ModelKind.DELAY, version=1, status=ModelStatus.CHAMPION,
                       metrics={"test": {"auc": 0.81}, "backtest": {
                           "summary": {"origins": 1, "model_wape": 0.21, "reference_wape": 0.48,
                                       "model_abs_total_error_pct": 5.0, "reference_abs_total_error_pct": 30.0},
                           "origins": [{
                               "origin": "2026-08-29", "open_fen": 9_000_000, "model": {"wape": 0.21,
                                                                                          "total_error_pct": -5.0},
                               "reference": {"wape": 0.48, "total_error_pct": 30.0},
                               "weeks": [{"week": k, "start": str(date(2026, 8, 29) + timedelta(days=7 * k - 6)),
                                          "forecast_fen": 100_000 * k, "actual_fen": 110_000 * k,
                                          "reference_fen": 50_000} for k in range(1, 14)]}]}})
    for day, psi in ((AS_OF - timedelta(days=1), 0.02), (AS_OF, 0.31)):
        ModelMonitor.objects.create(model=champion, as_of=day, rows=3, score_psi=psi,
                                    feature_psi={"dbt_mean_12m": psi, "current_ratio": 0.01}, drifted=psi > 0.25)
    for model in (champion, challenger):
        shutil.copytree(model_directory, tmp_path / model.directory)
    report = tmp_path / champion.directory / "report.html"
    report.write_text("<html><body><script>document.title='r'</script>report</body></html>", encoding="utf-8")
    return {"champion": champion, "challenger": challenger, "delay": delay}


@pytest.fixture
def scored(models, book):
    """Model scores for every book customer and predictions for its open invoices (largest loss: AR0003)."""
    champion, challenger, delay = models["champion"], models["challenger"], models["delay"]
    for customer, p in zip(book["customers"], (0.02, 0.40, 0.10), strict=True):
        for model in (champion, challenger):
            CustomerModelScore.objects.create(
                customer=customer, model=model, as_of=AS_OF, probability=p, score=600 - 100 * p,
                reasons=[{"feature": "dbt_mean_12m", "value": 41.0, "effect": 23.5},
                         {"feature": "industry", "value": "C", "effect": 4.0}])
    for invoice, p in zip(book["invoices"], (0.05, 0.5, 0.9, 0.2, 0.3), strict=True):
        if invoice.open_amount > 0:
            InvoicePrediction.objects.create(
                invoice=invoice, customer=invoice.customer, model=delay, as_of=AS_OF, open_amount=invoice.open_amount,
                p_late=p, expected_days=20, expected_date=AS_OF + timedelta(days=20),
                p_weeks=[0.5, 0.25] + [0.0] * 11 + [0.25],   # half in week 1, a quarter in week 2, the rest later
                expected_loss=(invoice.open_amount * Decimal(str(p))).quantize(Decimal("0.01")),
                reasons=[{"feature": "days_to_due", "value": "-95.0", "effect": 1.2},
                         {"feature": "disputed", "value": "1.0", "effect": 0.5},
                         {"feature": "log_amount", "value": "15.424949", "effect": 0.1}] if p == 0.9 else [])
    CashForecast.objects.create(model=delay, as_of=AS_OF, open_amount=Decimal("82000.00"), weeks=[
        {"week": k, "start": str(AS_OF + timedelta(days=7 * k - 6)), "end": str(AS_OF + timedelta(days=7 * k)),
         "expected_fen": 500_000} for k in range(1, 14)])
    return models


BACKTEST_ORIGIN = date(2026, 8, 29)


def backtest_part(open_fen: int, forecast: int, actual: int, reference: int) -> dict:
    """One portfolio's figures of a back-test origin, the same amounts every week."""
    weeks = [{"week": k, "start": str(BACKTEST_ORIGIN + timedelta(days=7 * k - 6)),
              "end": str(BACKTEST_ORIGIN + timedelta(days=7 * k)), "forecast_fen": forecast, "actual_fen": actual,
              "reference_fen": reference} for k in range(1, 14)]
    return delay_engine.combine_origins([{"open_invoices": 2, "open_fen": open_fen, "weeks": weeks}])


@pytest.fixture
def split_backtest(scored, portfolios):
    """The delay champion's back-test as training now stores it: the company's figures with Chongqing's
    and Sichuan's parts (the company's is their sum)."""
    cq = backtest_part(6_500_000_00, 300_000_00, 310_000_00, 100_000_00)          # 6,500,000.00 open
    sc = backtest_part(226_587_974_70, 1_000_000_00, 1_234_567_00, 900_000_00)    # 226,587,974.70 open
    company = delay_engine.combine_origins([cq, sc])
    origin = {"origin": BACKTEST_ORIGIN.isoformat(), "training_rows": 10, **company,
              "groups": {str(portfolios["CQ"].pk): cq, str(portfolios["SC"].pk): sc}}
    model = scored["delay"]
    model.metrics = {**model.metrics, "backtest": {"origins": [origin],
                                                   "summary": delay_engine.backtest_summary([origin])}}
    model.save(update_fields=["metrics"])
    return {"cq": cq, "sc": sc, "company": company}
