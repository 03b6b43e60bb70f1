"""Benchmark: the daily cycle's model scoring, `score_book(as_of=...)`, on a 100,000-customer book, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_score_book.py --db sqlite [--customers 100000] [--years 2] [--seed 1]
    .venv/bin/python benchmarks/bench_score_book.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432
    .venv/bin/python benchmarks/bench_score_book.py --customers 20000   # a quicker run

What is measured, in one run on a fresh database (SQLite file in a temporary directory, or a PostgreSQL
database `fk_bench_score_book` created and dropped here):
  1. the demo company is generated and imported exactly as in bench_cycle (its `load`). Not timed.
  2. the models, on the same database, not timed: customer_risk with `actions.train_and_register` (the
     scorecard and the LightGBM challenger of one directory), payment_delay likewise but trained on a
     sample of the customers (--delay-customers, default 2,000: every k-th customer's ledger) and without
     the back-test, because the delay model's training snapshots grow with the whole book (1,000
     customers x 3 years are already 240,000 rows and half a minute of boosting). The model's features
     and size are those of a full training, so predicting is the same work. The scorecard and the delay
     model are made champions with `actions.crown_champion`; the GBM stays a challenger (scored in the shadow).
  3. in a fresh child process (its peak memory is the scoring's own), `score_book(as_of=...)` end to
     end, every stage timed by wrapping the functions it calls from the outside (nothing in src/ is
     changed). Each stage's time is its own (exclusive): a stage inside another is not counted twice,
     and what the enclosing function does between its stages is shown as its own line. Then a second
     run the same day: the steady state of a daily cycle, where yesterday's rows are deleted first.
  4. references, in the same process on the same data: a plain numpy logistic scoring of the same
     customer matrix (the numeric features, one dot product and a sigmoid), and a bare bulk insert of
     the same number of rows (`executemany` on SQLite, COPY on PostgreSQL, into a table of the same
     columns, reasons as one JSON text) for the customer scores and for the invoice predictions. Each
     stage is printed as a ratio of the reference that does the same kind of work.
Prints the table, wall time, peak RSS (VmHWM) and the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cycle import configure, load, peak_rss_mib, postgres  # noqa: E402

PG_BENCH_DB = "fk_bench_score_book"
# Stages: label, what its rows are (customers scored, or the rows of a table written) and the reference of
# the same kind of work, in the order of the table; the functions they wrap are in `instrument`.
STAGES = {
    "models": ("live models + loading them from disk", None, None),
    "read": ("ledger read once for both uses (DB, one query a table)", "customers", None),
    "c_features": ("customers: ledger features (engine)", "customers", "score"),
    "c_score": ("customers: scorecard points + GBM probability", "customers", "score"),
    "c_shap": ("customers: GBM reasons (TreeSHAP, the riskiest 20,000)", "customers", "score"),
    "c_reasons": ("customers: reasons to JSON lists", "customers", "score"),
    "c_rows": ("customers: score rows (tuples), commit", "c_insert", "c_insert"),
    "c_delete": ("customers: delete yesterday's scores", "c_insert", "c_insert"),
    "c_insert": ("customers: insert scores (executemany / COPY)", "c_insert", "c_insert"),
    "i_features": ("invoices: open-invoice features (engine)", "i_insert", "score"),
    "i_predict": ("invoices: delay predict (p_late, 14 weeks)", "i_insert", "score"),
    "i_shap": ("invoices: TreeSHAP of the 5,000 largest losses", "explained", "score"),
    "i_reasons": ("invoices: reason columns around it (polars)", "explained", "score"),
    "i_rows": ("invoices: prediction rows (tuples) + reasons", "i_insert", "i_insert"),
    "i_delete": ("invoices: delete yesterday's predictions", "i_insert", "i_insert"),
    "i_insert": ("invoices: insert predictions (executemany / COPY)", "i_insert", "i_insert"),
    "i_forecast": ("invoices: forecast, CashForecast, commit", "i_insert", None),
    "monitors": ("drift monitors (PSI, ModelMonitor, alerts)", None, None),
    "rest": ("the rest (score_book itself, transactions)", None, None),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--delay-customers", type=int, default=2000,
                        help="Train the payment-delay model on the ledger of this many customers (0: all).")
    parser.add_argument("--company", type=Path, default=None,
                        help="Directory of the generated company (default: a cache under the temp directory).")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run the timed scoring for this date
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    work = Path(tempfile.mkdtemp(prefix="fk-bench-score-book-"))
    args.company = args.company or Path(tempfile.gettempdir()) / f"fk-company-c{args.customers}-y{args.years}-s{args.seed}"
    if args.db == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        postgres(f"CREATE DATABASE {PG_BENCH_DB}")
    try:
        configure(args.db, work / "data", PG_BENCH_DB)
        as_of = load(args, args.company)
        train_champions(args.delay_customers)
        from django.db import connections

        connections.close_all()
        result = subprocess.run([sys.executable, __file__, "--db", args.db, "--child", as_of.isoformat()],
                                env=dict(os.environ), check=False)
        sys.exit(result.returncode)
    finally:
        if args.db == "postgres" and not args.keep:
            postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


# --- models (not timed) --------------------------------------------------------------------------

def train_champions(delay_customers: int) -> None:
    """Train and register both uses on this database, then crown the scorecard and the delay model."""
    from django.db import transaction

    from fengkong.scoring import actions
    from fengkong.scoring.choices import ModelKind

    started = time.perf_counter()
    risk = actions.train_and_register(actor=None, use="customer_risk")
    print(f"customer_risk trained and registered (not timed): {', '.join(m.label for m in risk)} "
          f"in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with sampled_delay_training(delay_customers):
        delay = actions.train_and_register(actor=None, use="payment_delay")
    print(f"payment_delay trained on {delay_customers or 'all'} customers' ledger and registered (not timed): "
          f"{', '.join(m.label for m in delay)} in {time.perf_counter() - started:.1f} s")
    for model in [next(m for m in risk if m.kind == ModelKind.SCORECARD), *delay]:
        with transaction.atomic():
            actions.crown_champion(None, model, reason="bench")


@contextmanager
def sampled_delay_training(customers: int):
    """While inside: the registry's delay training reads every k-th customer's ledger and skips the back-test."""
    from django.utils import timezone

    from fengkong.engine.modelling import delay, ledger
    from fengkong.scoring import delay as scoring_delay

    real = scoring_delay.train_from_db

    def train_from_db(as_of=None, progress=None, *, params=None):
        as_of = as_of or scoring_delay.last_date()
        frames = scoring_delay.read_ledger_until(as_of)
        if customers and frames.customers.height > customers:
            frames = sample_ledger(ledger, frames, customers)
        return delay.train_delay(frames, created_at=timezone.now(), as_of=as_of, progress=progress, params=params,
                                 backtest_origins=0, source="database (bench sample)")

    scoring_delay.train_from_db = train_from_db
    try:
        yield
    finally:
        scoring_delay.train_from_db = real


def sample_ledger(ledger, frames, customers: int):
    import polars as pl

    step = frames.customers.height // customers
    kept = frames.customers.sort("customer_id").gather_every(step).head(customers)
    ids = kept["customer_id"].implode()
    invoices = frames.invoices.filter(pl.col("customer_id").is_in(ids))
    return ledger.LedgerFrames(
        customers=kept, invoices=invoices,
        receipts=frames.receipts.filter(pl.col("invoice_id").is_in(invoices["invoice_id"].implode())),
        credit_notes=frames.credit_notes.filter(pl.col("customer_id").is_in(ids)),
        statements=frames.statements.filter(pl.col("customer_id").is_in(ids)))


# --- the timed run -------------------------------------------------------------------------------

class Stages:
    """Exclusive wall time per stage: a stage called inside another is subtracted from the outer one."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self.calls = dict.fromkeys(STAGES, 0)
        self._stack: list[list] = []   # [stage, started, seconds spent in inner stages]
        self.active = True

    def current(self) -> str | None:
        return self._stack[-1][0] if self._stack else None

    def wrap(self, owner, name: str, stage) -> None:
        """Replace owner.name by a timed call; `stage` is a key of STAGES or a function of the call's
        arguments that returns one (None: not a stage, the time stays with the caller)."""
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            key = (stage(*args, **kwargs) if callable(stage) else stage) if self.active else None
            if key is None:
                return real(*args, **kwargs)
            self._stack.append([key, time.perf_counter(), 0.0])
            try:
                return real(*args, **kwargs)
            finally:
                key, started, inner = self._stack.pop()
                elapsed = time.perf_counter() - started
                self.seconds[key] += elapsed - inner
                self.calls[key] += 1
                if self._stack:
                    self._stack[-1][2] += elapsed

        setattr(owner, name, timed)


