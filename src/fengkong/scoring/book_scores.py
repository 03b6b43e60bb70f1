"""The cycle's scoring: every customer by the customer-risk champion and its challengers, every open
invoice by the payment-delay champion, the cash forecast, and each model's drift.

Design decisions:
- Bulk: the ledger is read once per use (one query per table), features and predictions are frames,
  and each model's rows are replaced with one delete and one bulk insert in a transaction. Nothing goes
  through the ORM row by row.
- Challengers are scored in the shadow (their CustomerModelScore rows sit beside the champion's) so
  they can be compared on today's book; decisions read only the champion's (`customer_scores` puts it
  first). The payment-delay challengers are not run: a cash forecast per challenger would mislead.
- Drift: per scored model and day a ModelMonitor with the PSI of the score and of each feature against
  the training distributions (ModelVersion.reference), on the reference's own bins. Above PSI_ALERT
  (0.25) the model has drifted: the risk managers are told in their inbox and the audit trail records
  it, once per model and day (a later run of the day finds the monitor's drift event in the audit trail,
  even when the model did not drift in between). A model without a reference is scored but not monitored
  (the count `psi_skipped` says so).
- Idempotent: running twice on a day replaces the same rows with the same values.
- One model's failure (its directory deleted or damaged) is its own: the other models and the other use
  are scored, then a ScoringError names each model that failed (the cycle records it).
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.models import AuditEvent
from fengkong.core.money import from_fen
from fengkong.engine.modelling import delay, ledger, model_dir
from fengkong.engine.modelling.delay import WEEK_COLUMNS
from fengkong.engine.modelling.metrics import psi_to_reference
from fengkong.integrations import db
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from . import registry
from .choices import PSI_ALERT, ModelStatus, ModelUse
from .delay import read_ledger_until
from .exceptions import ScoringError
from .models import CashForecast, CustomerModelScore, InvoicePrediction, ModelMonitor, ModelVersion

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
TOP_REASONS = 3
# Tree reasons (TreeSHAP contributions, 0.6–1.8 ms a row) only where someone reads them: the invoices with
# the largest expected loss (the head of the worklist) and the riskiest customers by a LightGBM model. The
# rest are predicted but not explained; scorecard reasons are a table look-up and every customer has them.
EXPLAINED_INVOICES = 5_000
EXPLAINED_CUSTOMERS = 20_000
# Today's rows are written as tuples (db.insert_rows: COPY or executemany), not as ORM objects.
SCORE_COLUMNS = ("customer_id", "model_id", "as_of", "probability", "score", "reasons")
PREDICTION_COLUMNS = ("invoice_id", "customer_id", "model_id", "as_of", "open_amount", "p_late", "expected_days",
                      "expected_date", "expected_loss", "p_weeks", "reasons")
JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
DRIFT_EVENT = "model.drift"   # its audit event per monitor is what makes the alert once per model and day


def score_book(*, as_of: date, actor=None, uses: list[str] | None = None, progress: Progress | None = None) -> dict:
    """Score the book as of `as_of` with the live models of each use (default: every use); returns counts.

    A model that fails (its directory deleted or damaged) stops neither the others nor the other use:
    they are scored, then a ScoringError names every model that failed."""
    progress = progress or (lambda *_: None)
    counts: dict = {}
    failed: list[str] = []
    ledger_frames = functools.cache(lambda: read_ledger_until(as_of))  # read once, for both uses
    for use in uses or ModelUse.values:
        models = registry.live_models(use)
        if use == ModelUse.CUSTOMER_RISK and models:
            counts.update(score_customers(models, as_of, actor, progress, failed, ledger_frames))
        elif models and models[0].status == ModelStatus.CHAMPION:
            counts.update(_guarded(models[0], failed, lambda m=models[0]: predict_invoices(
                m, as_of, actor, progress, ledger_frames)) or {})
    if failed:
        raise ScoringError(_("%(n)s model(s) could not score the book of %(day)s (the others did): %(errors)s")
                           % {"n": len(failed), "day": as_of, "errors": "; ".join(failed)})
    return counts


def _guarded(model: ModelVersion, failed: list[str], call: Callable):
    """call(), or None with the failure logged and added to `failed`: one model's failure is its own."""
    try:
        return call()
    except ScoringError as exc:
        log.warning("model %s did not score: %s", model, exc)
        failed.append(str(exc))
    except Exception as exc:  # a library failing on this model's files or data
        log.exception("model %s failed while scoring", model)
        failed.append(_("%(model)s failed: %(error)s") % {"model": model, "error": f"{type(exc).__name__}: {exc}"})
    return None


# --- customer risk -------------------------------------------------------------------------------

def customer_features(as_of: date, frames=None) -> pl.DataFrame:
    """The ledger features of every customer with an invoice issued by `as_of` (point in time: the frames,
    read up to `as_of` when not given, are cut at the day by ledger.features)."""
    return ledger.features(frames if frames is not None else read_ledger_until(as_of), as_of)


