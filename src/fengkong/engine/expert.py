"""The expert scorecard of the credit assessment (article §2, §3), vectorised over the whole book.

Pure: numpy arrays and a frozen `Scorecard` in, a frozen `Scored` out; no Django, no I/O. The credit
app builds the scorecard from its policy (credit.grading.scorecard) and the inputs from the ledger
(credit.features).

How a customer is scored:
1. Each metric value gets the points of its band. Bands are read in order: where higher is better the
   first band whose threshold the value reaches (value >= threshold), where lower is better the first
   whose threshold it does not exceed (value <= threshold); the last band catches the rest. The
   industry outlook is categorical: points per category code.
2. A missing value (NaN, or category code -1) follows its metric's rule: "worst" takes the lowest points
   the metric can give, "neutral" takes its neutral points, "exclude" leaves the metric out so the other
   metrics of its dimension carry its weight. A dimension left with no metric takes neutral points (the
   weighted mean of its metrics' neutral points).
3. A dimension's score (0-100) is the weighted mean of its metrics' points; the total (0-100, rounded
   to two places, as stored) the weighted mean of the dimension scores.
4. The grade follows the cut-offs, then caps, the strictest wins: a missing dimension's cap (e.g. no
   better than A without statements, B without payment history); the "little known" cap when the
   dimensions present carry less than `min_known_share` of the weight; an industry under a systemic
   alarm; a knock-out (danger zone, stop-supply, litigation, blacklist: `LimitInputs.knockout`), which
   also sets the limit to 0.
5. The limit of the grade: min(revenue share x revenue, equity share x equity) when statements give
   either (the one given if only one), else sales share x our invoiced sales of the last 12 months;
   never below 0; capped; plus collateral share x the eligible secured value (collateral and
   third-party guarantees); rounded down to a unit that follows the size of the limit: with
   `round_digits` d > 0, the power of ten that keeps d significant digits, at most `round_to_fen`
   (so a small USD book is not rounded to 0 by a ¥10,000 unit); with d = 0 the fixed `round_to_fen`.
   Money is integer fen throughout.
6. Reasons: the points each metric cost the total (its effective weight x (100 - points)), largest
   first; the engine returns the order, the caller words them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRADES = ("A", "B", "C")  # codes 0, 1, 2: higher is worse
MISSING_CATEGORY = -1
REASONS_KEPT = 3


@dataclass(frozen=True)
class MetricRule:
    name: str
    dimension: str
    weight: float                       # within its dimension, as configured
    higher: bool
    thresholds: tuple[float, ...]       # the band thresholds in order, without the last ("the rest")
    band_points: tuple[float, ...]      # len(thresholds) + 1 points; the last for the rest
    categories: tuple[str, ...] = ()    # categorical metric: category codes 0..n-1 mean these
    category_points: tuple[float, ...] = ()
    missing: str = "worst"              # worst | neutral | exclude
    neutral_points: float = 50.0

    @property
    def categorical(self) -> bool:
        return bool(self.categories)

    @property
    def worst_points(self) -> float:
        return float(min(self.category_points if self.categorical else self.band_points))


@dataclass(frozen=True)
class DimensionRule:
    name: str
    weight: float
    metrics: tuple[MetricRule, ...]
    when_missing: str = "metrics"       # all inputs missing: "reweight" (leave it out) | "metrics" (their rules)
    cap: int | None = None              # grade code: no better than this when all its inputs are missing

    @property
    def neutral_points(self) -> float:
        weights = np.array([m.weight for m in self.metrics], dtype=float)
        points = np.array([m.neutral_points for m in self.metrics], dtype=float)
        return float((weights * points).sum() / weights.sum()) if weights.sum() > 0 else float(points.mean())


@dataclass(frozen=True)
class GradeRule:
    revenue_share: float
    equity_share: float
    sales_share: float
    cap_fen: int
    collateral_share: float
    term_days: int
    guarantee: str


@dataclass(frozen=True)
class Scorecard:
    dimensions: tuple[DimensionRule, ...]
    cutoffs: tuple[float, float]        # total at or above: A, B; below B: C
    alarm_cap: int | None               # grade code an alarm caps to (None: no cap)
    grades: tuple[GradeRule, GradeRule, GradeRule]   # A, B, C
    round_to_fen: int
    round_digits: int = 0               # significant digits the limit keeps (0: the fixed round_to_fen)
    min_known_share: float = 0.0        # 0-1: the dimensions present must carry this share of the weight...
    little_known_cap: int | None = None  # ...or the grade is no better than this
    knockout_cap: int | None = None     # grade code a knock-out caps to (None: knock-outs do not cap)

    @property
    def metrics(self) -> tuple[MetricRule, ...]:
        return tuple(m for d in self.dimensions for m in d.metrics)


@dataclass(frozen=True)
class LimitInputs:
    revenue_fen: np.ndarray     # float64, NaN: no statement figure
    equity_fen: np.ndarray      # float64, NaN: no statement figure
    sales_12m_fen: np.ndarray   # int64
    secured_fen: np.ndarray     # int64: eligible collateral + third-party guarantees
    alarm: np.ndarray           # bool: the customer's industry is under a systemic alarm
    knockout: np.ndarray | None = None  # bool: a knock-out applies (None: none does)


@dataclass(frozen=True)
class Scored:
    metric_names: tuple[str, ...]
    dimension_names: tuple[str, ...]
    points: np.ndarray          # (n, metrics) float: points of each metric (NaN where excluded)
    missing: np.ndarray         # (n, metrics) bool: the input was missing
    used_weight: np.ndarray     # (n, metrics) float: the metric's share of the total (0 when excluded)
    dimension_scores: np.ndarray  # (n, dimensions) float 0-100
    dimension_neutral: np.ndarray  # (n, dimensions) bool: no metric left, neutral points taken
    dimension_missing: np.ndarray  # (n, dimensions) bool: every input of the dimension was missing
    dimension_weight: np.ndarray   # (n, dimensions) float: the dimension's share of the total (0 left out)
    known_share: np.ndarray     # (n,) float 0-1: share of the configured weight whose dimension had an input
    little_known: np.ndarray    # (n,) bool: known_share below the policy's minimum (the cap applied)
    knocked_out: np.ndarray     # (n,) bool: a knock-out applied (grade capped, limit 0)
    total: np.ndarray           # (n,) float, rounded to two places
    grade: np.ndarray           # (n,) int8 codes into GRADES, after the alarm cap
    uncapped_grade: np.ndarray  # (n,) int8: the grade the total gives
    lost: np.ndarray            # (n, metrics) float: points of the total each metric cost
    reasons: np.ndarray         # (n, REASONS_KEPT) int: metric indices, largest cost first; -1 none
    limit_fen: np.ndarray       # (n,) int64
    base_fen: np.ndarray        # (n,) int64: the limit before collateral and rounding, after the cap
    limit_basis: np.ndarray     # (n,) int8: 0 statements, 1 our sales (no statements)
    term_days: np.ndarray       # (n,) int64
    guarantee: np.ndarray       # (n,) object: the grade's guarantee requirement

    def grade_letters(self) -> np.ndarray:
        return np.array(GRADES, dtype=object)[self.grade]


def band_points(values: np.ndarray, rule: MetricRule) -> np.ndarray:
    """Points of each value by the metric's bands (missing values get the last band; callers replace them)."""
    thresholds = np.asarray(rule.thresholds, dtype=float)
    points = np.asarray(rule.band_points, dtype=float)
    if rule.higher:  # decreasing thresholds: the first the value reaches
        index = np.searchsorted(-thresholds, -values, side="left")
    else:            # increasing thresholds: the first the value does not exceed
        index = np.searchsorted(thresholds, values, side="left")
    return points[np.minimum(index, len(points) - 1)]


