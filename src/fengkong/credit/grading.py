"""Grading customers: the credit policy as the engine's scorecard, the assessment of each customer computed
from its features, and the what-if of a proposed policy on the whole book. Reads, never writes: the
assessment action (actions/assessments.py) stores what is computed here.

Design decisions:
- One pass over the whole book (or the customers asked for): the inputs come in bulk (credit.features)
  and the engine scores every customer at once (engine.expert); a customer is never scored on its own.
- Each assessment's inputs and scores are JSON encoded by polars, a whole column at once (a Python dict
  per row costs ten times more); reasons and missing inputs are structured dicts (credit.reasons words them).
- Money stays integer fen in the engine and becomes Decimal yuan (or yuan text) only in the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl
from django.utils import timezone

from fengkong.core.money import from_fen
from fengkong.customers.models import Customer
from fengkong.engine import expert
from fengkong.industry.choices import Outlook

from . import features as features_module
from .features import Features
from .models import Assessment
from .policy import CreditPolicySpec, current, parse

MONEY_INPUTS = ("revenue_fen", "equity_fen", "sales_12m_fen", "receivables_fen", "orders_fen", "reserved_fen",
                "exposure_fen", "guarantee_fen", "secured_fen")


# --- the policy as the engine's scorecard ----------------------------------------------------------

def scorecard(spec: CreditPolicySpec) -> expert.Scorecard:
    dims = []
    for dim in spec.dimensions:
        metrics = []
        for m in dim.metrics:
            categorical = bool(m.points)
            categories = tuple(Outlook.values) if categorical else ()
            metrics.append(expert.MetricRule(
                name=m.name, dimension=dim.name, weight=m.weight, higher=m.higher,
                thresholds=tuple(t for t, _p in m.bands if t is not None), band_points=tuple(p for _t, p in m.bands),
                categories=categories, category_points=tuple(m.points[c] for c in categories),
                missing=m.missing, neutral_points=m.neutral_points))
        rule, cap = spec.missing_dimensions.get(dim.name, ("metrics", None))
        dims.append(expert.DimensionRule(dim.name, dim.weight, tuple(metrics), rule, _code(cap)))
    grades = tuple(expert.GradeRule(t.revenue_share, t.equity_share, t.sales_share, t.cap_fen, t.collateral_share,
                                    t.term_days, t.guarantee) for t in (spec.terms[g] for g in expert.GRADES))
    cap = expert.GRADES.index(spec.industry_alarm_cap) if spec.industry_alarm_cap else None
    return expert.Scorecard(tuple(dims), (spec.grade_cutoffs["A"], spec.grade_cutoffs["B"]), cap, grades,
                            spec.round_to_fen, spec.round_digits, spec.min_known_share,
                            _code(spec.little_known_cap), _code(spec.knockout_cap))


def _code(grade: str | None) -> int | None:
    return None if grade is None else expert.GRADES.index(grade)


def knockout_mask(frame: pl.DataFrame, spec: CreditPolicySpec) -> np.ndarray:
    """Customers under a knock-out the policy turns on (features' ko_* columns)."""
    mask = np.zeros(frame.height, dtype=bool)
    for name in spec.knockouts:
        mask |= frame.get_column(f"ko_{name}").fill_null(False).to_numpy().astype(bool)
    return mask


def knockouts_of(frame: pl.DataFrame, spec: CreditPolicySpec) -> list[list[str]]:
    """The knock-outs (names) that apply to each customer of the frame."""
    columns = [(name, frame.get_column(f"ko_{name}").fill_null(False).to_list()) for name in spec.knockouts]
    return [[name for name, values in columns if values[i]] for i in range(frame.height)]


def engine_inputs(frame: pl.DataFrame, card: expert.Scorecard,
                  knockout: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], expert.LimitInputs]:
    """The feature frame as the engine's arrays: NaN for a missing number, -1 for a missing category."""
    values: dict[str, np.ndarray] = {}
    for rule in card.metrics:
        column = frame.get_column(rule.name)
        if rule.categorical:
            codes = {c: i for i, c in enumerate(rule.categories)}
            values[rule.name] = column.replace_strict(codes, default=-1, return_dtype=pl.Int64).to_numpy()
        else:
            values[rule.name] = column.cast(pl.Float64).fill_null(np.nan).to_numpy()

    def floats(name: str) -> np.ndarray:
        return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()

    limits = expert.LimitInputs(floats("revenue_fen"), floats("equity_fen"),
                                frame.get_column("sales_12m_fen").to_numpy().astype(np.int64),
                                frame.get_column("secured_fen").to_numpy().astype(np.int64),
                                frame.get_column("alarm").to_numpy().astype(bool), knockout)
    return values, limits