def score_customers(models: list[ModelVersion], as_of: date, actor, progress: Progress, failed: list[str],
                    ledger_frames: Callable) -> dict:
    """Replace the CustomerModelScore rows of `models` (champion and challengers) with today's; a model
    that fails is added to `failed` and the others are still scored."""
    frame = customer_features(as_of, ledger_frames())
    predictions: dict[str, pl.DataFrame] = {}  # a directory with both kinds is predicted once
    counts = {"customers_scored": frame.height, "customer_models": len(models), "drifted": 0, "psi_skipped": 0}
    for done, model in enumerate(models):
        progress(_("scoring customers"), done, len(models))
        _guarded(model, failed, lambda m=model: _score_customers_by(m, frame, as_of, actor, predictions, counts))
    progress(_("scoring customers"), len(models), len(models))
    return counts


def _score_customers_by(model: ModelVersion, frame: pl.DataFrame, as_of: date, actor,
                        predictions: dict[str, pl.DataFrame], counts: dict) -> None:
    if not frame.height:   # no customer has an invoice yet: nothing to score (LightGBM fails on no rows)
        CustomerModelScore.objects.filter(model=model).delete()
        return
    if model.directory not in predictions:
        predictions[model.directory] = model_dir.predict(registry.load(model), frame,
                                                         tree_reasons_top=EXPLAINED_CUSTOMERS)
    scored = predictions[model.directory]
    probability, score, prefix = registry.SCORE_COLUMNS[model.kind]
    rows = [(c, model.pk, as_of, float(p), float(s), JSON(r))
            for c, p, s, r in zip(frame["customer_id"].to_list(), scored[probability].to_list(),
                                  scored[score].to_list(), customer_reasons(frame, scored, prefix), strict=True)]
    with transaction.atomic():
        CustomerModelScore.objects.filter(model=model).delete()
        db.insert_rows(CustomerModelScore._meta.db_table, SCORE_COLUMNS, rows)
        _count(counts, monitor(model, as_of, scored[score].to_numpy(), frame, actor))


def customer_reasons(frame: pl.DataFrame, scored: pl.DataFrame, prefix: str) -> list[list[dict]]:
    """Per customer the top reasons of one model: feature, the customer's value, and the effect (points
    lost for the scorecard, log-odds contribution for LightGBM)."""
    unit = "points" if prefix == "scorecard" else "contribution"
    names = [scored[f"{prefix}_reason_{k}"].to_list() for k in range(1, TOP_REASONS + 1)
             if f"{prefix}_reason_{k}" in scored.columns]
    effects = [scored[f"{prefix}_reason_{k}_{unit}"].to_list() for k in range(1, len(names) + 1)]
    values = {name: frame[name].to_list() for name in frame.columns}
    return [[{"feature": names[k][i], "value": _plain(values[names[k][i]][i]), "effect": _plain(effects[k][i])}
             for k in range(len(names)) if names[k][i] is not None]
            for i in range(frame.height)]


def _plain(value):
    """A JSON-safe value: floats rounded, NaN as null."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    return value


# --- payment delay -------------------------------------------------------------------------------

def predict_invoices(model: ModelVersion, as_of: date, actor, progress: Progress, ledger_frames: Callable) -> dict:
    """The champion's prediction for every open invoice (replacing yesterday's) and the day's cash forecast."""
    progress(_("predicting payments"), 0, 1)
    open_frame = delay.open_invoices(ledger_frames(), as_of)
    predicted = (registry.load(model).predict(open_frame, as_of, reasons_top=EXPLAINED_INVOICES)
                 if open_frame.height else None)
    rows = invoice_rows(model, as_of, predicted) if predicted is not None else []
    weeks = (delay.forecast(predicted, as_of) if predicted is not None
             else delay.week_frame(as_of).with_columns(pl.lit(0, dtype=pl.Int64).alias("expected_fen")))
    counts = {"invoices_predicted": len(rows), "drifted": 0, "psi_skipped": 0}
    with transaction.atomic():
        InvoicePrediction.objects.all().delete()
        db.insert_rows(InvoicePrediction._meta.db_table, PREDICTION_COLUMNS, rows)
        CashForecast.objects.update_or_create(model=model, as_of=as_of, defaults={
            "open_amount": from_fen(int(open_frame["open_fen"].sum()) if open_frame.height else 0),
            "weeks": [{"week": int(w["week"]), "start": w["start"].isoformat(), "end": w["end"].isoformat(),
                       "expected_fen": int(w["expected_fen"])} for w in weeks.to_dicts()],
            "created_at": timezone.now()})
        if predicted is not None:
            _count(counts, monitor(model, as_of, predicted["p_late"].to_numpy(), open_frame, actor))
    progress(_("predicting payments"), 1, 1)
    return counts


