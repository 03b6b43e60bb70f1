"""Payment delay per open invoice: the chance it is paid over 30 days late, the week it is paid, the
13-week collections forecast, and the back-test that checks the forecast against what arrived.

Pure: ledger frames in (`ledger.LedgerFrames`), frames and dicts out; `fengkong.scoring.delay` reads the
frames from the database and `fengkong.scoring.storage` writes and reads the model directory.

Design decisions:
- Training rows are snapshots: every invoice open at the end of an observation date D (every 2 weeks,
  after 6 months of history), with features known at D only. `open_invoices` cuts the ledger at D
  (`ledger.known_on`) before anything else, and the customer's features come from `ledger.features` on
  the same day, so nothing after D reaches a row; the open amount is rebuilt from dated receipts and
  credit notes, never taken from today's open amount.
- Targets come from the ledger after D, up to the data end. An invoice settles on the first day its
  open amount reaches 0. `late` = settled more than 30 days after due, `week` = the week after D it
  settles in (1..13; 14 = later than 13 weeks or never). A target is known only when its window is
  complete: `late` when the data end is over 30 days past due, `week` when it is over 91 days past D.
  A row whose window is still running is left out even when it has already settled: keeping the early
  settlers alone would teach the models that recent invoices pay fast (selection bias).
- Two LightGBM boosters: a binary one for `late`, a 14-class one for `week`. Early stopping watches the
  latest 20 % of the observation dates that have a known target (time-based, never a random split of
  snapshots of the same invoices); the late model's hold-out starts earlier (up to half the dates) when
  those dates have no late payment, or no payment on time, and training is refused, saying so, when no
  start gives both: a hold-out AUC on one class is no figure. Categories are coded as in `gbm.GbmChallenger`.
- Expected days to payment: week k counts as its midpoint (7k − 3 days), class 14 as the mean days to
  settle of the training rows settled after 91 days (180 when there are none). Expected loss =
  open amount × P(paid over 30 days late). Reasons: the three features that pushed p_late up most
  (LightGBM `pred_contrib`, log-odds).
- The forecast assumes each open invoice is paid in full in one week: week k collects
  open_fen × P(week k). The back-test trains on the ledger cut at an origin, forecasts 13 weeks and
  compares with the receipts and credit notes that arrived, beside a plain rule (due date + the
  customer's mean days beyond terms).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from . import ledger, metrics
from .exceptions import DataError, ModelDirError, ModellingError
from .gbm import DEFAULT_PARAMS, GbmChallenger, booster_from_text
from .report import PAGE, html_table, library_versions, timestamp

Progress = Callable[[str, int, int], None]

FORMAT = 1
USE = "payment_delay"
LATE_DAYS = 30                 # paid more than this many days after due is late
WEEKS = 13
TAIL_CLASS = WEEKS + 1         # later than 13 weeks, or never
HORIZON_DAYS = 7 * WEEKS
DEFAULT_TAIL_DAYS = 180.0
EVERY_DAYS = 14
HISTORY_MONTHS = 6
HOLDOUT_SHARE = 0.2
TOP_REASONS = 3
# The calendar moves every day: a month-of-issue "drift" is the season, not a changed book.
NOT_MONITORED = ("invoice_month",)
MIDPOINTS = np.array([7.0 * k - 3 for k in range(1, WEEKS + 1)])

INVOICE_FEATURES = ["log_amount", "open_share", "term_days", "days_to_due", "age_days", "partially_paid",
                    "disputed", "invoice_month", "customer_open_invoices"]
# the customer's open and overdue amounts, renamed so they do not clash with the invoice's own open_fen
CUSTOMER_NAMES = {"open_fen": "customer_open_fen", "overdue_fen": "customer_overdue_fen"}
CATEGORICAL = [name for name, kind in ledger.FEATURES.items() if kind == pl.String]
NUMERIC = INVOICE_FEATURES + [CUSTOMER_NAMES.get(name, name) for name in ledger.FEATURES if name not in CATEGORICAL]
ID_COLUMNS = ["observation_date", "invoice_id", "customer_id", "customer_code", "issue_date", "due_date",
              "amount_fen", "open_fen"]
TARGET_COLUMNS = ["settle_date", "days_to_settle", "late", "week"]
WEEK_COLUMNS = [f"p_week_{k}" for k in range(1, TAIL_CLASS + 1)]


def _days(later, earlier) -> pl.Expr:
    return (later - earlier).dt.total_days()


# --- training rows ------------------------------------------------------------------------------------

def snapshot_dates(frames: ledger.LedgerFrames, end: date | None = None, every_days: int = EVERY_DAYS,
                   history_months: int = HISTORY_MONTHS) -> list[date]:
    """Observation dates every `every_days` days, oldest first, from `history_months` after the first
    invoice (so customers have a history) up to `end` (default: the data end)."""
    end = end or frames.last_date()
    if end is None or not frames.invoices.height:
        return []
    day = ledger.add_months(frames.invoices["issue_date"].min(), history_months)
    dates = []
    while day <= end:
        dates.append(day)
        day += timedelta(days=every_days)
    return dates


def open_invoices(frames: ledger.LedgerFrames, as_of: date) -> pl.DataFrame:
    """One row per invoice open at the end of `as_of`: ID_COLUMNS, then NUMERIC and CATEGORICAL features,
    every one known on that day (empty, with the same columns, when nothing is open)."""
    known = ledger.known_on(frames, as_of)
    day = pl.lit(as_of)
    state = ledger.invoice_state(known).filter(pl.col("open_fen") > 0)
    invoice = state.select(
        day.alias("observation_date"), "invoice_id", "customer_id", "issue_date", "due_date", "amount_fen",
        "open_fen",
        pl.col("amount_fen").cast(pl.Float64).log1p().alias("log_amount"),
        (pl.col("open_fen") / pl.col("amount_fen")).alias("open_share"),
        _days(pl.col("due_date"), pl.col("issue_date")).alias("term_days"),
        _days(pl.col("due_date"), day).alias("days_to_due"),
        _days(day, pl.col("issue_date")).alias("age_days"),
        (pl.col("open_fen") < pl.col("amount_fen") - pl.col("undated_settled_fen")).alias("partially_paid"),
        "disputed",
        pl.col("issue_date").dt.month().alias("invoice_month"),
        pl.len().over("customer_id").alias("customer_open_invoices"))
    customer = ledger.features(known, as_of).rename(CUSTOMER_NAMES)
    joined = invoice.join(customer, on="customer_id", how="left")
    return joined.select(*[pl.col(c) for c in ID_COLUMNS], *[pl.col(c).cast(pl.Float64) for c in NUMERIC],
                         *[pl.col(c).cast(pl.String) for c in CATEGORICAL]).sort("invoice_id")


def settle_dates(frames: ledger.LedgerFrames) -> pl.DataFrame:
    """invoice_id, settle_date: the first day its open amount reached 0 (null: still open in `frames`)."""
    moves = pl.concat([
        frames.receipts.select("invoice_id", pl.col("payment_date").alias("day"), "amount_fen"),
        frames.credit_notes.filter(pl.col("invoice_id").is_not_null())
        .select("invoice_id", pl.col("issue_date").alias("day"), "amount_fen")])
    running = (moves.group_by("invoice_id", "day").agg(pl.col("amount_fen").sum()).sort("invoice_id", "day")
               .with_columns(pl.col("amount_fen").cum_sum().over("invoice_id").alias("settled_fen")))
    owed = frames.invoices.select("invoice_id", "issue_date",
                                  (pl.col("amount_fen") - pl.col("undated_settled_fen")).alias("owed_fen"))
    first = (running.join(owed, on="invoice_id").filter(pl.col("settled_fen") >= pl.col("owed_fen"))
             .group_by("invoice_id").agg(pl.col("day").min().alias("settle_date")))
    return owed.join(first, on="invoice_id", how="left").select(
        "invoice_id", pl.when(pl.col("owed_fen") <= 0).then(pl.col("issue_date")).otherwise(pl.col("settle_date"))
        .alias("settle_date"))


def training_rows(frames: ledger.LedgerFrames, dates: list[date], data_end: date | None = None,
                  progress: Progress | None = None) -> pl.DataFrame:
    """The snapshots of every date in `dates` with their targets (null where the outcome window is not
    complete at `data_end`, default the ledger's last date): ID_COLUMNS, features, TARGET_COLUMNS."""
    end = data_end or frames.last_date()
    if end is None:
        raise ModellingError("The ledger is empty (no invoice, receipt or credit note): there is nothing to learn from.")
    after = sorted(d for d in set(dates) if d > end)
    if after:
        raise ModellingError(f"Observation date(s) after the data end {end}: {', '.join(map(str, after[:5]))}; "
                             "their outcome cannot be known.")
    known = ledger.known_on(frames, end)
    parts = []
    ordered = sorted(set(dates))
    for done, day in enumerate(ordered):
        if progress:
            progress("observation dates", done, len(ordered))
        parts.append(open_invoices(known, day))
    if progress:
        progress("observation dates", len(ordered), len(ordered))
    rows = pl.concat(parts) if parts else open_invoices(known, end).clear()
    return rows.join(settle_dates(known), on="invoice_id", how="left").with_columns(_targets(end))


def _targets(end: date) -> list[pl.Expr]:
    settle, day = pl.col("settle_date"), pl.col("observation_date")
    days = _days(settle, day)
    late_known = _days(pl.lit(end), pl.col("due_date")) > LATE_DAYS
    week_known = _days(pl.lit(end), day) > HORIZON_DAYS
    late = settle.is_null() | (_days(settle, pl.col("due_date")) > LATE_DAYS)
    week = pl.when(settle.is_null() | (days > HORIZON_DAYS)).then(TAIL_CLASS).otherwise(
        (days / 7).ceil().clip(1, WEEKS))
    return [days.alias("days_to_settle"),
            pl.when(late_known).then(late.cast(pl.Int8)).alias("late"),
            pl.when(week_known).then(week.cast(pl.Int8)).alias("week")]


# --- the model ----------------------------------------------------------------------------------------

class DelayModel:
    """Two LightGBM boosters over the same features: P(paid over 30 days late) and P(paid in week k)."""

    matrix = GbmChallenger.matrix   # numbers as they are, categories as their training index

    def __init__(self, *, n_estimators: int = 300, learning_rate: float = 0.2, num_leaves: int = 31,
                 min_data_in_leaf: int = 50, early_stopping_rounds: int = 30, holdout_share: float = HOLDOUT_SHARE,
                 num_threads: int = 2, seed: int = 42):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.early_stopping_rounds = early_stopping_rounds
        self.holdout_share = holdout_share
        self.num_threads = num_threads
        self.seed = seed

    def get_params(self) -> dict:
        return {name: getattr(self, name) for name in ("n_estimators", "learning_rate", "num_leaves",
                                                        "min_data_in_leaf", "early_stopping_rounds",
                                                        "holdout_share", "num_threads", "seed")}

    @property
    def features_(self) -> list[str]:
        return [*self.numeric_, *self.categorical_]

    def fit(self, rows: pl.DataFrame, progress: Progress | None = None, *, checked: bool = True) -> DelayModel:
        """Both boosters; `checked` (the model whose hold-out figures are reported) refuses a late-model
        hold-out with one outcome only, where a back-test origin (early stopping only) keeps it."""
        _require(rows, [*ID_COLUMNS, *NUMERIC, *CATEGORICAL, *TARGET_COLUMNS], "training rows")
        self.numeric_, self.categorical_ = list(NUMERIC), list(CATEGORICAL)
        self.categories_ = {c: sorted(rows[c].drop_nulls().unique().to_list()) for c in self.categorical_}
        tail = rows.filter((pl.col("week") == TAIL_CLASS) & pl.col("days_to_settle").is_not_null())
        self.tail_days_ = float(tail["days_to_settle"].mean()) if tail.height else DEFAULT_TAIL_DAYS
        late, week = rows.filter(pl.col("late").is_not_null()), rows.filter(pl.col("week").is_not_null())
        for name, part in (("late", late), ("week", week)):
            if part["observation_date"].n_unique() < 2:
                raise ModellingError(f"Too little history for the {name} model: {part.height} row(s) with a known "
                                     f"outcome over {part['observation_date'].n_unique()} observation date(s); "
                                     "at least two dates are needed (one to learn from, one to check on).")
        if late["late"].n_unique() < 2:
            raise ModellingError(f"Every one of the {late.height} invoice snapshots has late = "
                                 f"{late['late'][0]}: the late model needs both outcomes.")
        self.late_holdout_from_ = self._late_holdout_start(late, checked)
        self.week_holdout_from_ = self._holdout_start(week)
        self.late_booster_, self.late_iteration_ = self._train(
            late, late["late"].to_numpy(), self.late_holdout_from_, {"objective": "binary"}, "late model", progress)
        self.week_booster_, self.week_iteration_ = self._train(
            week, week["week"].to_numpy() - 1, self.week_holdout_from_,
            {"objective": "multiclass", "num_class": TAIL_CLASS}, "week model", progress)
        return self

    def _holdout_start(self, rows: pl.DataFrame) -> date:
        """The first of the latest `holdout_share` of the observation dates (at least one date)."""
        dates = rows["observation_date"].unique().sort().to_list()
        return dates[len(dates) - max(1, math.ceil(len(dates) * self.holdout_share))]

    def _late_holdout_start(self, late: pl.DataFrame, checked: bool = True) -> date:
        """The hold-out of the late model: the latest `holdout_share` of the dates, started earlier (a date at a
        time, up to half the dates) until it has late and on-time payments and training keeps both; refused,
        saying why, when no start gives that (an AUC on one class means nothing)."""
        dates = late["observation_date"].unique().sort().to_list()
        first = self._holdout_start(late)
        stop = max(1, len(dates) // 2)
        for start in [d for d in dates if d <= first][::-1]:
            held = late.filter(pl.col("observation_date") >= start)["late"]
            kept = late.filter(pl.col("observation_date") < start)["late"]
            if dates.index(start) < stop or kept.n_unique() < 2:
                break
            if held.n_unique() == 2:
                return start
        held = late.filter(pl.col("observation_date") >= first)["late"]
        if not checked or held.n_unique() == 2:
            return first
        which = "no late payments" if int(held.sum()) == 0 else "no payments on time"
        raise ModellingError(
            f"The hold-out has {which}: only {int(held.sum()):,} of its {held.len():,} invoice snapshots from "
            f"{first} on are late, and starting it earlier (up to half of the {len(dates)} observation dates) "
            "gives no period with both late and on-time payments, so the late model cannot be checked. "
            "Train on a longer history (an earlier --as-of has fewer recent dates), or import the later receipts.")

    def _train(self, rows: pl.DataFrame, y: np.ndarray, holdout_from: date, objective: dict, stage: str,
               progress: Progress | None):
        import lightgbm as lgb

        params = {**DEFAULT_PARAMS, **objective, "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                  "min_data_in_leaf": self.min_data_in_leaf, "seed": self.seed, "num_threads": self.num_threads}
        held = (rows["observation_date"] >= holdout_from).to_numpy()
        x = self.matrix(rows)
        cat_index = list(range(len(self.numeric_), len(self.features_)))
        train_set = lgb.Dataset(x[~held], y[~held], feature_name=self.features_, categorical_feature=cat_index)
        valid_set = lgb.Dataset(x[held], y[held], reference=train_set)
        callbacks = [lgb.early_stopping(self.early_stopping_rounds, verbose=False)]
        if progress:
            callbacks.append(lambda env: progress(stage, env.iteration + 1, self.n_estimators))
        booster = lgb.train(params, train_set, num_boost_round=self.n_estimators, valid_sets=[valid_set],
                            callbacks=callbacks)
        if progress:
            progress(stage, self.n_estimators, self.n_estimators)
        return booster, int(booster.best_iteration or self.n_estimators)

    def predict_late(self, x: np.ndarray) -> np.ndarray:
        return self.late_booster_.predict(x, num_iteration=self.late_iteration_, num_threads=self.num_threads)

    def predict_weeks(self, x: np.ndarray) -> np.ndarray:
        """rows × 14: P(settled in week 1..13 after the as-of date), P(later or never)."""
        return self.week_booster_.predict(x, num_iteration=self.week_iteration_, num_threads=self.num_threads)

    def expected_days(self, p_week: np.ndarray) -> np.ndarray:
        return p_week @ np.r_[MIDPOINTS, self.tail_days_]

    def predict(self, open_frame: pl.DataFrame, as_of: date, *, reasons: bool = True,
                reasons_top: int | None = None) -> pl.DataFrame:
        """Per open invoice: invoice_id, customer_id, open_fen, p_late, p_week_1..p_week_14, expected_days,
        expected_date, expected_loss_fen, and reason_k, reason_k_value, reason_k_contribution (k = 1..3).

        Reasons (tree contributions) cost far more than the prediction; with `reasons_top` only the invoices
        with the largest expected loss get them (the head of the worklist), the rest have null reasons."""
        _require(open_frame, ["invoice_id", "customer_id", "open_fen", *self.features_], "open invoices")
        x = self.matrix(open_frame)
        p_late = self.predict_late(x) if len(x) else np.zeros(0)
        p_week = self.predict_weeks(x).reshape(len(x), TAIL_CLASS) if len(x) else np.zeros((0, TAIL_CLASS))
        days = self.expected_days(p_week)
        open_fen = open_frame["open_fen"].to_numpy()
        out = open_frame.select("invoice_id", "customer_id", "open_fen").with_columns(
            pl.Series("p_late", p_late, dtype=pl.Float64),
            *[pl.Series(name, p_week[:, k], dtype=pl.Float64) for k, name in enumerate(WEEK_COLUMNS)],
            pl.Series("expected_days", days, dtype=pl.Float64),
            pl.Series("expected_date", np.datetime64(as_of, "D") + np.rint(days).astype("timedelta64[D]"),
                      dtype=pl.Date),
            pl.Series("expected_loss_fen", np.rint(open_fen * p_late).astype(np.int64), dtype=pl.Int64))
        if not reasons:
            return out
        if reasons_top is None or len(x) <= reasons_top:
            return out.with_columns(self._reasons(open_frame, x))
        head = np.argsort(-out["expected_loss_fen"].to_numpy(), kind="stable")[:reasons_top]
        explained = pl.DataFrame([open_frame["invoice_id"].gather(head), *self._reasons(open_frame[head], x[head])])
        return out.join(explained, on="invoice_id", how="left")

    def _reasons(self, open_frame: pl.DataFrame, x: np.ndarray) -> list[pl.Series]:
        """reason_k, reason_k_value (as text) and reason_k_contribution (log-odds) for k = 1..3."""
        contributions = np.asarray(self.late_booster_.predict(
            x, num_iteration=self.late_iteration_, pred_contrib=True, num_threads=self.num_threads))[:, :-1] \
            if len(x) else np.zeros((0, len(self.features_)))
        index, values = GbmChallenger.reasons(contributions, TOP_REASONS)
        columns = []
        for k in range(index.shape[1]):
            chosen = index[:, k]
            raw = x[np.arange(len(x)), np.maximum(chosen, 0)] if len(x) else np.zeros(0)
            value = pl.Series(raw).fill_nan(None).round(4).cast(pl.String)
            for j, name in enumerate(self.categorical_, start=len(self.numeric_)):
                value = pl.select(pl.when(pl.Series(chosen == j)).then(open_frame[name]).otherwise(value)).to_series()
            name = pl.Series(np.array(self.features_, dtype=object)[np.maximum(chosen, 0)], dtype=pl.String)
            found = pl.Series(chosen >= 0)   # −1: no feature raised the risk
            columns += [pl.select(pl.when(found).then(name)).to_series().alias(f"reason_{k + 1}"),
                        pl.select(pl.when(found).then(value)).to_series().alias(f"reason_{k + 1}_value"),
                        pl.Series(f"reason_{k + 1}_contribution", np.round(values[:, k], 4), dtype=pl.Float64)]
        return columns

    def feature_importance(self) -> list[dict]:
        late = self.late_booster_.feature_importance("gain", iteration=self.late_iteration_)
        week = self.week_booster_.feature_importance("gain", iteration=self.week_iteration_)
        rows = [{"feature": n, "late_gain": float(a), "week_gain": float(b)}
                for n, a, b in zip(self.features_, late, week, strict=True)]
        return sorted(rows, key=lambda r: -r["late_gain"])

    # --- as values: the boosters as LightGBM's model text, the rest as a JSON-able dict; no pickle ---

    def to_dict(self) -> dict:
        """Everything but the boosters (a model directory's delay.json)."""
        return {"numeric": self.numeric_, "categorical": self.categorical_, "categories": self.categories_,
                "tail_days": self.tail_days_, "parameters": self.get_params(),
                "late_holdout_from": self.late_holdout_from_.isoformat(),
                "week_holdout_from": self.week_holdout_from_.isoformat()}

    def model_texts(self) -> dict[str, str]:
        """The two boosters in LightGBM's text format, each cut at its best iteration: {"late": …, "week": …}."""
        return {"late": self.late_booster_.model_to_string(num_iteration=self.late_iteration_),
                "week": self.week_booster_.model_to_string(num_iteration=self.week_iteration_)}

    @classmethod
    def from_dict(cls, meta: dict, late_text: str, week_text: str) -> DelayModel:
        """The fitted model back from `to_dict()` and `model_texts()`; KeyError, ValueError or TypeError for a
        damaged dict, ModelDirError for a model text LightGBM cannot read."""
        model = cls(**meta["parameters"])
        model.numeric_, model.categorical_ = meta["numeric"], meta["categorical"]
        model.categories_, model.tail_days_ = meta["categories"], float(meta["tail_days"])
        model.late_holdout_from_ = date.fromisoformat(meta["late_holdout_from"])
        model.week_holdout_from_ = date.fromisoformat(meta["week_holdout_from"])
        model.late_booster_, model.week_booster_ = booster_from_text(late_text), booster_from_text(week_text)
        model.late_iteration_ = model.late_booster_.current_iteration()
        model.week_iteration_ = model.week_booster_.current_iteration()
        return model


def metadata(model: DelayModel, report: dict | None = None) -> dict:
    """The metadata of a payment-delay model directory: format, use, parameters, features and, with the
    training report, its figures."""
    report = report or {}
    return {"format": FORMAT, "models": ["delay"], "use": USE, "created_at": report.get("created_at"),
            "as_of": report.get("as_of"), "parameters": model.get_params(), "features": model.features_,
            "metrics": report.get("metrics", {}), "backtest": report.get("backtest", {}).get("summary"),
            "training": report.get("training"), "source": report.get("source", {"file": None, "sha256": None}),
            "libraries": library_versions()}


def check_metadata(metadata: dict, where: str) -> None:
    """A ModelDirError unless `metadata` is a payment-delay model's of this format (`where` names it)."""
    if metadata.get("format") != FORMAT or "delay" not in metadata.get("models", []):
        raise ModelDirError(f"{where} is not a payment-delay model directory of format {FORMAT} "
                            f"(format {metadata.get('format')!r}, models {metadata.get('models')!r}).")


def _require(frame: pl.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"The {what} lack the column(s) {', '.join(missing)}.")


# --- forecast and back-test ---------------------------------------------------------------------------

def week_frame(as_of: date, weeks: int = WEEKS) -> pl.DataFrame:
    """week k covers as_of + 7(k−1) + 1 .. as_of + 7k."""
    if not 1 <= weeks <= WEEKS:
        raise ModellingError(f"The forecast covers 1 to {WEEKS} weeks (asked for {weeks}).")
    return pl.DataFrame({"week": list(range(1, weeks + 1)),
                         "start": [as_of + timedelta(days=7 * (k - 1) + 1) for k in range(1, weeks + 1)],
                         "end": [as_of + timedelta(days=7 * k) for k in range(1, weeks + 1)]},
                        schema={"week": pl.Int64, "start": pl.Date, "end": pl.Date})


def forecast(predictions: pl.DataFrame, as_of: date, weeks: int = WEEKS) -> pl.DataFrame:
    """week, start, end, expected_fen = Σ open_fen × P(paid in that week), rounded to the fen."""
    frame = week_frame(as_of, weeks)
    _require(predictions, ["open_fen", *WEEK_COLUMNS[:weeks]], "predictions")
    expected = predictions.select((pl.col(c) * pl.col("open_fen")).sum() for c in WEEK_COLUMNS[:weeks]).row(0)
    return frame.with_columns(pl.Series("expected_fen", np.rint(np.asarray(expected, dtype=float)).astype(np.int64)))


def _week_of(day: pl.Expr, as_of: date) -> pl.Expr:
    return (_days(day, pl.lit(as_of)) / 7).ceil().cast(pl.Int64)


def actual_collections(frames: ledger.LedgerFrames, as_of: date, invoice_ids, weeks: int = WEEKS) -> pl.DataFrame:
    """week, start, end, actual_fen: receipts and credit notes dated in each week on the given invoices."""
    frame = week_frame(as_of, weeks)
    ids = pl.Series(list(invoice_ids) if not isinstance(invoice_ids, pl.Series) else invoice_ids, dtype=pl.Int64)
    moves = pl.concat([
        frames.receipts.select("invoice_id", pl.col("payment_date").alias("day"), "amount_fen"),
        frames.credit_notes.filter(pl.col("invoice_id").is_not_null())
        .select("invoice_id", pl.col("issue_date").alias("day"), "amount_fen")])
    weekly = (moves.filter(pl.col("invoice_id").is_in(ids.implode()) & (pl.col("day") > as_of))
              .with_columns(_week_of(pl.col("day"), as_of).alias("week")).filter(pl.col("week") <= weeks)
              .group_by("week").agg(pl.col("amount_fen").sum().alias("actual_fen")))
    return frame.join(weekly, on="week", how="left").with_columns(pl.col("actual_fen").fill_null(0))


def reference_weeks(days_to_due: np.ndarray, mean_delay: np.ndarray) -> np.ndarray:
    """The plain rule: paid in full on due date + the customer's mean days beyond terms (0 when it has
    no history); a date already past is paid next week. The week after the as-of date (1, 2, ...)."""
    days = np.asarray(days_to_due, dtype=float) + np.nan_to_num(np.asarray(mean_delay, dtype=float))
    return np.ceil(np.maximum(days, 1) / 7).astype(np.int64)


def reference_forecast(open_frame: pl.DataFrame, as_of: date, weeks: int = WEEKS) -> pl.DataFrame:
    """week, start, end, reference_fen: the plain rule's forecast of the same open invoices."""
    frame = week_frame(as_of, weeks)
    week = reference_weeks(open_frame["days_to_due"].to_numpy(), open_frame["dbt_mean_12m"].to_numpy())
    amount = open_frame["open_fen"].to_numpy().astype(float)
    inside = week <= weeks
    totals = np.bincount(week[inside], weights=amount[inside], minlength=weeks + 1)[1:]
    return frame.with_columns(pl.Series("reference_fen", np.rint(totals).astype(np.int64)))


def forecast_errors(forecast_fen: np.ndarray, actual_fen: np.ndarray) -> dict:
    """WAPE = Σ|f − a| / Σa over the weeks, and the error of the total in per cent of the actual."""
    f, a = np.asarray(forecast_fen, dtype=float), np.asarray(actual_fen, dtype=float)
    total = a.sum()
    return {"wape": float(np.abs(f - a).sum() / total) if total else None,
            "total_error_pct": float((f.sum() - total) / total * 100) if total else None}


def backtest(frames: ledger.LedgerFrames, origins: list[date], progress: Progress | None = None, *,
             params: dict | None = None, groups: dict[str, list[int]] | None = None) -> dict:
    """Per origin: train on the ledger cut at the origin only, forecast 13 weeks of the invoices open
    then, and compare with what arrived (the full ledger), beside the plain reference rule.

    `groups` (a key, such as a portfolio's id, to its customers' ids) adds each origin's figures per
    group under "groups", so a reader who may see only some groups gets their part (`combine_origins`)."""
    end = frames.last_date()
    short = [o for o in origins if end is None or o + timedelta(days=HORIZON_DAYS) > end]
    if short:
        raise ModellingError(f"Back-test origin(s) {', '.join(map(str, short))} lack 13 weeks of actuals "
                             f"(data end {end}).")
    results = []
    for done, origin in enumerate(sorted(origins)):
        if progress:
            progress("back-test", done, len(origins))
        results.append(_backtest_origin(frames, origin, params or {}, groups))
    if progress:
        progress("back-test", len(origins), len(origins))
    return {"origins": results, "summary": backtest_summary(results)}


def _backtest_origin(frames: ledger.LedgerFrames, origin: date, params: dict,
                     groups: dict[str, list[int]] | None) -> dict:
    cut = ledger.known_on(frames, origin)
    rows = training_rows(cut, snapshot_dates(cut, origin), origin)
    model = DelayModel(**params).fit(rows, checked=False)
    open_now = open_invoices(frames, origin)
    predicted = model.predict(open_now, origin, reasons=False)
    result = {"origin": origin.isoformat(), "training_rows": rows.height,
              **_origin_figures(frames, origin, open_now, predicted)}
    if groups is not None:
        result["groups"] = {}
        for key, customers in groups.items():
            mine = pl.col("customer_id").is_in(pl.Series(list(customers), dtype=pl.Int64).implode())
            part = open_now.filter(mine)
            if part.height:
                result["groups"][str(key)] = _origin_figures(frames, origin, part, predicted.filter(mine))
    return result


def _origin_figures(frames: ledger.LedgerFrames, origin: date, open_now: pl.DataFrame,
                    predicted: pl.DataFrame) -> dict:
    """open_invoices, open_fen, weeks (forecast_fen, actual_fen, reference_fen) and both error pairs."""
    weeks = (forecast(predicted, origin)
             .join(actual_collections(frames, origin, open_now["invoice_id"]), on=["week", "start", "end"])
             .join(reference_forecast(open_now, origin), on=["week", "start", "end"])
             .rename({"expected_fen": "forecast_fen"}))
    return _with_errors({"open_invoices": open_now.height, "open_fen": int(open_now["open_fen"].sum()),
                         "weeks": [{**w, "start": w["start"].isoformat(), "end": w["end"].isoformat()}
                                   for w in weeks.to_dicts()]})


def _with_errors(figures: dict) -> dict:
    def column(name: str) -> np.ndarray:
        return np.asarray([w[name] for w in figures["weeks"]], dtype=float)

    actual = column("actual_fen")
    return {**figures, "model": forecast_errors(column("forecast_fen"), actual),
            "reference": forecast_errors(column("reference_fen"), actual)}


def combine_origins(parts: list[dict]) -> dict:
    """The figures of several groups of one origin as one (weeks added up, errors computed again)."""
    weeks: dict[int, dict] = {}
    for part in parts:
        for w in part.get("weeks") or []:
            into = weeks.setdefault(int(w["week"]), {"week": int(w["week"]), "start": w["start"], "end": w["end"],
                                                     "forecast_fen": 0, "actual_fen": 0, "reference_fen": 0})
            for name in ("forecast_fen", "actual_fen", "reference_fen"):
                into[name] += int(w.get(name) or 0)
    return _with_errors({"open_invoices": sum(int(p.get("open_invoices") or 0) for p in parts),
                         "open_fen": sum(int(p.get("open_fen") or 0) for p in parts),
                         "weeks": [weeks[k] for k in sorted(weeks)]})


def backtest_summary(results: list[dict]) -> dict:
    """The origins' errors averaged: mean WAPE and mean absolute error of the 13-week total, model and rule."""
    def mean(kind: str, key: str) -> float | None:
        values = [r[kind][key] for r in results if r[kind][key] is not None]
        return float(np.mean(values)) if values else None

    return {"origins": len(results), "model_wape": mean("model", "wape"), "reference_wape": mean("reference", "wape"),
            "model_abs_total_error_pct": _mean_abs([r["model"]["total_error_pct"] for r in results]),
            "reference_abs_total_error_pct": _mean_abs([r["reference"]["total_error_pct"] for r in results])}


def _mean_abs(values: list[float | None]) -> float | None:
    kept = [abs(v) for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


# --- training with validation, back-test and PSI reference ----------------------------------------------

@dataclass
class TrainedDelay:
    model: DelayModel
    report: dict = field(default_factory=dict)
    rows: int = 0


def train_delay(frames: ledger.LedgerFrames, *, created_at: datetime, as_of: date | None = None,
                backtest_origins: int = 3, progress: Progress | None = None, params: dict | None = None,
                source: str | None = None, groups: dict[str, list[int]] | None = None) -> TrainedDelay:
    """Training rows up to `as_of` (default the data end), both boosters, hold-out metrics, the
    back-test at as_of − 13, 26, 39 weeks (those with enough history), and the PSI reference;
    `created_at` (timezone-aware) is the run's moment in the report; `groups` (key → customer ids) splits
    each back-test origin's figures by group as well (`backtest`).

    Outcomes are known only up to the ledger's last date: a later `as_of` is read as that date (else a
    receipt missing because the data stops would count as a late payment)."""
    known = ledger.known_on(frames, as_of) if as_of else frames
    if (end := known.last_date()) is None:
        raise ModellingError("The ledger is empty (no invoice, receipt or credit note"
                             + (f" up to {as_of}" if as_of else "") + "): there is nothing to learn from.")
    as_of = end
    dates = snapshot_dates(known, as_of)
    if len(dates) < 2:
        raise ModellingError(f"The ledger up to {as_of} has {len(dates)} observation date(s) after its first "
                             f"{HISTORY_MONTHS} months; the delay model needs more history.")
    rows = training_rows(known, dates, as_of, progress)
    model = DelayModel(**(params or {})).fit(rows, progress)
    origins = [as_of - timedelta(weeks=13 * k) for k in range(1, backtest_origins + 1)]
    usable = [o for o in origins if len(snapshot_dates(ledger.known_on(known, o), o)) >= 2]
    tested = backtest(known, usable, progress, params=params, groups=groups)
    tested["skipped"] = [o.isoformat() for o in origins if o not in usable]
    report = {
        "format": FORMAT, "use": USE, "created_at": timestamp(created_at),
        "as_of": as_of.isoformat(), "source": {"file": source, "sha256": fingerprint(known)},
        "parameters": model.get_params(), "libraries": library_versions(),
        "training": _training_summary(rows, dates), "features": model.features_,
        **_holdout_report(model, rows), "importance": model.feature_importance(),
        "backtest": tested, "reference": reference_distributions(model, rows)}
    return TrainedDelay(model, report, rows.height)


def _training_summary(rows: pl.DataFrame, dates: list[date]) -> dict:
    late = rows["late"].drop_nulls()
    return {"rows": rows.height, "observation_dates": len(dates), "first_date": dates[0].isoformat(),
            "last_date": dates[-1].isoformat(), "every_days": EVERY_DAYS, "late_rows": late.len(),
            "late_rate": float(late.mean()) if late.len() else None, "week_rows": int(rows["week"].is_not_null().sum()),
            "invoices": rows["invoice_id"].n_unique()}


def _holdout_report(model: DelayModel, rows: pl.DataFrame) -> dict:
    late = rows.filter(pl.col("late").is_not_null() & (pl.col("observation_date") >= model.late_holdout_from_))
    week = rows.filter(pl.col("week").is_not_null() & (pl.col("observation_date") >= model.week_holdout_from_))
    y, p = late["late"].to_numpy(), model.predict_late(model.matrix(late))
    p_week = model.predict_weeks(model.matrix(week)).reshape(week.height, TAIL_CLASS)
    truth = week["week"].to_numpy() - 1
    chosen = np.clip(p_week[np.arange(week.height), truth], 1e-15, 1)
    settled = week["days_to_settle"].is_not_null().to_numpy()
    errors = np.abs(model.expected_days(p_week[settled]) - week["days_to_settle"].to_numpy()[settled])
    return {
        "metrics": {
            "late": {**_finite(metrics.summary(y, p)), "holdout_from": model.late_holdout_from_.isoformat(),
                     "best_iteration": model.late_iteration_},
            "week": {"rows": week.height, "log_loss": float(-np.mean(np.log(chosen))) if week.height else None,
                     "mae_days": float(errors.mean()) if errors.size else None, "settled_rows": int(settled.sum()),
                     "holdout_from": model.week_holdout_from_.isoformat(), "best_iteration": model.week_iteration_,
                     "tail_days": model.tail_days_}},
        "calibration": metrics.calibration_table(y, p), "roc": metrics.roc_curve(y, p),
    }


def _finite(figures: dict) -> dict:
    """NaN (an AUC on one class) as None: the report is strict JSON."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in figures.items()}


def reference_distributions(model: DelayModel, rows: pl.DataFrame) -> dict:
    """The distributions each cycle's PSI is computed against (metrics.psi_to_reference): p_late and each
    feature on the latest snapshot date of training (the open book most like the one scored; the pooled
    snapshots would differ from any single day by construction). Calendar features are not monitored."""
    latest = rows.filter(pl.col("observation_date") == pl.col("observation_date").max())
    p_late = model.predict_late(model.matrix(latest))
    return {"score": {"column": "p_late", **metrics.numeric_reference(p_late)},
            "source": f"open invoices of {latest['observation_date'][0]}" if latest.height else "",
            "features": {**{c: metrics.numeric_reference(latest[c].fill_nan(None).to_numpy().astype(float))
                            for c in model.numeric_ if c not in NOT_MONITORED},
                         **{c: metrics.categorical_reference(latest[c].to_list())
                            for c in model.categorical_ if c not in NOT_MONITORED}}}


def fingerprint(frames: ledger.LedgerFrames) -> str:
    """SHA-256 of the ledger the model learnt from (each table sorted, as CSV)."""
    digest = hashlib.sha256()
    for name in ledger.SCHEMAS:
        frame = getattr(frames, name)
        digest.update(name.encode())
        digest.update(frame.sort(frame.columns).write_csv().encode())
    return digest.hexdigest()


# --- the report page ------------------------------------------------------------------------------------

def render_html(report: dict) -> str:
    """A self-contained page (plotly inlined, as report.py does): hold-out ROC and calibration of p_late,
    and per back-test origin the forecast, the actuals and the reference rule week by week."""
    import html as escape

    import plotly.graph_objects as go  # plotly imported here: a heavy library only the report needs
    from plotly.offline import get_plotlyjs

    late = report["metrics"]["late"]
    charts = [go.Figure([go.Scatter(x=report["roc"]["fpr"], y=report["roc"]["tpr"], mode="lines",
                                    name=f"p_late (hold-out AUC {_fmt(late['auc'])})"),
                         go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"},
                                    name="chance")]).update_layout(
        title="Paid over 30 days late: ROC on the hold-out dates", xaxis_title="false positive rate",
        yaxis_title="true positive rate")]
    rows = report["calibration"]
    charts.append(go.Figure(go.Scatter(x=[r["mean_predicted"] for r in rows], y=[r["observed"] for r in rows],
                                       mode="lines+markers", name="p_late")).update_layout(
        title="Calibration of p_late by decile (hold-out)", xaxis_title="mean predicted", yaxis_title="observed"))
    for origin in report["backtest"]["origins"]:
        weeks = origin["weeks"]
        fig = go.Figure()
        for key, label in (("actual_fen", "actual"), ("forecast_fen", "model"), ("reference_fen", "reference rule")):
            fig.add_scatter(x=[w["week"] for w in weeks], y=[w[key] / 100 for w in weeks], mode="lines+markers",
                            name=label)
        fig.update_layout(title=f"Back-test from {origin['origin']}: collections per week (CNY); WAPE model "
                          f"{_fmt(origin['model']['wape'])}, reference {_fmt(origin['reference']['wape'])}",
                          xaxis_title="week after the origin", yaxis_title="CNY")
        charts.append(fig)
    body = "\n".join(f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=False)}</div>'
                     for fig in charts)
    training, week = report["training"], report["metrics"]["week"]
    summary = (f"<p>As of {report['as_of']}: {training['rows']:,} invoice snapshots over "
               f"{training['observation_dates']} observation dates ({training['first_date']} to "
               f"{training['last_date']}); late rate {_fmt(training['late_rate'])}. Hold-out p_late AUC "
               f"{_fmt(late['auc'])}, KS {_fmt(late['ks'])}, Brier {_fmt(late['brier'])}; payment week log-loss "
               f"{_fmt(week['log_loss'])}, expected-days MAE {_fmt(week['mae_days'])} days.</p>"
               f"<p>Ledger SHA-256: <code>{escape.escape(str(report['source']['sha256']))}</code></p>")
    backtest_rows = [{"origin": o["origin"], "open_invoices": o["open_invoices"], "model_wape": o["model"]["wape"],
                      "reference_wape": o["reference"]["wape"], "model_total_error_pct": o["model"]["total_error_pct"],
                      "reference_total_error_pct": o["reference"]["total_error_pct"]}
                     for o in report["backtest"]["origins"]]
    tables = "\n".join([
        html_table("Back-test (13 weeks per origin)", backtest_rows, list(backtest_rows[0]) if backtest_rows else []),
        html_table("Feature importance (gain)", report["importance"], ["feature", "late_gain", "week_gain"]),
        html_table("Parameters", [{"parameter": k, "value": v} for k, v in report["parameters"].items()],
                   ["parameter", "value"]),
        html_table("Library versions", [{"library": k, "version": v} for k, v in report["libraries"].items()],
                   ["library", "version"])])
    return PAGE.format(title=escape.escape(f"Payment-delay model — as of {report['as_of']}"), plotly=get_plotlyjs(),
                       summary=summary, charts=body, tables=tables)


def _fmt(value) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
