"""The credit assessment pipeline: features → expert scorecard → assessments, profiles, proposals, alerts.

Design decisions:
- One pass over the whole book (or the customers asked for): the inputs come in bulk
  (credit.features), the engine scores every customer at once (engine.expert), and the results are
  written in bulk — Assessment rows by executemany (SQLite) or COPY (PostgreSQL), their ids read back
  by the run's shared `created_at`, then missing CreditProfile rows created by one INSERT … SELECT and
  every profile set by one UPDATE … FROM the new assessment rows (SQLite ≥ 3.33 and PostgreSQL both
  have it), never a save per customer. The JSON of inputs and scores is encoded by polars. Measured on
  100,000 customers (SQLite): writing took 24.7 s with bulk_create of model instances and of profiles
  plus Python-built JSON, 6.5 s this way.
- An assessment sets the profile's grade, score, guarantee requirement and next review; it never
  changes the limit or the term. Where the policy's limit or term differs from the profile's by the
  policy's threshold (a first limit: always), it proposes the change through the approvals
  (credit.approvals.propose_limit, actor None = the review); a pending proposal asking the same is
  left as it is, so assessing twice proposes once.
- A downgrade raises a monitoring alert (GRADE_DOWNGRADE, dedup key per customer and date) stating
  the exposure and the new suggested limit, dispatched like the risk cycle's alerts.
- Reasons and missing inputs are stored as structured dicts (credit.reasons words them).
- Event triggers (danger zone, new statements, large order, litigation, industry alarm) call
  `reassess_later`, which queues the background task after the triggering transaction commits.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.later import later
from fengkong.core.money import from_fen
from fengkong.customers.models import Customer
from fengkong.customers.queries import customer_labels
from fengkong.engine import expert
from fengkong.integrations import db
from fengkong.monitoring.alerts import new_alert, raise_alerts
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import MonitoringPolicy

from . import features as features_module
from .choices import GRADE_ORDER, Outlook, ProposalStatus, Trigger
from .models import Assessment, LimitProposal
from .policy import CreditPolicySpec, current, parse

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
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
        dims.append(expert.DimensionRule(dim.name, dim.weight, tuple(metrics)))
    grades = tuple(expert.GradeRule(t.revenue_share, t.equity_share, t.sales_share, t.cap_fen, t.collateral_share,
                                    t.term_days, t.guarantee) for t in (spec.terms[g] for g in expert.GRADES))
    cap = expert.GRADES.index(spec.industry_alarm_cap) if spec.industry_alarm_cap else None
    return expert.Scorecard(tuple(dims), (spec.grade_cutoffs["A"], spec.grade_cutoffs["B"]), cap, grades,
                            spec.round_to_fen)


def engine_inputs(frame: pl.DataFrame, card: expert.Scorecard) -> tuple[dict[str, np.ndarray], expert.LimitInputs]:
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
                                frame.get_column("alarm").to_numpy().astype(bool))
    return values, limits


def score_book(customer_ids: list[int] | None, as_of: date, spec: CreditPolicySpec):
    """(features, scored) for the customers at `as_of` under `spec`; no writes."""
    feats = features_module.compute(customer_ids, as_of)
    card = scorecard(spec)
    values, limits = engine_inputs(feats.frame, card)
    return feats, expert.score(values, limits, card)


# --- assessing ---------------------------------------------------------------------------------------

def assess_customers(customer_ids: list[int] | None, *, as_of: date, trigger: str, actor=None,
                     policy: CreditPolicySpec | None = None, propose: bool = True,
                     progress: Progress | None = None) -> dict:
    """Assess the customers (None: the whole book) as of `as_of`; write assessments and update profiles.

    Returns counts: customers (= assessed: one assessment each), grades, downgrades, upgrades, alerts,
    proposals, and seconds per stage."""
    progress = progress or (lambda *_: None)
    stage = _("credit assessment")
    spec = policy or current()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress(stage, 0, 5)
    feats, scored = score_book(None if customer_ids is None else sorted(set(customer_ids)), as_of, spec)
    timings["score"] = round(time.perf_counter() - started, 3)
    progress(stage, 1, 5)
    counts = {"customers": feats.height, "assessed": feats.height, "grades": {g: 0 for g in expert.GRADES},
              "downgrades": 0, "upgrades": 0, "alerts": 0, "proposals": 0}
    if not feats.height:
        progress(stage, 5, 5)
        return {**counts, "seconds": timings}
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        step = time.perf_counter()
        before = _profiles(feats.frame.get_column("customer_id"))
        rows = build_assessments(feats, scored, spec, before)
        stamp = timezone.now()
        store_assessments(rows, as_of=as_of, stamp=stamp, version=spec.version, trigger=trigger, actor_id=actor_id)
        timings["write_assessments"] = round(time.perf_counter() - step, 3)
        progress(stage, 2, 5)
        step = time.perf_counter()
        _update_profiles(stamp, trigger, as_of + timedelta(days=spec.review_interval_days))
        timings["update_profiles"] = round(time.perf_counter() - step, 3)
        progress(stage, 3, 5)
        moves = _grade_moves(rows)
        counts["downgrades"], counts["upgrades"] = len(moves["down"]), len(moves["up"])
        counts["alerts"] = _downgrade_alerts(moves["down"], feats, as_of, actor)
        for grade in expert.GRADES:
            counts["grades"][grade] = int((scored.grade == expert.GRADES.index(grade)).sum())
        record(actor, "credit.assessed", "assessment", f"{rows[0].pk}-{rows[-1].pk}", after={
            "as_of": as_of, "trigger": trigger, "policy_version": spec.version, "customers": len(rows),
            "grades": counts["grades"], "downgrades": [[r.customer_id, r.previous_grade, r.grade]
                                                       for r in moves["down"]][:1000]})
        progress(stage, 4, 5)
        if propose:
            step = time.perf_counter()
            counts["proposals"] = _propose(rows, before, spec, as_of, trigger)
            timings["proposals"] = round(time.perf_counter() - step, 3)
    progress(stage, 5, 5)
    timings["total"] = round(time.perf_counter() - started, 3)
    return {**counts, "seconds": timings}


def _profiles(customer_ids: pl.Series) -> dict[int, tuple]:
    """customer_id -> (grade, limit_fen, term_days, owner_id) of existing profiles."""
    where, params = db.key_filter("customer_id", customer_ids)
    frame = db.fetch(f'SELECT customer_id, grade, CAST(ROUND("limit" * 100) AS BIGINT), term_days, owner_id '  # noqa: S608
                     f"FROM credit_creditprofile WHERE {where}", params,
                     schema={"customer_id": pl.Int64, "grade": pl.String, "limit_fen": pl.Int64,
                             "term_days": pl.Int64, "owner_id": pl.Int64})
    return {row[0]: row[1:] for row in frame.iter_rows()}


@dataclass(slots=True)
class Row:
    """One customer's new assessment, before and after it is written (`pk` set by store_assessments)."""

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


