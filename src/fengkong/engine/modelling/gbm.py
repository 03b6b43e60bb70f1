"""The LightGBM challenger: better ranking than the scorecard, explained per row by tree contributions.

Design decisions:
- Categories are LightGBM's native categorical features: each category becomes its index in the sorted
  training categories; an unseen category or a missing value is NaN, which LightGBM sends down its
  missing branch. The category lists are saved with the model, so scoring needs no pandas.
- Early stopping watches a stratified fifth of the training rows (never the test set), and the model
  keeps its best iteration. Seeds and `deterministic` make two runs on the same data identical;
  `num_threads` is small because the web and workers share the machine.
- Contributions are SHAP values from `pred_contrib=True` in log-odds; a reason is a feature that pushed
  the row's risk up, largest push first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from .exceptions import ModelDirError

Progress = Callable[[str, int, int], None]

DEFAULT_PARAMS = {
    "objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "cat_smooth": 10.0, "max_cat_to_onehot": 4, "deterministic": True, "force_col_wise": True,
    "verbosity": -1,
}


class GbmChallenger:
    def __init__(self, *, n_estimators: int = 500, early_stopping_rounds: int = 50, valid_share: float = 0.2,
                 num_threads: int = 2, seed: int = 42, params: dict | None = None):
        self.n_estimators = n_estimators
        self.early_stopping_rounds = early_stopping_rounds
        self.valid_share = valid_share
        self.num_threads = num_threads
        self.seed = seed
        self.params = params

    def fit(self, frame: pl.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str],
            progress: Progress | None = None) -> GbmChallenger:
        import lightgbm as lgb
        from sklearn.model_selection import train_test_split

        self.numeric_, self.categorical_ = list(numeric), list(categorical)
        self.categories_ = {c: sorted(frame[c].drop_nulls().cast(pl.String).unique().to_list())
                            for c in categorical}
        x = self.matrix(frame)
        fit_rows, valid_rows = train_test_split(np.arange(len(y)), test_size=self.valid_share, stratify=y,
                                                random_state=self.seed)
        params = {**DEFAULT_PARAMS, **(self.params or {}), "seed": self.seed, "num_threads": self.num_threads}
        cat_index = list(range(len(self.numeric_), len(self.features_)))
        train_set = lgb.Dataset(x[fit_rows], y[fit_rows], feature_name=self.features_,
                                categorical_feature=cat_index, free_raw_data=True)
        valid_set = lgb.Dataset(x[valid_rows], y[valid_rows], reference=train_set)
        callbacks = [lgb.early_stopping(self.early_stopping_rounds, verbose=False)]
        if progress:
            callbacks.append(lambda env: progress("LightGBM", env.iteration + 1, self.n_estimators))
        self.booster_ = lgb.train(params, train_set, num_boost_round=self.n_estimators, valid_sets=[valid_set],
                                  callbacks=callbacks)
        self.best_iteration_ = int(self.booster_.best_iteration or self.n_estimators)
        if progress:
            progress("LightGBM", self.n_estimators, self.n_estimators)
        return self

    @property
    def features_(self) -> list[str]:
        return [*self.numeric_, *self.categorical_]

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        """Numbers as they are, categories as their training index (NaN when missing or unseen)."""
        exprs = [pl.col(c).cast(pl.Float64, strict=False).fill_nan(None) for c in self.numeric_]
        exprs += [pl.col(c).cast(pl.String).replace_strict(cats, list(range(len(cats))), default=None,
                                                           return_dtype=pl.Float64)
                  for c, cats in self.categories_.items()]
        # row-major: LightGBM predicts row by row, and copies a column-major matrix first
        return np.ascontiguousarray(frame.select(exprs).to_numpy(), dtype=np.float64)

    def predict_proba(self, frame: pl.DataFrame) -> np.ndarray:
        return self.booster_.predict(self.matrix(frame), num_iteration=self.best_iteration_,
                                     num_threads=self.num_threads)

    def contributions(self, frame: pl.DataFrame) -> np.ndarray:
        """Per-row SHAP contributions in log-odds (rows × features; the bias column dropped)."""
        out = self.booster_.predict(self.matrix(frame), num_iteration=self.best_iteration_, pred_contrib=True,
                                    num_threads=self.num_threads)
        return np.asarray(out)[:, :-1]

    @staticmethod
    def reasons(contributions: np.ndarray, top: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """(feature index, contribution) of the features that raised each row's risk most; −1 when none."""
        k = min(top, contributions.shape[1])
        order = np.argsort(-contributions, axis=1, kind="stable")[:, :k]
        values = np.take_along_axis(contributions, order, axis=1)
        order = np.where(values > 0, order, -1)
        return order, np.where(order >= 0, values, 0.0)

    def feature_importance(self) -> dict[str, float]:
        gains = self.booster_.feature_importance(importance_type="gain", iteration=self.best_iteration_)
        return {n: float(g) for n, g in zip(self.features_, gains, strict=True)}

    # --- as values: the booster as LightGBM's own model text, the rest as a JSON-able dict ---

    def to_dict(self) -> dict:
        """Everything but the booster: the feature lists, the category codes and the parameters."""
        return {"numeric": self.numeric_, "categorical": self.categorical_, "categories": self.categories_,
                "best_iteration": self.best_iteration_, "num_threads": self.num_threads, "seed": self.seed,
                "n_estimators": self.n_estimators, "params": {**DEFAULT_PARAMS, **(self.params or {})}}

    def model_text(self) -> str:
        """The booster in LightGBM's text format, cut at the best iteration."""
        return self.booster_.model_to_string(num_iteration=self.best_iteration_)

    @classmethod
    def from_dict(cls, meta: dict, model_text: str) -> GbmChallenger:
        """The fitted challenger back from `to_dict()` and `model_text()`; a text LightGBM cannot read is a
        ModelDirError."""
        model = cls(n_estimators=meta["n_estimators"], num_threads=meta["num_threads"], seed=meta["seed"])
        model.numeric_, model.categorical_ = meta["numeric"], meta["categorical"]
        model.categories_ = meta["categories"]
        model.booster_ = booster_from_text(model_text)
        model.best_iteration_ = model.booster_.current_iteration()
        return model


def booster_from_text(text: str):
    """A LightGBM booster from its model text (lightgbm imported here: a heavy library only scoring needs)."""
    import lightgbm as lgb

    try:
        return lgb.Booster(model_str=text)
    except lgb.basic.LightGBMError as exc:
        raise ModelDirError(f"the LightGBM model cannot be read: {str(exc).strip()[:300]}") from None
