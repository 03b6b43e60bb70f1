"""The model registry's reads: where a registered model lives, which one is champion of a use, loading
it, what a model directory holds and whether it fits a use, its training distributions (the PSI
reference), and who decides promotions. The registry's state changes are in actions.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils.translation import gettext as _

from fengkong.accounts.choices import Role
from fengkong.core.permissions import users_with_perm
from fengkong.engine.modelling import ledger, metrics, model_dir
from fengkong.engine.modelling.exceptions import ModellingError
from fengkong.receivables.models import Invoice

from . import storage
from .choices import USE_KINDS, ModelKind, ModelStatus, ModelUse
from .exceptions import ScoringError
from .models import ModelVersion

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
MODELS_DIR = "models"
MAX_TEXT = 500
OBSERVATION_EVERY_MONTHS = 3
REFERENCE_BINS = 10
# Per kind of a model_dir model, its columns in model_dir.predict: probability, score and the reasons' prefix.
SCORE_COLUMNS = {ModelKind.SCORECARD: ("scorecard_probability", "score", "scorecard"),
                 ModelKind.GBM: ("gbm_probability", "gbm_score", "gbm")}


# --- where models live ---------------------------------------------------------------------------

def models_root() -> Path:
    return Path(settings.DATA_DIR) / MODELS_DIR


def model_path(model: ModelVersion) -> Path:
    return Path(settings.DATA_DIR) / model.directory


def champion(use: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(use=use, status=ModelStatus.CHAMPION).first()


def previous_champion(use: str) -> ModelVersion | None:
    """The model a rollback would bring back: the most recently retired one that had been champion and was
    not itself taken out by a rollback (so a second rollback steps further back, never forth again)."""
    return (ModelVersion.objects.filter(use=use, status=ModelStatus.RETIRED, promoted_at__isnull=False,
                                        rolled_back_at__isnull=True)
            .order_by("-retired_at", "-version").first())


def live_models(use: str) -> list[ModelVersion]:
    """The champion first, then the challengers, newest first: what the cycle scores."""
    models = ModelVersion.objects.filter(use=use).exclude(status=ModelStatus.RETIRED).order_by("-version")
    return sorted(models, key=lambda m: m.status != ModelStatus.CHAMPION)


def load(model: ModelVersion):
    """The scoring object of a registered model: model_dir.LoadedModel, or a DelayModel."""
    path = model_path(model)
    try:
        if model.kind == ModelKind.DELAY:
            return storage.load_delay(path)
        return storage.load_model(path)
    except (ModellingError, OSError, ValueError, KeyError) as exc:
        raise ScoringError(_("Model %(model)s cannot be loaded from %(path)s: %(error)s")
                           % {"model": model, "path": path, "error": exc}) from None


def model_link(model: ModelVersion) -> str:
    return f"/models/{model.pk}/"


# --- what a model directory holds ----------------------------------------------------------------

@dataclass
class Inspected:
    """What registration reads from a model directory, per kind."""

    kinds: list[str]
    metadata: dict
    report: dict
    features: dict[str, list[str]] = field(default_factory=dict)
    metrics: dict[str, dict] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        source = self.metadata.get("source") or {}
        found = source.get("sha256") if isinstance(source, dict) else None
        return str(found or self.metadata.get("fingerprint") or self.metadata.get("data_sha256") or "")[:64]


def inspect_directory(directory: Path) -> Inspected:
    """Read and check a model directory; a clear ScoringError when it is not one or is damaged."""
    if not directory.is_dir():
        raise ScoringError(_("%(path)s is not a directory.") % {"path": directory})
    try:
        loaded = storage.load_model(directory)
        report = _read_json(directory / "report.json")
        kinds = [k for k in loaded.metadata.get("models", []) if k in ModelKind.values]
        if not kinds:
            raise ScoringError(_("%(path)s holds no model Fengkong can score (models: %(models)s).")
                               % {"path": directory, "models": loaded.metadata.get("models")})
        found = Inspected(kinds, loaded.metadata, report)
        if ModelKind.DELAY in kinds:
            _inspect_delay(found, directory)
        else:
            _inspect_credit(found, loaded)
    except ScoringError:
        raise
    except ModellingError as exc:
        raise ScoringError(str(exc)) from None
    except Exception as exc:  # a library failing on a damaged file (LightGBM's own error, bad JSON)
        raise ScoringError(_("%(path)s is incomplete or damaged: %(error)s")
                           % {"path": directory, "error": str(exc).strip()[:300]}) from None
    return found


def _read_json(path: Path) -> dict:
    import json

    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScoringError(_("%(path)s cannot be read: %(error)s") % {"path": path, "error": exc}) from None


def _inspect_credit(found: Inspected, loaded: model_dir.LoadedModel) -> None:
    parts = {ModelKind.SCORECARD: loaded.scorecard and loaded.scorecard.names,
             ModelKind.GBM: loaded.gbm and list(loaded.gbm.features_)}
    for kind in found.kinds:
        found.features[kind] = list(parts.get(kind) or [])
        block = (found.metadata.get("metrics") or {}).get(kind) or {}
        found.metrics[kind] = {key: block[key] for key in ("test", "train", "psi_score") if key in block}
    found.required = loaded.required_columns


def _inspect_delay(found: Inspected, directory: Path) -> None:
    try:
        model = storage.load_delay(directory)
    except (OSError, ValueError, KeyError) as exc:
        raise ScoringError(_("%(path)s is incomplete or damaged: %(error)s") % {"path": directory, "error": exc}) \
            from None
    found.features[ModelKind.DELAY] = list(model.features_)
    metrics = found.report.get("metrics") or found.metadata.get("metrics") or {}
    found.metrics[ModelKind.DELAY] = {**({"test": metrics["late"]} if "late" in metrics else {}), **metrics,
                                      **({"backtest": found.report["backtest"]} if found.report.get("backtest") else {})}


def check_fits(use: str, found: Inspected, directory: Path) -> None:
    """The use accepts every kind in the directory; a customer-risk model needs only ledger features."""
    wrong = [k for k in found.kinds if k not in USE_KINDS[ModelUse(use)]]
    if wrong:
        raise ScoringError(_("A %(use)s model must be one of: %(accepted)s; %(path)s holds %(kinds)s.") % {
            "use": use, "accepted": ", ".join(USE_KINDS[ModelUse(use)]), "path": directory,
            "kinds": ", ".join(found.kinds)})
    if use == ModelUse.CUSTOMER_RISK:
        unknown = [c for c in found.required if c not in ledger.FEATURES]
        if unknown:
            raise ScoringError(_("%(path)s needs column(s) the ledger does not provide: %(columns)s. A customer-risk "
                                 "model may use only the ledger features: %(features)s.") % {
                "path": directory, "columns": ", ".join(unknown), "features": ", ".join(ledger.FEATURES)})


# --- registering ---------------------------------------------------------------------------------

def training_from_report(report: dict) -> dict:
    """Rows, positives and the split, as the report has them."""
    split, data = report.get("split") or {}, report.get("data") or {}
    out = {"split": split} if split else {}
    for key in ("rows", "positives", "events", "event_rate"):
        if key in data:
            out[key] = data[key]
    return out


# --- training distributions (the PSI reference) --------------------------------------------------

def score_bins(values) -> dict:
    """Decile bins of reference scores, in the format each cycle's PSI is computed on (metrics)."""
    return metrics.numeric_reference(np.asarray(values, dtype=float), REFERENCE_BINS)


