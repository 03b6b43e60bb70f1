"""Training both credit models on 100,000 rows and batch scoring 1,000,000 (issue 5).

    .venv/bin/python benchmarks/bench_train.py
    .venv/bin/python benchmarks/bench_train.py --rows 200000 --score-rows 2000000

Synthetic data with a known logistic ground truth: 12 numeric features (some with missing values,
one with a U-shaped effect, two pure noise) and 8 categorical ones (3 to 40 levels, one with missing
values), the log-odds of default a fixed sum of their effects, about 8% events. The figures, in one run:

- train: `train_models` with the scorecard alone, the LightGBM challenger alone (500 rounds at most,
  early stopping), each timed end to end (typing, split, fit, validation report), target: both < 60 s;
  reference: sklearn LogisticRegression on the numeric features (missing as 0, standardised) plus
  one-hot categories, no binning and no report;
- score: `model_dir.predict` (the model saved and loaded by `fengkong.scoring.storage`) on 1,000,000 rows with the scorecard (points, probability, three reasons)
  and with the challenger (probability), target < 10 s; reference: a plain numpy dot product of
  1,000,000 × 20. The challenger's SHAP reasons (`pred_contrib`) cost far more per row, so they are
  timed on 100,000 rows: score everyone, explain the rows someone will look at;
- the AUCs on the test split, beside the ground truth's own AUC (the best any model can do).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime

import numpy as np
import polars as pl

from fengkong.engine.modelling import metrics, model_dir
from fengkong.engine.modelling.train import TrainConfig, train_models
from fengkong.scoring import storage


def synthetic(rows: int, seed: int) -> tuple[pl.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns, logit = {}, np.full(rows, -3.2)
    for i in range(12):
        x = rng.normal(0, 1, rows)
        effect = [0.8, -0.6, 0.5, -0.4, 0.3, 0.3, -0.2, 0.2, 0.1, 0.0, 0.0, 0.0][i] * x
        if i == 5:
            effect = 0.3 * x**2 - 0.3  # U-shaped: risky at both ends
        logit += effect
        if i % 3 == 0:
            x[rng.random(rows) < 0.1] = np.nan
        columns[f"num_{i:02d}"] = x * (1000 if i == 1 else 1)
    for j, levels in enumerate([3, 5, 8, 12, 20, 40, 4, 6]):
        codes = rng.integers(0, levels, rows)
        level_effect = rng.normal(0, 0.5 if j < 5 else 0.0, levels)
        logit += level_effect[codes]
        labels = np.array([f"c{j}_{k}" for k in range(levels)], dtype=object)[codes]
        if j == 2:
            labels[rng.random(rows) < 0.05] = None
        columns[f"cat_{j}"] = labels
    truth = 1 / (1 + np.exp(-logit))
    y = (rng.random(rows) < truth).astype(np.int8)
    frame = pl.DataFrame({**{k: pl.Series(k, v, dtype=pl.String if k.startswith("cat") else pl.Float64)
                             for k, v in columns.items()}, "default": y}).fill_nan(None)
    return frame, truth


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--score-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores; {args.rows:,} training rows, "
          f"{args.score_rows:,} scoring rows")

    frame, truth = synthetic(args.rows, args.seed)
    now = datetime.now(UTC)
    card, t_card = timed(lambda: train_models(frame, "default", TrainConfig(model="scorecard", seed=args.seed),
                                              created_at=now))
    gbm, t_gbm = timed(lambda: train_models(frame, "default", TrainConfig(model="gbm", seed=args.seed),
                                            created_at=now))
    _, t_ref = timed(lambda: reference_logistic(frame))
    y_test = frame["default"].to_numpy()[card.split.test]
    print("\ntraining (end to end: typing, split, fit, validation report)")
    print(f"  scorecard   {t_card:7.2f} s   test AUC {card.report['models']['scorecard']['test']['auc']:.4f}   "
          f"{len(card.scorecard.selected_)} features in the card")
    print(f"  LightGBM    {t_gbm:7.2f} s   test AUC {gbm.report['models']['gbm']['test']['auc']:.4f}   "
          f"best iteration {gbm.gbm.best_iteration_}")
    print(f"  both        {t_card + t_gbm:7.2f} s   target < 60 s: {'met' if t_card + t_gbm < 60 else 'MISSED'}")
    print(f"  reference   {t_ref:7.2f} s   sklearn LogisticRegression, scaled numbers + one-hot "
          f"(scorecard {t_card / t_ref:.1f}x, LightGBM {t_gbm / t_ref:.1f}x of it)")
    print(f"  ground truth test AUC {metrics.auc(y_test, truth[card.split.test]):.4f} (the ceiling)")

    big, _ = synthetic(args.score_rows, args.seed + 1)
    big = big.drop("default")
    with tempfile.TemporaryDirectory() as tmp:
        storage.save_model(card, f"{tmp}/card", html=False)
        storage.save_model(gbm, f"{tmp}/gbm", html=False)
        card_model, gbm_model = storage.load_model(f"{tmp}/card"), storage.load_model(f"{tmp}/gbm")
        _, s_card = timed(lambda: model_dir.predict(card_model, big))
        _, s_card_bare = timed(lambda: model_dir.predict(card_model, big, reasons=False))
        _, s_gbm_bare = timed(lambda: model_dir.predict(gbm_model, big, reasons=False))
        shap_rows = min(100_000, big.height)
        _, s_gbm = timed(lambda: model_dir.predict(gbm_model, big.head(shap_rows)))
    x = np.nan_to_num(big.select(pl.col(pl.Float64)).to_numpy())
    x = np.hstack([x, np.ones((x.shape[0], 20 - x.shape[1]))])
    _, s_dot = timed(lambda: 1 / (1 + np.exp(-np.clip(x @ np.linspace(-1, 1, 20), -30, 30))))
    print(f"\nbatch scoring of {args.score_rows:,} rows (target < 10 s)")
    for label, seconds in (("scorecard, points + probability + 3 reasons", s_card),
                           ("scorecard, points + probability", s_card_bare),
                           ("LightGBM, probability", s_gbm_bare)):
        print(f"  {label:45} {seconds:7.2f} s   {seconds / s_dot:8.1f}x the numpy dot product")
    print(f"  {'LightGBM, + 3 SHAP reasons, ' + format(shap_rows, ',') + ' rows':45} {s_gbm:7.2f} s   "
          f"(TreeSHAP; {s_gbm * big.height / shap_rows:.0f} s per {big.height:,} rows)")
    print(f"  {'reference: numpy dot product + sigmoid':45} {s_dot:7.2f} s")


def reference_logistic(frame: pl.DataFrame) -> None:
    from sklearn.linear_model import LogisticRegression

    numeric = frame.select(pl.col(pl.Float64).fill_null(0.0)).to_numpy()
    numeric = (numeric - numeric.mean(axis=0)) / numeric.std(axis=0)  # scaled, so lbfgs converges fast
    onehot = frame.select(pl.col(pl.String)).fill_null("missing").to_dummies().to_numpy()
    x = np.hstack([numeric, onehot])
    LogisticRegression(max_iter=1000).fit(x, frame["default"].to_numpy())


if __name__ == "__main__":
    main()