def build_assessments(feats, scored: expert.Scored, spec: CreditPolicySpec, before: dict[int, tuple]) -> list[Row]:
    """One Row per customer, with inputs, scores, reasons and missing inputs as JSON-ready dicts."""
    frame = feats.frame
    ids = frame.get_column("customer_id").to_list()
    display = _display(frame, scored)
    inputs = _json_rows(display)
    scores = _scores(scored, spec)
    reasons = _reasons(scored, display, spec)
    missing = _missing(scored, spec)
    letters = scored.grade_letters().tolist()
    totals = [Decimal(f"{t:.2f}") for t in scored.total.tolist()]
    limits = scored.limit_fen.tolist()
    terms = scored.term_days.tolist()
    guarantees = scored.guarantee.tolist()
    return [Row(cid, letters[i], (before.get(cid) or ("",))[0] or "", totals[i], from_fen(limits[i]), terms[i],
                guarantees[i], inputs[i], scores[i], missing[i], reasons[i])
            for i, cid in enumerate(ids)]


ASSESSMENT_COLUMNS = ("customer_id", "as_of", "created_at", "policy_version", "trigger", "triggered_by_id", "inputs",
                      "scores", "missing", "reasons", "total", "grade", "previous_grade", "suggested_limit",
                      "suggested_term_days", "guarantee_requirement")