def instrument() -> Stages:
    """Wrap what score_book calls, at the names book_scores.py looks them up by when it runs."""
    import lightgbm
    from django.db.models import QuerySet

    from fengkong.engine.modelling import delay, gbm, ledger, model_dir
    from fengkong.integrations import db
    from fengkong.scoring import book_scores, registry
    from fengkong.scoring import delay as scoring_delay
    from fengkong.scoring.models import CustomerModelScore, InvoicePrediction

    def write(operation: str):
        tables = {CustomerModelScore: "c_", InvoicePrediction: "i_"}
        return lambda queryset, *args, **kwargs: (tables[queryset.model] + operation
                                                 if queryset.model in tables else None)

    stages = Stages()
    stages.wrap(book_scores, "score_book", "rest")
    for name in ("live_models", "load"):
        stages.wrap(registry, name, "models")
    # open_invoices computes the customers' features again: that time stays with the invoices' stage
    stages.wrap(ledger, "features", lambda *_: None if stages.current() == "i_features" else "c_features")
    stages.wrap(book_scores, "score_customers", "c_rows")
    stages.wrap(model_dir, "predict", "c_score")
    stages.wrap(gbm.GbmChallenger, "contributions", "c_shap")
    stages.wrap(book_scores, "customer_reasons", "c_reasons")
    stages.wrap(QuerySet, "delete", write("delete"))
    stages.wrap(db, "insert_rows", lambda table, *args, **kwargs: (
        "c_insert" if table == CustomerModelScore._meta.db_table else "i_insert"))
    stages.wrap(scoring_delay, "read_ledger_until", "read")
    stages.wrap(delay, "open_invoices", "i_features")
    stages.wrap(delay.DelayModel, "predict", "i_predict")
    stages.wrap(delay.DelayModel, "_reasons", "i_reasons")
    stages.wrap(lightgbm.Booster, "predict",
                lambda *_, **kw: "i_shap" if kw.get("pred_contrib") and stages.current() == "i_reasons" else None)
    stages.wrap(book_scores, "invoice_rows", "i_rows")
    stages.wrap(book_scores, "predict_invoices", "i_forecast")   # what is left of it: forecast, CashForecast, transaction
    stages.wrap(book_scores, "monitor", "monitors")
    return stages


