"""The explainable scorecard: optimal WOE binning per feature, a logistic regression on the WOEs, points.

Design decisions:
- Binning is optbinning's OptimalBinning, one per feature: numeric features get a monotonic event rate
  ("auto_asc_desc": rising or falling, whichever fits) when they have enough distinct values, categories
  are grouped by event rate; a missing value is always its own bin with its own WOE ("empirical").
- WOE follows optbinning: ln(share of goods / share of bads), so a high WOE is a safe bin and every
  coefficient of the event (bad) model should be negative. A feature whose coefficient comes out
  positive (collinearity turns its meaning around) is dropped and the model refitted: every point
  must read the way its bin's bad rate does.
- Points: score = offset + factor · ln(odds good:bad), factor = PDO / ln 2, offset = base − factor ·
  ln(base odds); defaults 600 points at 50:1, 20 points to double the odds. The intercept is spread evenly
  over the features, so a row's score is exactly the sum of its bins' points and its probability follows
  from the score.
- Scoring uses the points table alone (`ScorecardTable`, plain JSON): the fitted optbinning and sklearn
  objects are kept for inspection, but a model directory scores without unpickling anything.
- A reason code is a feature where the row lost points against that feature's best bin; the top ones,
  largest loss first, explain a low score.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from .exceptions import ModellingError

Progress = Callable[[str, int, int], None]
MISSING, UNKNOWN = "Missing", "Unknown"


@dataclass(frozen=True)
class PointsScale:
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self):
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ModellingError(f"PDO and base odds must be positive (got PDO {self.pdo}, odds {self.base_odds}).")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def score(self, p_bad: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(p_bad, dtype=float), 1e-12, 1 - 1e-12)
        return self.offset + self.factor * np.log((1 - p) / p)

    def probability(self, score: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp((np.asarray(score, dtype=float) - self.offset) / self.factor))


class Scorecard:
    """A binning process plus a logistic regression, scaled to points (in the sklearn way)."""

    def __init__(self, *, min_iv: float = 0.02, scale: PointsScale | None = None, max_n_bins: int = 8,
                 min_bin_size: float = 0.05, C: float = 1.0, seed: int = 42):
        self.min_iv = min_iv
        self.scale = scale
        self.max_n_bins = max_n_bins
        self.min_bin_size = min_bin_size
        self.C = C
        self.seed = seed

    def fit(self, frame: pl.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str],
            progress: Progress | None = None) -> Scorecard:
        from sklearn.linear_model import LogisticRegression

        features = [*numeric, *categorical]
        self.binnings_, self.iv_ = {}, {}
        for i, name in enumerate(features):
            self.binnings_[name] = self._bin(frame[name], y, name in categorical)
            self.binnings_[name].binning_table.build()
            self.iv_[name] = float(self.binnings_[name].binning_table.iv)
            if progress:
                progress("binning features", i + 1, len(features))
        self.dropped_ = {n: f"information value {iv:.4f} below {self.min_iv}" for n, iv in self.iv_.items()
                         if not iv >= self.min_iv}
        selected = [n for n in features if n not in self.dropped_]
        if not selected:
            best = sorted(self.iv_.items(), key=lambda kv: -kv[1])[:5]
            raise ModellingError(f"No feature has an information value of at least {self.min_iv}; the best are "
                                 + ", ".join(f"{n} {iv:.4f}" for n, iv in best) + ". Lower --min-iv to use them.")
        woe = self.woe(frame, selected)
        while True:
            model = LogisticRegression(C=self.C, max_iter=1000, random_state=self.seed)
            model.fit(woe, y)
            coef = model.coef_[0]
            if not (coef > 0).any() or len(selected) == 1:
                break
            worst = selected[int(np.argmax(coef))]
            self.dropped_[worst] = (f"its coefficient turned positive ({coef.max():.3f}) next to correlated "
                                    "features, so its points would contradict its bad rates")
            keep = [n != worst for n in selected]
            woe, selected = woe[:, keep], [n for n in selected if n != worst]
        self.selected_, self.logistic_ = selected, model
        self.table_ = ScorecardTable.build(self.binnings_, selected, model, self.scale or PointsScale(),
                                           numeric=set(numeric))
        if progress:
            progress("scorecard", 1, 1)
        return self

    def _bin(self, series: pl.Series, y: np.ndarray, is_categorical: bool):
        from optbinning import OptimalBinning

        if is_categorical:
            values = np.asarray(series.to_list(), dtype=object)
            values[np.equal(values, None)] = np.nan
            binning = OptimalBinning(name=series.name, dtype="categorical", max_n_bins=self.max_n_bins,
                                     min_bin_size=self.min_bin_size, cat_cutoff=0.01)
        else:
            values = series.cast(pl.Float64).fill_nan(None).to_numpy()
            trend = "auto_asc_desc" if series.drop_nulls().n_unique() >= 5 else "auto"
            binning = OptimalBinning(name=series.name, dtype="numerical", monotonic_trend=trend,
                                     max_n_bins=self.max_n_bins, min_bin_size=self.min_bin_size)
        return binning.fit(values, y)

    def woe(self, frame: pl.DataFrame, features: list[str]) -> np.ndarray:
        """The WOE of each row in each feature, by optbinning itself (the reference for the points table)."""
        columns = []
        for name in features:
            binning = self.binnings_[name]
            if binning.dtype == "categorical":
                values = np.asarray(frame[name].to_list(), dtype=object)
                values[np.equal(values, None)] = np.nan
            else:
                values = frame[name].cast(pl.Float64).fill_nan(None).to_numpy()
            columns.append(binning.transform(values, metric="woe", metric_missing="empirical"))
        return np.column_stack(columns).astype(float)

    def predict_proba(self, frame: pl.DataFrame) -> np.ndarray:
        return self.table_.probability(frame)


@dataclass(frozen=True)
class ScorecardTable:
    """The scorecard as data: per feature its bins and points. Scores a polars frame without optbinning."""

    features: list[dict]  # name, type, iv, coefficient, splits (numeric), bins, missing, unknown
    intercept: float
    scale: PointsScale

    @classmethod
    def build(cls, binnings: dict, selected: list[str], model, scale: PointsScale, numeric: set[str]):
        n = len(selected)
        intercept = float(model.intercept_[0])
        features = []
        for name, coef in zip(selected, model.coef_[0], strict=True):
            table = binnings[name].binning_table.build()
            rows = table.drop(index="Totals") if "Totals" in table.index else table.iloc[:-1]

            def points(woe: float, coef=coef) -> float:
                return float(scale.offset / n - scale.factor * (coef * woe + intercept / n))

            bins = []
            for _, row in rows.iterrows():
                label = row["Bin"]
                if isinstance(label, str) and label in ("Special", "Missing"):
                    continue
                entry = {"label": _label(label), "count": int(row["Count"]), "events": int(row["Event"]),
                         "event_rate": float(row["Event rate"]), "woe": float(row["WoE"]),
                         "iv": float(row["IV"]), "points": points(float(row["WoE"]))}
                if name not in numeric:
                    entry["categories"] = [str(c) for c in label]
                bins.append(entry)
            miss = rows[rows["Bin"].astype(str) == "Missing"].iloc[0]
            missing = {"label": MISSING, "count": int(miss["Count"]), "events": int(miss["Event"]),
                       "event_rate": float(miss["Event rate"]), "woe": float(miss["WoE"]),
                       "iv": float(miss["IV"]), "points": points(float(miss["WoE"]))}
            feature = {"name": name, "type": "numeric" if name in numeric else "categorical",
                       "iv": float(table.loc["Totals", "IV"]), "coefficient": float(coef),
                       "bins": bins, "missing": missing}
            if name in numeric:
                feature["splits"] = [float(s) for s in binnings[name].splits]
            else:
                feature["unknown"] = {"label": UNKNOWN, "woe": 0.0, "points": points(0.0)}
            features.append(feature)
        return cls(features, intercept, scale)

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.features]

    def points(self, frame: pl.DataFrame) -> np.ndarray:
        """Points of each row (rows × features)."""
        return np.column_stack([self._feature_points(frame[f["name"]], f) for f in self.features])

    @staticmethod
    def _feature_points(series: pl.Series, feature: dict) -> np.ndarray:
        bin_points = np.array([b["points"] for b in feature["bins"]])
        if feature["type"] == "numeric":
            x = series.cast(pl.Float64, strict=False).fill_nan(None).to_numpy()
            missing = np.isnan(x)
            index = np.digitize(np.where(missing, 0.0, x), np.array(feature["splits"]), right=False)
            return np.where(missing, feature["missing"]["points"], bin_points[index])
        keys = [c for b in feature["bins"] for c in b["categories"]]
        values = [b["points"] for b in feature["bins"] for _ in b["categories"]]
        mapped = series.cast(pl.String).replace_strict(keys, values, default=feature["unknown"]["points"],
                                                       return_dtype=pl.Float64)
        return np.where(series.is_null().to_numpy(), feature["missing"]["points"], mapped.to_numpy())

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        return self.points(frame).sum(axis=1)

    def probability(self, frame: pl.DataFrame) -> np.ndarray:
        return self.scale.probability(self.score(frame))

    def best_points(self) -> np.ndarray:
        """Each feature's best attainable points (over bins that held training rows)."""
        best = []
        for f in self.features:
            candidates = [b["points"] for b in f["bins"] if b["count"] > 0]
            if f["missing"]["count"] > 0:
                candidates.append(f["missing"]["points"])
            best.append(max(candidates))
        return np.array(best)

    def reasons(self, points: np.ndarray, top: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """(feature index, points lost) of each row's `top` reasons, largest loss first; index −1 when none."""
        lost = self.best_points()[None, :] - points
        k = min(top, lost.shape[1])
        order = np.argsort(-lost, axis=1, kind="stable")[:, :k]
        values = np.take_along_axis(lost, order, axis=1)
        order = np.where(values > 1e-9, order, -1)
        return order, np.where(order >= 0, values, 0.0)

    def points_table(self) -> list[dict]:
        """One row per feature and bin (missing and unknown included), for reports and review."""
        rows = []
        for f in self.features:
            for b in [*f["bins"], f["missing"], *([f["unknown"]] if "unknown" in f else [])]:
                rows.append({"feature": f["name"], "bin": b["label"], "count": b.get("count"),
                             "event_rate": b.get("event_rate"), "woe": b["woe"], "points": round(b["points"], 2)})
        return rows

    def to_dict(self) -> dict:
        return {"features": self.features, "intercept": self.intercept,
                "scale": {"base_score": self.scale.base_score, "base_odds": self.scale.base_odds,
                          "pdo": self.scale.pdo, "factor": self.scale.factor, "offset": self.scale.offset}}

    @classmethod
    def from_dict(cls, data: dict) -> ScorecardTable:
        scale = data["scale"]
        return cls(data["features"], float(data["intercept"]),
                   PointsScale(scale["base_score"], scale["base_odds"], scale["pdo"]))


def _label(label) -> str:
    if isinstance(label, str):
        return label
    return ", ".join(str(c) for c in label)