def feature_bins(frame: pl.DataFrame, features: list[str]) -> dict:
    """Per feature: decile bins and the missing share (numeric), or the share of each category."""
    return {name: metrics.numeric_reference(frame[name].cast(pl.Float64).fill_nan(None).to_numpy().astype(float),
                                            REFERENCE_BINS)
            if frame[name].dtype.is_numeric() else metrics.categorical_reference(frame[name].cast(pl.String).to_list())
            for name in features if name in frame.columns}


def references_from_report(found: Inspected) -> dict:
    """Per kind, what the report says of the training distributions: a delay report carries its own
    reference; a scorecard/LightGBM report has the training score histogram (no feature bins)."""
    if found.report.get("reference"):
        return {kind: found.report["reference"] for kind in found.kinds}
    out = {}
    for kind in found.kinds:
        histogram = ((found.report.get("models") or {}).get(kind) or {}).get("score_histogram") or {}
        edges, counts = histogram.get("edges") or [], (histogram.get("counts") or {}).get("train") or []
        if len(edges) >= 3 and len(counts) == len(edges) - 1 and sum(counts):
            total = sum(counts)
            out[kind] = {"score": {"type": "numeric", "edges": edges[1:-1], "shares": [c / total for c in counts],
                                   "missing": 0.0},
                         "features": {}, "source": "report",
                         "note": "score bins from the report's training histogram; no feature bins"}
    return out


# --- the ledger's observation dates ------------------------------------------------------------

def observation_dates(as_of: date) -> list[date]:
    """Every 3 months back from the last date with a complete 12-month outcome, to the first invoice."""
    first = Invoice.objects.aggregate(first=Min("issue_date"))["first"]
    if first is None or as_of <= first:   # also keeps a day near year 1 from counting back past it
        return []
    last = ledger.months_before(as_of, ledger.WINDOW_MONTHS)
    if last < first:
        return []
    dates, step = [], 0
    while (day := ledger.add_months(last, -OBSERVATION_EVERY_MONTHS * step)) >= first:
        dates.append(day)
        step += 1
    return sorted(dates)


# --- who decides ------------------------------------------------------------------------------------

def approvers(exclude=None) -> list:
    users = users_with_perm("scoring.approve_promotion")
    return list(users.exclude(pk=exclude.pk) if exclude is not None else users)


def risk_managers() -> list:
    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.RISK_MANAGER).distinct())


