"""Assessing customers: the assessment written for the whole book (or the customers asked for), the
quarterly review of those due, a user's request to assess one customer now, and re-assessment queued
after an event.

Design decisions:
- Written in bulk, never a save per customer: Assessment rows by executemany (SQLite) or COPY
  (PostgreSQL), their ids read back by the run's shared `created_at`, then missing CreditProfile rows
  created by one INSERT … SELECT and every profile set by one UPDATE … FROM the new assessment rows
  (SQLite ≥ 3.33 and PostgreSQL both have it). Measured on 100,000 customers (SQLite): writing took
  24.7 s with bulk_create of model instances and of profiles plus Python-built JSON, 6.5 s this way.
  What is written is computed in credit.grading, before the transaction opens (its reads run side by side).
- An assessment sets the profile's grade, score, guarantee requirement and next review; it never
  changes the limit or the term. Where the policy's limit or term differs from the profile's by the
  policy's threshold (a first limit: always), it proposes the change through the approvals
  (actions.limits.propose_limits_from_review, the review as proposer); a pending proposal asking the
  same is left as it is, so assessing twice proposes once.
- A downgrade raises a monitoring alert (GRADE_DOWNGRADE, dedup key per customer and date) stating
  the exposure and the new suggested limit, dispatched like the risk cycle's alerts.
- Event triggers (danger zone, new statements, large order, litigation, industry alarm, a guarantee,
  a new policy) call `reassess_later`, which queues the background task `credit.reassess` by name once
  the triggering transaction commits.
- `assess_customers` is the system's (the review, the re-assessment task, the command line, the demo):
  its `actor` is recorded as who caused it, not checked. A user asks through `assess_now`, which checks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengkong.core import dates
from fengkong.core.audit import record
from fengkong.core.later import later
from fengkong.core.money import from_fen
from fengkong.core.permissions import require
from fengkong.customers.queries import customer_labels
from fengkong.engine import expert
from fengkong.integrations import db
from fengkong.monitoring.alerts import new_alert, raise_alerts
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import MonitoringPolicy

from ..choices import GRADE_ORDER, ProposalStatus, Trigger
from ..features import Features
from ..grading import Row, build_assessments, proposal_needed, score_customers
from ..models import Assessment, LimitProposal
from ..policy import CreditPolicySpec, current
from ..queries import due_for_review, require_customer
from .limits import propose_limits_from_review

Progress = Callable[[str, int, int], None]


def assess_customers(customer_ids: list[int] | None, *, as_of: date, trigger: str, actor=None,
                     policy: CreditPolicySpec | None = None, propose: bool = True,
                     progress: Progress | None = None) -> dict:
    """Assess the customers (None: the whole book) as of `as_of`; write assessments and update profiles.
    Called by the system: `actor` (None: the system) is recorded as who triggered it, not checked.

    Returns counts: customers (= assessed: one assessment each), grades, downgrades, upgrades, alerts,
    proposals, and seconds per stage."""
    progress = progress or (lambda *_: None)
    stage = _("credit assessment")
    spec = policy or current()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress(stage, 0, 5)
    feats, scored = score_customers(None if customer_ids is None else sorted(set(customer_ids)), as_of, spec)
    timings["score"] = round(time.perf_counter() - started, 3)
    progress(stage, 1, 5)
    counts = {"customers": feats.height, "assessed": feats.height, "grades": {g: 0 for g in expert.GRADES},
              "downgrades": 0, "upgrades": 0, "alerts": 0, "proposals": 0}
    if not feats.height:
        progress(stage, 5, 5)
        return {**counts, "seconds": timings}
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic(durable=True):
        step = time.perf_counter()
        before = _profiles(feats.frame.get_column("customer_id"))
        rows = build_assessments(feats, scored, spec, before)
        stamp = timezone.now()
        _store_assessments(rows, as_of=as_of, stamp=stamp, version=spec.version, trigger=trigger, actor_id=actor_id)
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


def review_due(as_of: date, actor=None, progress: Progress | None = None) -> dict[str, dict]:
    """The review: assess every customer due on `as_of` (queries.due_for_review), the never assessed as
    `initial`, the others as `quarterly`; returns the counts per trigger. Called by the system (the morning
    task, `fengkong credit review-due`)."""
    out = {}
    for trigger, ids in due_for_review(as_of).items():
        if ids:
            out[trigger] = assess_customers(ids, as_of=as_of, trigger=trigger, actor=actor, progress=progress)
    return out


def assess_now(*, actor, customer, as_of: date | None = None) -> Assessment | None:
    """Assess one customer now at `actor`'s request (trigger `manual`; the customer page's button and the
    API): needs `credit.run_assessment` and the customer in the actor's portfolio. Returns its new assessment."""
    require(actor, "credit.run_assessment")
    require_customer(actor, customer)
    assess_customers([customer.pk], as_of=as_of or dates.business_today(), trigger=Trigger.MANUAL, actor=actor)
    return Assessment.objects.filter(customer=customer).select_related("triggered_by").order_by("-pk").first()


def _profiles(customer_ids: pl.Series) -> dict[int, tuple]:
    """customer_id -> (grade, limit_fen, term_days, owner_id) of existing profiles."""
    where, params = db.key_filter("customer_id", customer_ids)
    frame = db.fetch(f'SELECT customer_id, grade, CAST(ROUND("limit" * 100) AS BIGINT), term_days, owner_id '  # noqa: S608 - the column list and key filter are ours; every value is a parameter  # nosec B608
                     f"FROM credit_creditprofile WHERE {where}", params,
                     schema={"customer_id": pl.Int64, "grade": pl.String, "limit_fen": pl.Int64,
                             "term_days": pl.Int64, "owner_id": pl.Int64})
    return {row[0]: row[1:] for row in frame.iter_rows()}


ASSESSMENT_COLUMNS = ("customer_id", "as_of", "created_at", "policy_version", "trigger", "triggered_by_id", "inputs",
                      "scores", "missing", "reasons", "total", "grade", "previous_grade", "suggested_limit",
                      "suggested_term_days", "guarantee_requirement")


def _store_assessments(rows: list[Row], *, as_of: date, stamp, version: int, trigger: str, actor_id) -> None:
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
                f"INSERT INTO credit_assessment ({columns}) VALUES ({marks})",  # noqa: S608 - the column list and key filter are ours; every value is a parameter  # nosec B608
                ((r.customer_id, day, at, version, trigger, actor_id, r.inputs, r.scores,
                  dumps(r.missing), dumps(r.reasons), str(r.total), r.grade, r.previous_grade, str(r.suggested_limit),
                  r.suggested_term_days, r.guarantee_requirement) for r in rows))
        cursor.execute("SELECT customer_id, id FROM credit_assessment WHERE created_at = %s AND trigger = %s",
                       [at, trigger])
        ids = dict(cursor.fetchall())
    for r in rows:
        r.pk = ids[r.customer_id]


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


def _downgrade_alerts(rows: list[Row], feats: Features, as_of: date, actor) -> int:
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


def _propose(rows: list[Row], before: dict[int, tuple], spec: CreditPolicySpec, as_of: date,
             trigger: str) -> int:
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


def reassess_later(customer_ids, trigger: str, actor=None) -> None:
    """Re-assess these customers (None: the whole book) in the background once the current transaction
    commits (the task `credit.reassess`). Called by the actions whose change is a credit event, which
    checked their own permission; `actor` is recorded as who caused it."""
    ids = None if customer_ids is None else sorted({int(c) for c in customer_ids})
    if ids is not None and not ids:
        return
    later("credit.reassess", ids, trigger, getattr(actor, "pk", None))