def child(args: argparse.Namespace) -> None:
    configure(args.db, Path(os.environ["FENGKONG_DATA_DIR"]), PG_BENCH_DB)
    from django.db import connection

    from fengkong.scoring import book_scores

    as_of = date.fromisoformat(args.child)
    stages = instrument()
    runs = []
    for title in ("first run of the day (the tables empty)", "second run, same day (replaces every row)"):
        stages.reset()
        progress_log: list[tuple[float, str, int, int]] = []
        started = time.perf_counter()
        counts = book_scores.score_book(as_of=as_of, progress=lambda *step, log=progress_log:
                                 log.append((time.perf_counter(), *step)))
        wall = time.perf_counter() - started
        stages.active = False
        runs.append((title, wall, counts, dict(stages.seconds), dict(stages.calls),
                     ", ".join(f"{t - started:.1f} s {what} {done}/{total}" for t, what, done, total in progress_log)))
        if len(runs) == 1:
            peak_mib = peak_rss_mib()
    rows = written_rows()
    references = reference_timings(as_of, rows)
    print(f"\nscore_book on {connection.vendor} as of {as_of}")
    print(f"  peak memory      {peak_mib:8.0f} MiB (the scoring's own process, first run)")
    print(f"  rows written     {json.dumps(rows)}")
    for title, wall, counts, seconds, calls, progress in runs:
        print(f"\n  {title}: wall time {wall:.2f} s")
        print(f"  counts           {json.dumps(counts)}")
        print(f"  progress steps   {progress}")
        print_table(seconds, calls, wall, rows, references)
    print("\n  references (same process, same rows):")
    for key, (seconds, what) in references.items():
        print(f"    {key:<9} {what:<40} {seconds * 1e6:8.2f} us/row")


def written_rows() -> dict:
    from fengkong.scoring.models import CustomerModelScore, InvoicePrediction

    return {"c_insert": CustomerModelScore.objects.count(), "i_insert": InvoicePrediction.objects.count(),
            "customers": CustomerModelScore.objects.values("customer_id").distinct().count(),
            "explained": InvoicePrediction.objects.exclude(reasons=[]).count()}