def store_assessments(rows: list[Row], *, as_of: date, stamp, version: int, trigger: str, actor_id) -> None:
    """Insert the rows in bulk (executemany on SQLite, COPY on PostgreSQL) and set their ids.

    The rows of one run share `created_at` (`stamp`), which finds their ids again in one query."""
    ops = connection.ops
    day, at = ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(stamp)
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    columns = ", ".join(ASSESSMENT_COLUMNS)
    with connection.cursor() as cursor:
        if db.is_postgres():
            with cursor.cursor.copy(f"COPY credit_assessment ({columns}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((r.customer_id, as_of, stamp, version, trigger, actor_id, r.inputs,
                                    r.scores, dumps(r.missing), dumps(r.reasons), r.total, r.grade,
                                    r.previous_grade, r.suggested_limit, r.suggested_term_days,
                                    r.guarantee_requirement))
        else:
            marks = ", ".join("?" for _c in ASSESSMENT_COLUMNS)
            cursor.cursor.executemany(
                f"INSERT INTO credit_assessment ({columns}) VALUES ({marks})",  # noqa: S608
                ((r.customer_id, day, at, version, trigger, actor_id, r.inputs, r.scores,
                  dumps(r.missing), dumps(r.reasons), str(r.total), r.grade, r.previous_grade, str(r.suggested_limit),
                  r.suggested_term_days, r.guarantee_requirement) for r in rows))
        cursor.execute("SELECT customer_id, id FROM credit_assessment WHERE created_at = %s AND trigger = %s",
                       [at, trigger])
        ids = dict(cursor.fetchall())
    for r in rows:
        r.pk = ids[r.customer_id]


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
    weights = np.array([d.weight for d in spec.dimensions], dtype=float)
    shares = (weights / weights.sum() * 100).round(2).tolist()
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
            pl.Series("score", np.round(scored.dimension_scores[:, k], 2)), pl.lit(shares[k]).alias("weight"),
            pl.Series("neutral", scored.dimension_neutral[:, k]),
            pl.struct(**metrics).alias("metrics"))
    frame = pl.select(**columns) if columns else pl.DataFrame({"_": [None] * len(points)})
    return _json_rows(frame)


def _reasons(scored: expert.Scored, display: pl.DataFrame, spec: CreditPolicySpec) -> list[list[dict]]:
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
    grade, uncapped = letters[scored.grade].tolist(), letters[scored.uncapped_grade].tolist()
    out = []
    for i, picks in enumerate(order):
        row = []
        if capped[i]:
            row.append({"code": "industry_alarm_cap", "cap": grade[i], "grade": uncapped[i]})
        for j in picks:
            if j < 0:
                continue
            p = points[i][j]
            row.append({"code": "metric", "metric": names[j], "dimension": dims[j],
                        "value": values[names[j]][i], "points": None if p != p else p, "lost": lost[i][j],
                        "missing": rules[j] if missing[i][j] else None})
        out.append(row)
    return out


def _missing(scored: expert.Scored, spec: CreditPolicySpec) -> list[list[dict]]:
    metrics = [(d.name, m) for d in spec.dimensions for m in d.metrics]
    points = np.round(scored.points, 2).tolist()
    rows_missing = scored.missing.tolist()
    out = []
    for i, flags in enumerate(rows_missing):
        out.append([{"metric": m.name, "dimension": dim, "rule": m.missing,
                     "points": None if points[i][j] != points[i][j] else points[i][j]}
                    for j, (dim, m) in enumerate(metrics) if flags[j]])
    return out