def score(frame: pl.DataFrame, spec: CreditPolicySpec) -> expert.Scored:
    """Every customer of the feature frame scored under `spec`."""
    card = scorecard(spec)
    values, limits = engine_inputs(frame, card, knockout_mask(frame, spec))
    return expert.score(values, limits, card)


def score_customers(customer_ids: list[int] | None, as_of: date,
                    spec: CreditPolicySpec) -> tuple[Features, expert.Scored]:
    """(features, scored) for the customers (None: the whole book) at `as_of` under `spec`."""
    feats = features_module.compute(customer_ids, as_of)
    return feats, score(feats.frame, spec)


# --- the assessment rows -----------------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    """One customer's new assessment, before and after it is written (the assessment action sets `pk`)."""

    customer_id: int
    grade: str
    previous_grade: str
    total: Decimal
    suggested_limit: Decimal
    suggested_term_days: int
    guarantee_requirement: str
    inputs: str     # JSON text (encoded in bulk)
    scores: str     # JSON text
    missing: list
    reasons: list
    pk: int | None = None

    def as_model(self) -> Assessment:
        """A stand-in Assessment (for foreign keys and messages), without reading it back."""
        return Assessment(pk=self.pk, customer_id=self.customer_id, grade=self.grade, total=self.total,
                          previous_grade=self.previous_grade, suggested_limit=self.suggested_limit,
                          suggested_term_days=self.suggested_term_days,
                          guarantee_requirement=self.guarantee_requirement)


def build_assessments(feats: Features, scored: expert.Scored, spec: CreditPolicySpec,
                      before: dict[int, tuple]) -> list[Row]:
    """One Row per customer, with inputs, scores, reasons and missing inputs as JSON-ready dicts."""
    frame = feats.frame
    ids = frame.get_column("customer_id").to_list()
    display = _display(frame, scored)
    inputs = _json_rows(display)
    scores = _scores(scored, spec)
    reasons = _reasons(scored, display, spec, knockouts_of(frame, spec))
    missing = _missing(scored, spec)
    letters = scored.grade_letters().tolist()
    totals = [Decimal(f"{t:.2f}") for t in scored.total.tolist()]
    limits = scored.limit_fen.tolist()
    terms = scored.term_days.tolist()
    guarantees = scored.guarantee.tolist()
    return [Row(cid, letters[i], (before.get(cid) or ("",))[0] or "", totals[i], from_fen(limits[i]), terms[i],
                guarantees[i], inputs[i], scores[i], missing[i], reasons[i])
            for i, cid in enumerate(ids)]


def _display(frame: pl.DataFrame, scored: expert.Scored) -> pl.DataFrame:
    """The raw inputs as stored: metric values (null when missing) rounded, money as yuan text."""
    return frame.with_columns(
        *[_yuan_text(c) for c in MONEY_INPUTS],
        pl.col("statement_date").cast(pl.String),
        pl.col("current_ratio").round(4), pl.col("debt_to_asset").round(4), pl.col("avg_days_to_pay").round(1),
        pl.col("guarantee_coverage").round(4), pl.col("cooperation_years").round(2),
        pl.Series("limit_basis", np.where(scored.limit_basis == 0, "statements", "sales")),
    ).drop("customer_id", *MONEY_INPUTS)


def _json_rows(frame: pl.DataFrame) -> list[str]:
    """Each row of `frame` as a JSON object, encoded by polars (a Python dict per row costs ten times more)."""
    return frame.select(pl.struct(pl.all()).struct.json_encode().alias("json")).get_column("json").to_list()


def _yuan_text(column: str) -> pl.Expr:
    """Fen as yuan text with two decimals ("-1234.05"), null stays null; exact, no float."""
    fen = pl.col(column)
    whole, cents = fen.abs() // 100, (fen.abs() % 100).cast(pl.String).str.zfill(2)
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, whole.cast(pl.String), pl.lit("."), cents]).alias(column.removesuffix("_fen"))


