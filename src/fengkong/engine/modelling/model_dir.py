"""A trained credit model as values: what its model directory records, and scoring a frame with it.

Design decisions:
- The directory (format 1) is written and read by `fengkong.scoring.storage`, which alone touches the
  disk; here are the values it stores: `metadata()` (format, models, target, columns and types,
  parameters, metrics, data fingerprint, library versions), the scorecard's points table
  (`ScorecardTable.to_dict`), the challenger's dict and LightGBM model text (`GbmChallenger.to_dict`,
  `model_text`), the report (`report.to_json`, `report.render_html`).
- Scoring needs only the metadata, the points table and the LightGBM text: a model directory from
  elsewhere can be scored without unpickling anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .exceptions import DataError, ModelDirError
from .gbm import GbmChallenger
from .report import library_versions
from .scorecard import PointsScale, ScorecardTable

FORMAT = 1
TOP_REASONS = 3


def metadata(trained) -> dict:
    """The metadata of a training run (`train.TrainedModels`): what scoring and the registry read first."""
    schema, report = trained.schema, trained.report
    models = [name for name, model in (("scorecard", trained.scorecard), ("gbm", trained.gbm)) if model]
    return {
        "format": FORMAT, "models": models, "created_at": report.get("created_at"),
        "target": {"column": trained.target.column, "positive": trained.target.positive,
                   "negative": trained.target.negative},
        "features": {"numeric": list(schema.numeric), "categorical": list(schema.categorical)},
        "columns": schema.types(), "dropped": schema.dropped, "time_column": schema.time_column,
        "parameters": trained.config.as_dict(),
        "metrics": {name: {"train": block["train"], "test": block["test"], "psi_score": block["psi_score"]}
                    for name, block in report.get("models", {}).items()},
        "split": report.get("split"), "source": report.get("source"), "libraries": library_versions(),
    }


def check_format(metadata: dict, where: str) -> None:
    """A ModelDirError unless `metadata` is of the format this version reads (`where` names the directory)."""
    if metadata.get("format") != FORMAT:
        raise ModelDirError(f"{where} has model format {metadata.get('format')!r}; this version reads {FORMAT}.")


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to score: its metadata, and the scorecard's points table and/or the challenger."""

    metadata: dict
    scorecard: ScorecardTable | None
    gbm: GbmChallenger | None

    @property
    def scale(self) -> PointsScale:
        p = self.metadata["parameters"]
        return PointsScale(p["base_score"], p["base_odds"], p["pdo"])

    @property
    def required_columns(self) -> list[str]:
        names = set(self.scorecard.names) if self.scorecard else set()
        if self.gbm:
            names |= set(self.gbm.features_)
        features = self.metadata["features"]
        return [c for c in [*features["numeric"], *features["categorical"]] if c in names]


def predict(model: LoadedModel, frame: pl.DataFrame, *, reasons: bool = True,
            top: int = TOP_REASONS, tree_reasons_top: int | None = None) -> pl.DataFrame:
    """Score a frame: per model the probability of the event, the score in points and the top reasons.

    The columns are `row` (1-based), any ID-like columns of the training data that the frame has, then
    `scorecard_probability`, `score` and `scorecard_reason_k` / `scorecard_reason_k_points` (points lost),
    and `gbm_probability`, `gbm_score` and `gbm_reason_k` / `gbm_reason_k_contribution` (log-odds).

    LightGBM's reasons (TreeSHAP, ~1 ms a row) can be limited to the `tree_reasons_top` rows with the highest
    probability; the other rows get null reasons. Scorecard reasons are a table look-up: always every row.
    """
    inputs = _check_columns(model, frame)
    ids = [c for c, why in model.metadata["dropped"].items() if why.startswith("ID-like") and c in frame.columns]
    out = {"row": np.arange(1, frame.height + 1, dtype=np.int64)}
    out.update({c: frame[c] for c in ids})
    if model.scorecard is not None:
        table = model.scorecard
        points = table.points(inputs)
        score = points.sum(axis=1)
        out["scorecard_probability"] = table.scale.probability(score)
        out["score"] = score
        if reasons:
            index, lost = table.reasons(points, top)
            _add_reasons(out, "scorecard", table.names, index, lost, "points")
    if model.gbm is not None:
        p = model.gbm.predict_proba(inputs)
        out["gbm_probability"] = p
        out["gbm_score"] = model.scale.score(p)
        if reasons:
            _add_reasons(out, "gbm", model.gbm.features_, *_tree_reasons(model.gbm, inputs, p, top, tree_reasons_top),
                         "contribution")
    return pl.DataFrame(out)


def _tree_reasons(gbm: GbmChallenger, inputs: pl.DataFrame, p: np.ndarray, top: int,
                  limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """LightGBM's top reasons of every row, or of the `limit` riskiest rows (index −1 elsewhere)."""
    if limit is None or len(p) <= limit:
        return gbm.reasons(gbm.contributions(inputs), top)
    rows = np.sort(np.argsort(-p, kind="stable")[:limit])
    chosen, values = gbm.reasons(gbm.contributions(inputs[rows]), top)
    index = np.full((len(p), chosen.shape[1]), -1, dtype=chosen.dtype)
    contributions = np.zeros((len(p), chosen.shape[1]))
    index[rows], contributions[rows] = chosen, values
    return index, contributions


def _add_reasons(out: dict, prefix: str, names: list[str], index: np.ndarray, values: np.ndarray,
                 unit: str) -> None:
    for k in range(index.shape[1]):  # index −1 (nothing lost, nothing raised) becomes a null reason
        out[f"{prefix}_reason_{k + 1}"] = pl.Series(index[:, k]).replace_strict(
            list(range(len(names))), names, default=None, return_dtype=pl.String)
        out[f"{prefix}_reason_{k + 1}_{unit}"] = np.round(values[:, k], 4)


def _check_columns(model: LoadedModel, frame: pl.DataFrame) -> pl.DataFrame:
    """The model's input columns, typed as in training; a clear error for missing or unreadable ones."""
    needed = model.required_columns
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"The data lacks the column(s) the model needs: {', '.join(missing)}.")
    numeric = set(model.metadata["features"]["numeric"])
    exprs = []
    for name in needed:
        if name in numeric:
            cast = frame[name].cast(pl.Float64, strict=False)
            bad = frame[name].is_not_null() & cast.is_null()
            if bad.any():
                examples = frame[name].filter(bad).unique().head(5).to_list()
                raise DataError(f"Column {name!r} is numeric in the model but has {int(bad.sum())} value(s) that "
                                f"are not numbers, e.g. {examples!r}.")
            exprs.append(cast.alias(name))
        else:
            exprs.append(frame[name].cast(pl.String).alias(name))
    return pl.DataFrame(exprs)