def _update_profiles(stamp, trigger: str, next_review: date) -> None:
    """Create the missing profiles and set every profile from its new assessment: two set-based statements."""
    ops = connection.ops
    at, review, now = (ops.adapt_datetimefield_value(stamp), ops.adapt_datefield_value(next_review),
                       ops.adapt_datetimefield_value(timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO credit_creditprofile (customer_id, grade, score, "limit", term_days, guarantee_requirement, '
            "assessment_id, assessed_on, next_review, blacklisted, blacklist_reason, litigation, litigation_note, "
            "updated_at) SELECT a.customer_id, a.grade, a.total, 0, 0, a.guarantee_requirement, a.id, a.as_of, %s, "
            "FALSE, '', FALSE, '', %s FROM credit_assessment a WHERE a.created_at = %s AND a.trigger = %s "
            "AND NOT EXISTS (SELECT 1 FROM credit_creditprofile p WHERE p.customer_id = a.customer_id)",
            [review, now, at, trigger])
        cursor.execute(
            "UPDATE credit_creditprofile SET grade = a.grade, score = a.total, assessment_id = a.id, "
            "assessed_on = a.as_of, next_review = %s, guarantee_requirement = a.guarantee_requirement, "
            "updated_at = %s FROM credit_assessment a WHERE a.customer_id = credit_creditprofile.customer_id "
            "AND a.created_at = %s AND a.trigger = %s AND (credit_creditprofile.assessment_id IS NULL "
            "OR credit_creditprofile.assessment_id <> a.id)", [review, now, at, trigger])


def _grade_moves(rows: list[Row]) -> dict[str, list[Row]]:
    down, up = [], []
    for r in rows:
        old = r.previous_grade
        if old and old != r.grade:
            (down if GRADE_ORDER[r.grade] > GRADE_ORDER[old] else up).append(r)
    return {"down": down, "up": up}


def _downgrade_alerts(rows: list[Row], feats, as_of: date, actor) -> int:
    """A GRADE_DOWNGRADE alert per downgraded customer (once per customer and date), with its records
    written now; its messages go out after commit."""
    kind = AlertKind.GRADE_DOWNGRADE
    policy = MonitoringPolicy.current().parsed()
    if not rows or not policy.rule(kind).enabled:
        return 0
    exposure = dict(zip(feats.frame.get_column("customer_id").to_list(),
                        feats.frame.get_column("exposure_fen").to_list(), strict=True))
    names = customer_labels([r.customer_id for r in rows])
    wanted = []
    for r in rows:
        exposed = from_fen(exposure.get(r.customer_id, 0))
        above = exposed > r.suggested_limit
        wanted.append(new_alert(
            kind, customer_id=r.customer_id, key=f"{kind}:c{r.customer_id}:{as_of}", as_of=as_of, policy=policy,
            title=_downgrade_title(names.get(r.customer_id, str(r.customer_id)), r, exposed, above),
            details={"old_grade": r.previous_grade, "new_grade": r.grade, "exposure": str(exposed),
                     "limit": str(r.suggested_limit), "exposure_above_limit": above, "assessment": r.pk}))
    raise_alerts(wanted, policy=policy, as_of=as_of, actor=actor)
    return len(wanted)


def _downgrade_title(customer: str, row: Row, exposure: Decimal, above: bool) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        params = {"customer": customer, "old": row.previous_grade, "new": row.grade,
                  "exposure": f"{exposure:,}", "limit": f"{row.suggested_limit:,}"}
        if above:
            return _("%(customer)s: grade %(old)s → %(new)s, exposure %(exposure)s above the new limit "
                     "%(limit)s") % params
        return _("%(customer)s: grade %(old)s → %(new)s (new limit %(limit)s)") % params


# --- proposals ---------------------------------------------------------------------------------------

def proposal_needed(current_fen: int, current_term: int, owner_id, suggested_fen: int, suggested_term: int,
                    percent: int) -> bool:
    """A first limit (0 and nobody answers for it) always; else a limit or term moved by `percent` or more."""
    if current_fen == 0 and owner_id is None:
        return True

    def moved(old: int, new: int) -> bool:
        return new != old if old == 0 else abs(new - old) * 100 >= percent * old and new != old

    return moved(current_fen, suggested_fen) or moved(current_term, suggested_term)


def _propose(rows: list[Row], before: dict[int, tuple], spec: CreditPolicySpec, as_of: date,
             trigger: str) -> int:
    from .approvals import propose_limits_from_review

    wanted = []
    for r in rows:
        _grade, limit_fen, term, owner = before.get(r.customer_id) or ("", 0, 0, None)
        suggested = int(r.suggested_limit * 100)
        if proposal_needed(limit_fen or 0, term or 0, owner, suggested, r.suggested_term_days,
                           spec.propose_change_percent):
            wanted.append(r)
    if not wanted:
        return 0
    wanted_ids = [r.customer_id for r in wanted]
    pending = set()
    for start in range(0, len(wanted_ids), 5000):
        pending |= set(LimitProposal.objects.filter(
            status=ProposalStatus.PENDING, customer_id__in=wanted_ids[start:start + 5000])
            .values_list("customer_id", "proposed_limit", "proposed_term_days"))
    drafts = [{"customer_id": r.customer_id, "proposed_limit": r.suggested_limit,
               "proposed_term_days": r.suggested_term_days, "reason": _proposal_reason(r, as_of, trigger),
               "assessment_id": r.as_model().pk, "grade": r.grade}
              for r in wanted if (r.customer_id, r.suggested_limit, r.suggested_term_days) not in pending]
    return propose_limits_from_review(drafts)


def _proposal_reason(row: Row, as_of: date, trigger: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(trigger)s on %(as_of)s: grade %(grade)s, score %(score)s; the policy allows a limit of "
                 "%(limit)s and %(term)s days.") % {
            "trigger": Trigger(trigger).label if trigger in Trigger.values else trigger, "as_of": as_of,
            "grade": row.grade, "score": row.total, "limit": f"{row.suggested_limit:,}",
            "term": row.suggested_term_days}


# --- events, what-if and the monitoring hook ---------------------------------------------------------

def reassess_later(customer_ids, trigger: str, actor=None) -> None:
    """Re-assess these customers (None: the whole book) in the background once the current transaction
    commits (the task `credit.reassess`)."""
    ids = None if customer_ids is None else sorted({int(c) for c in customer_ids})
    if ids is not None and not ids:
        return
    later("credit.reassess", ids, trigger, getattr(actor, "pk", None))


def preview(config: dict) -> dict:
    """The proposed policy tried on the whole book today against the policy in force; writes nothing."""
    proposed = parse(config, version=0)
    in_force = current()
    today = timezone.localdate()
    feats = features_module.compute(None, today)
    card_before, card_after = scorecard(in_force), scorecard(proposed)
    values, limits = engine_inputs(feats.frame, card_before)
    before = expert.score(values, limits, card_before)
    values, limits = engine_inputs(feats.frame, card_after)
    after = expert.score(values, limits, card_after)
    moves = {g: {h: 0 for h in expert.GRADES} for g in expert.GRADES}
    pairs = before.grade.astype(np.int64) * 3 + after.grade.astype(np.int64)
    for code, n in zip(*np.unique(pairs, return_counts=True), strict=True):
        moves[expert.GRADES[code // 3]][expert.GRADES[code % 3]] = int(n)
    change = after.limit_fen - before.limit_fen
    return {"customers": feats.height, "as_of": today.isoformat(), "grade_moves": moves,
            "limit_before": str(from_fen(int(before.limit_fen.sum()))),
            "limit_after": str(from_fen(int(after.limit_fen.sum()))),
            "raised": int((change > 0).sum()), "lowered": int((change < 0).sum()),
            "examples": _examples(feats, before, after, change)}


def _examples(feats, before: expert.Scored, after: expert.Scored, change: np.ndarray, n: int = 10) -> list[dict]:
    moved = np.flatnonzero((before.grade != after.grade) | (change != 0))
    picked = moved[np.argsort(-np.abs(change[moved]), kind="stable")[:n]]
    ids = feats.frame.get_column("customer_id").to_numpy()
    names = {c.pk: c for c in Customer.objects.filter(pk__in=ids[picked].tolist()).only("code", "name")}
    return [{"customer": names[int(ids[i])].code, "name": names[int(ids[i])].name,
             "grade_before": expert.GRADES[before.grade[i]], "grade_after": expert.GRADES[after.grade[i]],
             "limit_before": str(from_fen(int(before.limit_fen[i]))),
             "limit_after": str(from_fen(int(after.limit_fen[i])))}
            for i in picked if int(ids[i]) in names]


def credit_limits_frame() -> pl.DataFrame:
    """Every customer's approved credit limit in fen: customer_id, limit_fen (monitoring's utilisation rules)."""
    return db.fetch('SELECT customer_id, CAST(ROUND("limit" * 100) AS BIGINT) FROM credit_creditprofile',
                    schema={"customer_id": pl.Int64, "limit_fen": pl.Int64})