def _scores(scored: expert.Scored, spec: CreditPolicySpec) -> list[str]:
    """{dimension: {score, weight (%), neutral, metrics: {name: {points, missing_rule}}}} per customer, as JSON."""
    points = np.round(scored.points, 2)
    columns, j = {}, 0
    for k, dim in enumerate(spec.dimensions):
        metrics = {}
        for m in dim.metrics:
            metrics[m.name] = pl.struct(
                pl.Series("points", points[:, j]).fill_nan(None),
                pl.when(pl.Series(scored.missing[:, j])).then(pl.lit(m.missing)).otherwise(pl.lit(None, pl.String))
                .alias("missing_rule"))
            j += 1
        columns[dim.name] = pl.struct(
            pl.Series("score", np.round(scored.dimension_scores[:, k], 2)), pl.Series("weight", np.round(scored.dimension_weight[:, k] * 100, 2)),
            pl.Series("neutral", scored.dimension_neutral[:, k]),
            pl.struct(**metrics).alias("metrics"))
    frame = pl.select(**columns) if columns else pl.DataFrame({"_": [None] * len(points)})
    return _json_rows(frame)


def _reasons(scored: expert.Scored, display: pl.DataFrame, spec: CreditPolicySpec,
             knockouts: list[list[str]]) -> list[list[dict]]:
    names = scored.metric_names
    values = {name: display.get_column(name).to_list() for name in names}
    dims = [d.name for d in spec.dimensions for _m in d.metrics]
    rules = [m.missing for d in spec.dimensions for m in d.metrics]
    order = scored.reasons.tolist()
    lost = np.round(scored.lost * 100, 2).tolist()  # points of the 0-100 total
    points = np.round(scored.points, 2).tolist()
    missing = scored.missing.tolist()
    capped = (scored.grade != scored.uncapped_grade).tolist()
    letters = np.array(expert.GRADES)
    uncapped = letters[scored.uncapped_grade].tolist()
    alarm = np.asarray(_alarm(display), dtype=bool) & (spec.industry_alarm_cap is not None)
    little = scored.little_known.tolist()
    dims_missing = scored.dimension_missing.tolist()
    whole = [(d.name, *spec.missing_dimensions.get(d.name, ("metrics", None))) for d in spec.dimensions]
    known = np.round(scored.known_share * 100, 1).tolist()
    out = []
    for i, picks in enumerate(order):
        row = []
        if knockouts[i] and spec.knockout_cap:
            row.append({"code": "knockout", "knockouts": knockouts[i], "cap": spec.knockout_cap,
                        "grade": uncapped[i]})
        if little[i] and spec.little_known_cap:
            row.append({"code": "little_known", "known_percent": known[i], "cap": spec.little_known_cap,
                        "minimum_percent": round(spec.min_known_share * 100, 1)})
        if capped[i] and alarm[i]:
            row.append({"code": "industry_alarm_cap", "cap": spec.industry_alarm_cap, "grade": uncapped[i]})
        row += [{"code": "missing_dimension", "dimension": name, "dimension_rule": rule, "cap": cap}
                for k, (name, rule, cap) in enumerate(whole) if dims_missing[i][k]]
        for j in picks:
            if j < 0:
                continue
            p = points[i][j]
            row.append({"code": "metric", "metric": names[j], "dimension": dims[j],
                        "value": values[names[j]][i], "points": None if p != p else p, "lost": lost[i][j],
                        "missing": rules[j] if missing[i][j] else None})
        out.append(row)
    return out


def _alarm(display: pl.DataFrame) -> list[bool]:
    return display.get_column("alarm").fill_null(False).to_list()


def _missing(scored: expert.Scored, spec: CreditPolicySpec) -> list[list[dict]]:
    """Per customer: each missing metric input with the metric's rule (a dimension with no input at all
    is a reason, code missing_dimension)."""
    metrics = [(d.name, m) for d in spec.dimensions for m in d.metrics]
    points = np.round(scored.points, 2).tolist()
    rows_missing = scored.missing.tolist()
    out = []
    for i, flags in enumerate(rows_missing):
        out.append([{"metric": m.name, "dimension": dim, "rule": m.missing,
                     "points": None if points[i][j] != points[i][j] else points[i][j]}
                    for j, (dim, m) in enumerate(metrics) if flags[j]])
    return out


# --- proposals ---------------------------------------------------------------------------------------