# --- references ----------------------------------------------------------------------------------

def reference_timings(as_of: date, rows: dict) -> dict:
    """Seconds per row of the plain references: numpy logistic scoring, and a bare bulk insert per table."""
    import numpy as np
    from django.db import connection

    from fengkong.scoring import book_scores
    from fengkong.scoring.models import CustomerModelScore, InvoicePrediction

    frame = book_scores.customer_features(as_of)
    numeric = [c for c, t in frame.schema.items() if t.is_numeric() and c != "customer_id"]
    x = np.nan_to_num(frame.select(numeric).to_numpy().astype(float))
    weights = np.random.default_rng(1).normal(size=x.shape[1]) / np.maximum(x.std(axis=0), 1e-9)
    started = time.perf_counter()
    z = (x - x.mean(axis=0)) @ weights - 2.0
    probability = 1.0 / (1.0 + np.exp(-z))
    score_s = time.perf_counter() - started
    assert probability.shape == (frame.height,)
    customer_reasons = json.dumps(CustomerModelScore.objects.values_list("reasons", flat=True).first() or [],
                                  ensure_ascii=False)
    invoice_reasons = json.dumps(InvoicePrediction.objects.exclude(reasons=[]).values_list("reasons", flat=True)
                                 .first() or [], ensure_ascii=False)
    insert = "COPY" if connection.vendor == "postgresql" else "executemany"
    return {
        "score": (score_s / max(frame.height, 1), f"numpy logistic, {frame.height:,} x {len(numeric)}"),
        "c_insert": (bare_insert(rows["c_insert"], 6, customer_reasons) / max(rows["c_insert"], 1),
                     f"bare {insert} of {rows['c_insert']:,} rows"),
        "i_insert": (bare_insert(rows["i_insert"], 11, invoice_reasons) / max(rows["i_insert"], 1),
                     f"bare {insert} of {rows['i_insert']:,} rows"),
    }


def bare_insert(n: int, columns: int, reasons: str) -> float:
    """Seconds to insert n rows of `columns` columns (ints, floats, a date, the reasons JSON text) into a
    fresh table in one transaction: executemany in batches of 2,000 as bulk_create (SQLite), COPY (PostgreSQL)."""
    from django.db import connection, transaction

    if not n:
        return 0.0
    names = [f"c{k}" for k in range(columns - 2)]
    types = ["bigint" if k % 2 == 0 else "double precision" for k in range(columns - 2)]
    ddl = ", ".join(f"{c} {t}" for c, t in zip(names, types, strict=True))
    row = tuple(k if t == "bigint" else k + 0.5 for k, t in enumerate(types)) + (date(2026, 1, 1), reasons)
    marks = ", ".join(["%s"] * columns)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_insert")
        cursor.execute(f"CREATE TABLE bench_bare_insert (id integer primary key, {ddl}, day date, reasons text)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":   # its executemany is a round trip a row: COPY is the bare way
            with cursor.cursor.copy("COPY bench_bare_insert FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row((i, *row))
        else:
            for first in range(0, n, 2000):
                cursor.executemany(f"INSERT INTO bench_bare_insert VALUES (%s, {marks})",  # noqa: S608 (no input)
                                   [(i, *row) for i in range(first, min(n, first + 2000))])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_insert")
    return seconds


def print_table(seconds: dict, calls: dict, wall: float, rows: dict, references: dict) -> None:
    print(f"  {'stage':<52} {'seconds':>8} {'share':>6} {'calls':>5} {'rows':>9} {'us/row':>8} {'x ref':>8}")
    for key, (label, basis, reference) in STAGES.items():
        took, n = seconds[key], rows.get(basis)
        us = f"{took / n * 1e6:8.1f}" if n else f"{'':>8}"
        ratio = (f"{took / n / references[reference][0]:8.1f}" if n and reference and references[reference][0]
                 else f"{'':>8}")
        print(f"  {label:<52} {took:8.2f} {took / wall:6.1%} {calls[key]:>5} {(f'{n:,}' if n else ''):>9} {us} {ratio}")
    print(f"  {'total (sum of the stages)':<52} {sum(seconds.values()):8.2f} of {wall:.2f} s wall")


if __name__ == "__main__":
    main()