def category_points(codes: np.ndarray, rule: MetricRule) -> np.ndarray:
    table = np.asarray(rule.category_points, dtype=float)
    return table[np.clip(codes, 0, len(table) - 1)]


def metric_points(values: np.ndarray, rule: MetricRule) -> tuple[np.ndarray, np.ndarray]:
    """(points with the missing rule applied — NaN where excluded, missing mask)."""
    if rule.categorical:
        codes = np.asarray(values, dtype=np.int64)
        missing = codes < 0
        points = category_points(codes, rule)
    else:
        values = np.asarray(values, dtype=float)
        missing = np.isnan(values)
        points = band_points(values, rule)
    fill = {"worst": rule.worst_points, "neutral": rule.neutral_points, "exclude": np.nan}[rule.missing]
    return np.where(missing, fill, points), missing


def score(inputs: dict[str, np.ndarray], limits: LimitInputs, card: Scorecard) -> Scored:
    """Score every customer: `inputs` holds one array per metric (float, NaN missing; outlook as codes)."""
    metrics = card.metrics
    n = len(limits.sales_12m_fen)
    points = np.empty((n, len(metrics)))
    missing = np.zeros((n, len(metrics)), dtype=bool)
    for j, rule in enumerate(metrics):
        points[:, j], missing[:, j] = metric_points(inputs[rule.name], rule)
    dim_scores, dim_neutral, dim_missing, within = _dimensions(points, missing, card)
    dim_weights = np.array([d.weight for d in card.dimensions], dtype=float)
    left_out = dim_missing & np.array([d.when_missing == "reweight" for d in card.dimensions], dtype=bool)
    row_weights = np.where(left_out, 0.0, dim_weights)
    nothing = row_weights.sum(axis=1) <= 0          # every dimension left out: the metrics' rules apply
    row_weights = np.where(nothing[:, None], dim_weights, row_weights)
    row_share = row_weights / row_weights.sum(axis=1, keepdims=True)
    total = np.round((dim_scores * row_share).sum(axis=1), 2)
    known = np.where(dim_missing, 0.0, dim_weights).sum(axis=1) / dim_weights.sum()
    uncapped = _grades(total, card.cutoffs)
    grade = uncapped.copy()
    for k, dim in enumerate(card.dimensions):
        if dim.cap is not None:
            grade = np.where(dim_missing[:, k], np.maximum(grade, dim.cap), grade)
    little = known < card.min_known_share - 1e-9
    if card.little_known_cap is not None:
        grade = np.where(little, np.maximum(grade, card.little_known_cap), grade)
    if card.alarm_cap is not None:
        grade = np.where(limits.alarm, np.maximum(grade, card.alarm_cap), grade)
    knocked = np.zeros(n, dtype=bool) if limits.knockout is None else np.asarray(limits.knockout, dtype=bool)
    if card.knockout_cap is not None:
        grade = np.where(knocked, np.maximum(grade, card.knockout_cap), grade)
    grade = grade.astype(np.int8)
    used = within * np.repeat(row_share, [len(d.metrics) for d in card.dimensions], axis=1)
    lost = used * (100.0 - np.nan_to_num(points, nan=100.0)) / 100.0
    limit, base, basis = limit_for(grade, limits, card)
    limit = np.where(knocked, 0, limit)
    return Scored(
        metric_names=tuple(m.name for m in metrics), dimension_names=tuple(d.name for d in card.dimensions),
        points=points, missing=missing, used_weight=used, dimension_scores=dim_scores, dimension_neutral=dim_neutral,
        dimension_missing=dim_missing, dimension_weight=row_share,
        known_share=known, little_known=little, knocked_out=knocked,
        total=total, grade=grade, uncapped_grade=uncapped, lost=lost, reasons=_reason_order(lost),
        limit_fen=limit, base_fen=base, limit_basis=basis,
        term_days=np.array([g.term_days for g in card.grades], dtype=np.int64)[grade],
        guarantee=np.array([g.guarantee for g in card.grades], dtype=object)[grade],
    )


