"""AUC, KS, Gini, Brier, calibration and PSI against scikit-learn and against hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from fengkong.engine.modelling import metrics


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=2, max_size=200))
def test_auc_ks_and_brier_agree_with_scikit_learn_even_with_ties(pairs):
    y = np.array([p[0] for p in pairs], dtype=int)
    p = np.array([p[1] for p in pairs], dtype=float) / 20
    if y.min() == y.max():
        assert np.isnan(metrics.auc(y, p))
        return
    assert metrics.auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    fpr, tpr, _ = roc_curve(y, p)
    assert metrics.ks(y, p) == pytest.approx(np.max(tpr - fpr), abs=1e-12)
    assert metrics.brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert metrics.gini(y, p) == pytest.approx(2 * roc_auc_score(y, p) - 1, abs=1e-12)


def test_a_perfect_ranking_has_auc_one_and_ks_one():
    y, p = np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])
    assert (metrics.auc(y, p), metrics.ks(y, p), metrics.gini(y, p)) == (1.0, 1.0, 1.0)


def test_the_calibration_table_has_deciles_of_the_prediction_covering_every_row():
    rng = np.random.default_rng(1)
    p = rng.random(1000)
    y = (rng.random(1000) < p).astype(int)
    table = metrics.calibration_table(y, p)
    assert len(table) == 10 and sum(r["rows"] for r in table) == 1000
    assert all(a["p_max"] <= b["p_min"] for a, b in zip(table, table[1:], strict=False))
    assert all(abs(r["mean_predicted"] - r["observed"]) < 0.12 for r in table)  # it is calibrated


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shifted_one():
    rng = np.random.default_rng(2)
    base = rng.normal(0, 1, 20_000)
    assert metrics.psi(base, base) == pytest.approx(0.0)
    assert metrics.psi(base, rng.normal(0, 1, 20_000)) < 0.01
    assert metrics.psi(base, rng.normal(1, 1, 20_000)) > 0.25


def test_psi_counts_missing_values_and_new_categories_as_their_own_bins():
    with_missing = np.r_[np.arange(100.0), [np.nan] * 100]
    assert metrics.psi(np.arange(200.0), with_missing) > 0.25
    old = np.array(["甲"] * 50 + ["乙"] * 50, dtype=object)
    assert metrics.psi_categorical(old, old) == pytest.approx(0.0)
    assert metrics.psi_categorical(old, np.array(["丙"] * 100, dtype=object)) > 1


def test_the_histogram_puts_train_and_test_on_the_same_edges():
    hist = metrics.histogram({"train": np.arange(100.0), "test": np.arange(50.0, 150.0)}, bins=10)
    assert len(hist["edges"]) == 11 and sum(hist["counts"]["train"]) == sum(hist["counts"]["test"]) == 100
