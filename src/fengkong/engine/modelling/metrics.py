"""Validation metrics of a binary credit model, in numpy only.

`y` is 1 for the event (a bad outcome) and `p` the predicted probability of it. AUC is the
Mann-Whitney statistic with ties counted half; KS the largest lead of the cumulative share of bads over
that of goods, riskiest first, over all thresholds (ties kept together; a model that ranks backwards has
KS 0, not a high KS); PSI compares two distributions on the bins of
the first (expected) one, with a small floor so an empty bin does not make it infinite.
"""

from __future__ import annotations

import numpy as np

PSI_FLOOR = 1e-4


def auc(y: np.ndarray, p: np.ndarray) -> float:
    y, p = np.asarray(y, dtype=bool), np.asarray(p, dtype=float)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    ranks = _average_ranks(p)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def ks(y: np.ndarray, p: np.ndarray) -> float:
    y, p = np.asarray(y, dtype=bool), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]
    bads = np.cumsum(ys)[last_of_tie] / max(ys.sum(), 1)
    goods = np.cumsum(~ys)[last_of_tie] / max((~ys).sum(), 1)
    return float(max(np.max(bads - goods), 0.0)) if len(ps) else float("nan")


def gini(y: np.ndarray, p: np.ndarray) -> float:
    return 2 * auc(y, p) - 1


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def roc_curve(y: np.ndarray, p: np.ndarray, points: int = 200) -> dict:
    """False and true positive rates at up to `points` thresholds, for the report's chart."""
    y, p = np.asarray(y, dtype=bool), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]
    tpr = np.r_[0, np.cumsum(ys)[last_of_tie] / max(ys.sum(), 1)]
    fpr = np.r_[0, np.cumsum(~ys)[last_of_tie] / max((~ys).sum(), 1)]
    keep = np.unique(np.linspace(0, len(tpr) - 1, min(points, len(tpr))).round().astype(int))
    return {"fpr": fpr[keep].round(6).tolist(), "tpr": tpr[keep].round(6).tolist()}


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Deciles of the predicted probability: rows, mean predicted and observed event rate in each."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(p, kind="mergesort")
    rows = []
    for i, part in enumerate(np.array_split(order, bins)):
        if len(part):
            rows.append({"bin": i + 1, "rows": int(len(part)), "p_min": float(p[part].min()),
                         "p_max": float(p[part].max()), "mean_predicted": float(p[part].mean()),
                         "observed": float(y[part].mean()), "events": int(y[part].sum())})
    return rows


def histogram(values: dict[str, np.ndarray], bins: int = 30) -> dict:
    """Counts of several samples (train, test) on shared edges, for the score-distribution chart."""
    finite = np.concatenate([np.asarray(v, dtype=float)[np.isfinite(v)] for v in values.values()])
    if finite.size == 0:
        return {"edges": [], "counts": {k: [] for k in values}}
    edges = np.histogram_bin_edges(finite, bins=bins)
    return {"edges": edges.round(6).tolist(),
            "counts": {k: np.histogram(np.asarray(v, dtype=float), bins=edges)[0].tolist()
                       for k, v in values.items()}}


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of a numeric distribution, on the deciles of `expected`."""
    expected, actual = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    exp_missing, act_missing = np.isnan(expected), np.isnan(actual)
    edges = np.unique(np.quantile(expected[~exp_missing], np.linspace(0, 1, bins + 1)[1:-1])) \
        if (~exp_missing).any() else np.array([])
    exp_counts = np.r_[np.bincount(np.searchsorted(edges, expected[~exp_missing], side="right"),
                                   minlength=len(edges) + 1), exp_missing.sum()]
    act_counts = np.r_[np.bincount(np.searchsorted(edges, actual[~act_missing], side="right"),
                                   minlength=len(edges) + 1), act_missing.sum()]
    return _psi_from_counts(exp_counts, act_counts)


def psi_categorical(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI of a categorical distribution, one bin per category (missing is a category)."""
    exp = np.asarray([str(v) for v in expected], dtype=object)
    act = np.asarray([str(v) for v in actual], dtype=object)
    categories, exp_codes = np.unique(exp, return_inverse=True)
    lookup = {c: i for i, c in enumerate(categories)}
    act_codes = np.array([lookup.get(v, len(categories)) for v in act], dtype=int)
    return _psi_from_counts(np.bincount(exp_codes, minlength=len(categories) + 1),
                            np.bincount(act_codes, minlength=len(categories) + 1))


def _psi_from_counts(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.maximum(expected / max(expected.sum(), 1), PSI_FLOOR)
    a = np.maximum(actual / max(actual.sum(), 1), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


# --- PSI against a stored reference -----------------------------------------------------------------
# A model's reference distributions are kept as JSON (numeric: inner decile edges, the share in each bin
# and the missing share; categorical: the share of each category, missing as ""), so each risk cycle
# computes PSI against them without the training data.

def numeric_reference(values, bins: int = 10) -> dict:
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    present = values[~missing]
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1])) if present.size else np.array([])
    counts = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1)
    total = max(len(values), 1)
    return {"type": "numeric", "edges": edges.tolist(), "shares": (counts / total).tolist(),
            "missing": float(missing.sum() / total)}


def categorical_reference(values) -> dict:
    seen = [("" if v is None else str(v)) for v in values]
    categories, counts = np.unique(np.asarray(seen, dtype=object), return_counts=True) if seen else ([], [])
    total = max(len(seen), 1)
    return {"type": "categorical", "shares": {str(c): int(n) / total for c, n in zip(categories, counts, strict=True)}}


def psi_to_reference(entry: dict, values) -> float:
    """PSI of new values against one stored reference entry (new categories fall in a bin of their own)."""
    if entry["type"] == "numeric":
        values = np.asarray(values, dtype=float)
        missing = np.isnan(values)
        counts = np.bincount(np.searchsorted(entry["edges"], values[~missing], side="right"),
                             minlength=len(entry["edges"]) + 1)
        return _psi_from_counts(np.r_[entry["shares"], entry["missing"]], np.r_[counts, missing.sum()])
    shares = entry["shares"]
    lookup = {c: i for i, c in enumerate(shares)}
    codes = [lookup.get("" if v is None else str(v), len(shares)) for v in values]
    counts = np.bincount(np.asarray(codes, dtype=int), minlength=len(shares) + 1)
    return _psi_from_counts(np.r_[list(shares.values()), 0.0], counts)


def summary(y: np.ndarray, p: np.ndarray) -> dict:
    """The headline figures of one model on one sample."""
    return {"rows": int(len(y)), "events": int(np.sum(y)), "auc": auc(y, p), "ks": ks(y, p),
            "gini": gini(y, p), "brier": brier(y, p)}