def invoice_rows(model: ModelVersion, as_of: date, predicted: pl.DataFrame) -> list[tuple]:
    """The InvoicePrediction rows as tuples in PREDICTION_COLUMNS order."""
    reasons = [[{"feature": r[f"reason_{k}"], "value": r.get(f"reason_{k}_value"),
                 "effect": _plain(r.get(f"reason_{k}_contribution"))}
                for k in range(1, TOP_REASONS + 1) if r.get(f"reason_{k}") is not None]
               for r in predicted.select(pl.col(r"^reason_\d.*$")).to_dicts()] \
        if "reason_1" in predicted.columns else [[] for _row in range(predicted.height)]
    columns = ("invoice_id", "customer_id", "open_fen", "p_late", "expected_days", "expected_date",
               "expected_loss_fen")
    # The week probabilities are kept per invoice so a portfolio's own forecast can be summed (forecasts.py).
    weeks = np.round(predicted.select(WEEK_COLUMNS).to_numpy(), 5).tolist()
    return [(i, c, model.pk, as_of, from_fen(int(o)), float(p), float(d), e, from_fen(int(loss)), JSON(w), JSON(r))
            for (i, c, o, p, d, e, loss), w, r in zip(predicted.select(columns).iter_rows(), weeks, reasons,
                                                       strict=True)]


# --- drift ---------------------------------------------------------------------------------------

def _count(counts: dict, monitor: ModelMonitor | None) -> None:
    if monitor is None:
        counts["psi_skipped"] += 1
    elif monitor.drifted:
        counts["drifted"] += 1


def drift(reference: dict, scores: np.ndarray, frame: pl.DataFrame) -> tuple[float, dict[str, float]]:
    """PSI of today's scores and of each feature against the training distributions, on their bins."""
    features = {}
    for name, entry in (reference.get("features") or {}).items():
        if name in frame.columns:
            column = frame[name]
            values = (column.cast(pl.Float64).fill_nan(None).to_numpy().astype(float) if entry.get("type") == "numeric"
                      else column.cast(pl.String).to_list())
            features[name] = round(float(psi_to_reference(entry, values)), 6)
    return round(float(psi_to_reference(reference["score"], np.asarray(scores, dtype=float))), 6), features


def monitor(model: ModelVersion, as_of: date, scores: np.ndarray, frame: pl.DataFrame, actor) -> ModelMonitor | None:
    """Inside the scoring transaction: the model's monitor of the day, and the alert when it first drifts."""
    if not (model.reference or {}).get("score") or not len(scores):
        return None
    score_psi, feature_psi = drift(model.reference, scores, frame)
    drifted = score_psi > PSI_ALERT or any(v > PSI_ALERT for v in feature_psi.values())
    found, _created = ModelMonitor.objects.update_or_create(model=model, as_of=as_of, defaults={
        "rows": len(scores), "score_psi": score_psi, "feature_psi": feature_psi, "drifted": drifted,
        "created_at": timezone.now()})
    if drifted and not AuditEvent.objects.filter(action=DRIFT_EVENT, object_type="modelmonitor",
                                                 object_id=str(found.pk)).exists():
        announce_drift(model, found, actor)
    return found


def announce_drift(model: ModelVersion, monitor: ModelMonitor, actor) -> None:
    over = {name: psi for name, psi in sorted(monitor.feature_psi.items(), key=lambda kv: -kv[1]) if psi > PSI_ALERT}
    what = [_("score %(psi).2f") % {"psi": monitor.score_psi}] if monitor.score_psi > PSI_ALERT else []
    what += [f"{name} {psi:.2f}" for name, psi in over.items()]
    record(actor, DRIFT_EVENT, "modelmonitor", monitor.pk,
           after={"model": model.pk, "as_of": monitor.as_of, "score_psi": monitor.score_psi, "features": over})
    tell(registry.risk_managers(), template=Template.CREDIT_REVIEW, level="warning", link=registry.model_link(model),
         title=_("Model drift: %(model)s") % {"model": model.label},
         body=_("On %(day)s the population the model scores has moved away from its training data (PSI above "
                "%(limit)s): %(what)s. Review the model; retrain it or roll back if its figures suffer.")
         % {"day": monitor.as_of, "limit": PSI_ALERT, "what": ", ".join(what)})


# --- reading -------------------------------------------------------------------------------------

def customer_scores(customer) -> list[tuple[ModelVersion, CustomerModelScore]]:
    """The live models' scores of one customer: the champion first, then the challengers, newest first."""
    scores = (CustomerModelScore.objects.filter(customer=customer).exclude(model__status=ModelStatus.RETIRED)
              .select_related("model"))
    ordered = sorted(scores, key=lambda s: (s.model.status != ModelStatus.CHAMPION, s.model.use, -s.model.version))
    return [(s.model, s) for s in ordered]


def last_scored(use: str) -> date:
    """The day the book was last scored for `use` (today when never): a re-score keeps to it."""
    rows = CustomerModelScore.objects if use == ModelUse.CUSTOMER_RISK else InvoicePrediction.objects
    return rows.aggregate(day=Max("as_of"))["day"] or timezone.localdate()
