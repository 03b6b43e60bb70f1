"""A trained model as a directory: what it needs to score, what it was trained on, and its report.

Layout (format 1):
    metadata.json     format, models, target, columns and types, parameters, metrics, data fingerprint,
                      library versions
    scorecard.json    the points table (bins, WOE, points per feature): everything scoring needs
    scorecard.joblib  the fitted optbinning and scikit-learn objects, for inspection and refitting
    gbm.txt, gbm.json the LightGBM booster (its own text format) and the category lists
    report.json, report.html

Scoring reads only JSON and the LightGBM text file, never a pickle: a model directory from elsewhere can
be scored without running its code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from .exceptions import DataError, ModelDirError
from .gbm import GbmChallenger
from .report import library_versions, render_html, to_json
from .scorecard import PointsScale, ScorecardTable

FORMAT = 1
TOP_REASONS = 3


def save(trained, directory: str | Path, *, html: bool = True) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    schema, report = trained.schema, trained.report
    models = [name for name, model in (("scorecard", trained.scorecard), ("gbm", trained.gbm)) if model]
    metadata = {
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
    _write(directory / "metadata.json", to_json(metadata))
    if trained.scorecard is not None:
        import joblib

        card = trained.scorecard
        _write(directory / "scorecard.json", to_json(card.table_.to_dict()))
        joblib.dump({"binnings": card.binnings_, "logistic": card.logistic_, "selected": card.selected_,
                     "iv": card.iv_, "dropped": card.dropped_}, directory / "scorecard.joblib")
    if trained.gbm is not None:
        trained.gbm.save(directory / "gbm.txt", directory / "gbm.json")
    _write(directory / "report.json", to_json(report))
    if html:
        _write(directory / "report.html", render_html(report))
    return directory


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class LoadedModel:
    directory: Path
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


def load(directory: str | Path) -> LoadedModel:
    directory = Path(directory)
    meta_path = directory / "metadata.json"
    if not meta_path.is_file():
        raise ModelDirError(f"{directory} is not a model directory (no metadata.json in it).")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelDirError(f"{meta_path} cannot be read: {exc}") from None
    if metadata.get("format") != FORMAT:
        raise ModelDirError(f"{directory} has model format {metadata.get('format')!r}; this version reads {FORMAT}.")
    scorecard = gbm = None
    try:
        if "scorecard" in metadata["models"]:
            scorecard = ScorecardTable.from_dict(json.loads((directory / "scorecard.json").read_text("utf-8")))
        if "gbm" in metadata["models"]:
            gbm = GbmChallenger.load(directory / "gbm.txt", directory / "gbm.json")
    except (OSError, KeyError, ValueError) as exc:
        raise ModelDirError(f"{directory} is incomplete or damaged: {exc}") from None
    return LoadedModel(directory, metadata, scorecard, gbm)


def predict(model: str | Path | LoadedModel, frame: pl.DataFrame, *, reasons: bool = True,
            top: int = TOP_REASONS, tree_reasons_top: int | None = None) -> pl.DataFrame:
    """Score a frame: per model the probability of the event, the score in points and the top reasons.

    The columns are `row` (1-based), any ID-like columns of the training data that the frame has, then
    `scorecard_probability`, `score` and `scorecard_reason_k` / `scorecard_reason_k_points` (points lost),
    and `gbm_probability`, `gbm_score` and `gbm_reason_k` / `gbm_reason_k_contribution` (log-odds).

    LightGBM's reasons (TreeSHAP, ~1 ms a row) can be limited to the `tree_reasons_top` rows with the highest
    probability; the other rows get null reasons. Scorecard reasons are a table look-up: always every row.
    """
    model = model if isinstance(model, LoadedModel) else load(model)
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