def _dimensions(points: np.ndarray, missing: np.ndarray,
                card: Scorecard) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dimension scores, which took neutral points, which had every input missing, and each metric's
    weight within its dimension (the caller multiplies by the dimension's share of the customer's total)."""
    n = points.shape[0]
    scores = np.empty((n, len(card.dimensions)))
    neutral = np.zeros((n, len(card.dimensions)), dtype=bool)
    all_missing = np.zeros((n, len(card.dimensions)), dtype=bool)
    within = np.zeros_like(points)
    start = 0
    for k, dim in enumerate(card.dimensions):
        stop = start + len(dim.metrics)
        block = points[:, start:stop]
        weights = np.array([m.weight for m in dim.metrics], dtype=float)
        present = ~np.isnan(block)
        w = np.where(present, weights, 0.0)
        w_sum = w.sum(axis=1)
        empty = w_sum <= 0
        share = np.divide(w, w_sum[:, None], out=np.zeros_like(w), where=~empty[:, None])
        scores[:, k] = np.where(empty, dim.neutral_points, (share * np.nan_to_num(block)).sum(axis=1))
        neutral[:, k] = empty
        all_missing[:, k] = missing[:, start:stop].all(axis=1)
        within[:, start:stop] = share
        start = stop
    return scores, neutral, all_missing, within


def _grades(total: np.ndarray, cutoffs: tuple[float, float]) -> np.ndarray:
    a, b = cutoffs
    return np.where(total >= a, 0, np.where(total >= b, 1, 2)).astype(np.int8)


def _reason_order(lost: np.ndarray) -> np.ndarray:
    keep = min(REASONS_KEPT, lost.shape[1])
    order = np.argsort(-lost, axis=1, kind="stable")[:, :keep]
    taken = np.take_along_axis(lost, order, axis=1)
    return np.where(taken > 0.005, order, -1)


def limit_for(grade: np.ndarray, limits: LimitInputs, card: Scorecard) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(limit, base before collateral and rounding, basis: 0 statements / 1 sales) per customer, in fen."""
    def per_grade(attr: str) -> np.ndarray:
        return np.array([getattr(g, attr) for g in card.grades])[grade]

    revenue = np.floor(per_grade("revenue_share") * limits.revenue_fen)
    equity = np.floor(per_grade("equity_share") * limits.equity_fen)
    has_statements = ~(np.isnan(revenue) & np.isnan(equity))
    from_statements = np.fmin(revenue, equity)  # fmin: the one given when the other is NaN
    from_sales = np.floor(per_grade("sales_share") * limits.sales_12m_fen.astype(float))
    base = np.where(has_statements, np.nan_to_num(from_statements), from_sales)
    base = np.minimum(np.maximum(base, 0.0), per_grade("cap_fen").astype(float)).astype(np.int64)
    secured = np.floor(per_grade("collateral_share") * np.maximum(limits.secured_fen, 0).astype(float))
    raw = base + secured.astype(np.int64)
    step = rounding_unit(raw, card.round_to_fen, card.round_digits)
    return (raw // step) * step, base, np.where(has_statements, 0, 1).astype(np.int8)


def rounding_unit(raw_fen: np.ndarray, largest_fen: int, digits: int) -> np.ndarray:
    """The unit each limit is rounded down to: with `digits` > 0 the power of ten (in fen) that keeps that
    many significant digits of the limit, never above `largest_fen` (nor below 1 fen); else `largest_fen`.
    1,234,567.89 with 2 digits and at most 10,000: 10,000 → 1,230,000; 86.39 → unit 1 → 86."""
    largest = max(int(largest_fen), 1)
    raw = np.asarray(raw_fen, dtype=np.int64)
    if digits <= 0:
        return np.full(raw.shape, largest, dtype=np.int64)
    magnitude = np.floor(np.log10(np.maximum(raw, 1).astype(float))).astype(np.int64) - (digits - 1)
    unit = np.power(10, np.maximum(magnitude, 0)).astype(np.int64)
    return np.minimum(unit, largest)
