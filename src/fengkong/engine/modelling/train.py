"""Training both models on a frame, validating them on a held-out split, and cross-validating.

`train_models(frame, target, config, created_at=...)` is the one entry point the CLI, the ledger models and
the registry share: it takes a polars frame (the file already read, or features built from the ledger) and
the moment of the run, and returns the fitted models with their report. It does no file I/O and reads no
clock; `fengkong.scoring.storage.save_model` writes the result as a model directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from . import metrics
from .data import (
    Schema,
    Split,
    Target,
    infer_schema,
    prepare,
    split_rows,
    summarise,
    target_mask,
    validate_target,
)
from .exceptions import ModellingError
from .gbm import GbmChallenger
from .report import build_report
from .scorecard import PointsScale, Scorecard

Progress = Callable[[str, int, int], None]
MODELS = ("scorecard", "gbm", "both")


@dataclass(frozen=True)
class TrainConfig:
    model: str = "both"  # scorecard, gbm or both
    time_column: str | None = None
    positive: str | None = None  # the target value that is the event; inferred for 0/1, bad/good, yes/no
    seed: int = 42
    test_share: float = 0.25
    min_iv: float = 0.02
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0
    gbm_estimators: int = 500
    num_threads: int = 2
    exclude: tuple[str, ...] = ()  # columns never to use as features
    include: tuple[str, ...] = ()  # ID-like columns to use as features all the same
    date_format: str | None = None  # how the time column's dates read: a pattern, "dayfirst" or "monthfirst"

    def __post_init__(self):
        if self.model not in MODELS:
            raise ModellingError(f"Unknown model {self.model!r}; choose one of {', '.join(MODELS)}.")
        if not 0.05 <= self.test_share <= 0.5:
            raise ModellingError(f"The test share must be between 0.05 and 0.5 (got {self.test_share}).")

    @property
    def scale(self) -> PointsScale:
        return PointsScale(self.base_score, self.base_odds, self.pdo)

    def as_dict(self) -> dict:
        return {**asdict(self), "exclude": list(self.exclude), "include": list(self.include)}


@dataclass
class TrainedModels:
    schema: Schema
    target: Target
    split: Split
    config: TrainConfig
    scorecard: Scorecard | None
    gbm: GbmChallenger | None
    report: dict = field(default_factory=dict)


def train_models(frame: pl.DataFrame, target: str, config: TrainConfig | None = None, *, created_at: datetime,
                 fingerprint: str | None = None, source: str | None = None,
                 progress: Progress | None = None) -> TrainedModels:
    """Both models (or the one `config.model` names) fitted on a held-out split, with their report;
    `created_at` (timezone-aware) is the run's moment in the report and the model's metadata."""
    config = config or TrainConfig()
    y, target_info = validate_target(frame, target, config.positive)
    rows = np.flatnonzero(target_mask(frame, target)) + 2  # the file's row numbers (header row 1)
    frame = frame.filter(pl.col(target).is_not_null())
    schema = _schema(frame, target, config)
    features = prepare(frame, schema, config.date_format, rows)
    times = features[config.time_column] if config.time_column else None
    split = split_rows(y, times=times, seed=config.seed, test_share=config.test_share,
                       event=f"{target} = {target_info.positive}")
    train, test = features[split.train], features[split.test]
    y_train, y_test = y[split.train], y[split.test]
    numeric, categorical = list(schema.numeric), list(schema.categorical)

    scorecard = gbm = None
    if config.model in ("scorecard", "both"):
        scorecard = Scorecard(min_iv=config.min_iv, scale=config.scale, seed=config.seed)
        scorecard.fit(train, y_train, numeric, categorical, progress=progress)
    if config.model in ("gbm", "both"):
        gbm = GbmChallenger(n_estimators=config.gbm_estimators, num_threads=config.num_threads, seed=config.seed)
        gbm.fit(train, y_train, numeric, categorical, progress=progress)

    trained = TrainedModels(schema, target_info, split, config, scorecard, gbm)
    trained.report = build_report(trained, train, test, y_train, y_test, summarise(frame, schema, target_info),
                                  created_at=created_at, fingerprint=fingerprint, source=source, progress=progress)
    return trained


def _schema(frame: pl.DataFrame, target: str, config: TrainConfig) -> Schema:
    return infer_schema(frame, target, config.time_column, exclude=config.exclude, include=config.include,
                        date_format=config.date_format)


def cross_validated_auc(frame: pl.DataFrame, target: str, config: TrainConfig | None = None,
                        folds: int = 5) -> list[float]:
    """The scorecard's AUC on each of `folds` stratified folds (binning and regression refitted per fold)."""
    from sklearn.model_selection import StratifiedKFold

    config = config or TrainConfig()
    y, _ = validate_target(frame, target, config.positive)
    frame = frame.filter(pl.col(target).is_not_null())
    schema = _schema(frame, target, config)
    features = prepare(frame, schema, config.date_format)
    aucs = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=config.seed).split(np.zeros(len(y)), y):
        model = Scorecard(min_iv=config.min_iv, scale=config.scale, seed=config.seed)
        model.fit(features[train], y[train], list(schema.numeric), list(schema.categorical))
        aucs.append(metrics.auc(y[test], model.predict_proba(features[test])))
    return aucs