def proposal_needed(current_fen: int, current_term: int, owner_id, suggested_fen: int, suggested_term: int,
                    percent: int) -> bool:
    """A first limit (0 and nobody answers for it) always; else a limit or term moved by `percent` or more."""
    if current_fen == 0 and owner_id is None:
        return True

    def moved(old: int, new: int) -> bool:
        return new != old if old == 0 else abs(new - old) * 100 >= percent * old and new != old

    return moved(current_fen, suggested_fen) or moved(current_term, suggested_term)


# --- the what-if of a proposed policy ----------------------------------------------------------------

def preview(config: dict) -> dict:
    """The proposed policy tried on the whole book today against the policy in force; writes nothing.

    The totals are also kept per portfolio ("portfolios": portfolio id as text → the same totals), so a
    user who sees only some portfolios reads theirs (credit.queries.preview_for), not the whole book's."""
    proposed = parse(config, version=0)
    in_force = current()
    today = timezone.localdate()
    feats = features_module.compute(None, today)
    before, after = score(feats.frame, in_force), score(feats.frame, proposed)
    ids = feats.frame.get_column("customer_id").to_numpy()
    portfolio_of = dict(Customer.objects.filter(pk__in=ids.tolist(), portfolio__isnull=False)
                        .values_list("pk", "portfolio_id"))
    portfolios = np.asarray([portfolio_of.get(int(i), 0) for i in ids], dtype=np.int64)
    parts = {str(p): _totals(before, after, portfolios == p) for p in sorted(set(portfolio_of.values()))}
    return {**_totals(before, after, np.ones(len(ids), dtype=bool)), "as_of": today.isoformat(),
            "examples": _examples(feats, before, after, after.limit_fen - before.limit_fen), "portfolios": parts}


PREVIEW_TOTALS = ("customers", "grade_moves", "limit_before", "limit_after", "raised", "lowered")


def add_totals(parts: list[dict]) -> dict:
    """Several portfolios' preview totals as one (customers, grade moves, limits and counts added up)."""
    moves = {g: {h: 0 for h in expert.GRADES} for g in expert.GRADES}
    for part in parts:
        for g, row in (part.get("grade_moves") or {}).items():
            for h, n in (row or {}).items() if g in moves else ():
                if h in moves[g] and isinstance(n, int):
                    moves[g][h] += n
    money = {key: str(sum((Decimal(str(p.get(key) or 0)) for p in parts), Decimal("0.00")))
             for key in ("limit_before", "limit_after")}
    return {"customers": sum(int(p.get("customers") or 0) for p in parts), "grade_moves": moves, **money,
            "raised": sum(int(p.get("raised") or 0) for p in parts),
            "lowered": sum(int(p.get("lowered") or 0) for p in parts)}


def _totals(before: expert.Scored, after: expert.Scored, rows: np.ndarray) -> dict:
    """The preview's totals over the customers where `rows` is true: PREVIEW_TOTALS."""
    moves = {g: {h: 0 for h in expert.GRADES} for g in expert.GRADES}
    pairs = before.grade[rows].astype(np.int64) * 3 + after.grade[rows].astype(np.int64)
    for code, n in zip(*np.unique(pairs, return_counts=True), strict=True):
        moves[expert.GRADES[code // 3]][expert.GRADES[code % 3]] = int(n)
    change = after.limit_fen[rows] - before.limit_fen[rows]
    return {"customers": int(rows.sum()), "grade_moves": moves,
            "limit_before": str(from_fen(int(before.limit_fen[rows].sum()))),
            "limit_after": str(from_fen(int(after.limit_fen[rows].sum()))),
            "raised": int((change > 0).sum()), "lowered": int((change < 0).sum())}


def _examples(feats: Features, before: expert.Scored, after: expert.Scored, change: np.ndarray,
              n: int = 10) -> list[dict]:
    moved = np.flatnonzero((before.grade != after.grade) | (change != 0))
    picked = moved[np.argsort(-np.abs(change[moved]), kind="stable")[:n]]
    ids = feats.frame.get_column("customer_id").to_numpy()
    names = {c.pk: c for c in Customer.objects.filter(pk__in=ids[picked].tolist()).only("code", "name")}
    return [{"customer": names[int(ids[i])].code, "name": names[int(ids[i])].name,
             "grade_before": expert.GRADES[before.grade[i]], "grade_after": expert.GRADES[after.grade[i]],
             "limit_before": str(from_fen(int(before.limit_fen[i]))),
             "limit_after": str(from_fen(int(after.limit_fen[i])))}
            for i in picked if int(ids[i]) in names]
