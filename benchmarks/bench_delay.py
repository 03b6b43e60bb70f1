"""Payment delay per open invoice on the demo company: training, scoring 1,000,000 open invoices, and
the 13-week collections back-test against a plain rule (issue 5 item 4).

    .venv/bin/python benchmarks/bench_delay.py
    .venv/bin/python benchmarks/bench_delay.py --customers 1000 --years 3 --score-rows 1000000

In one run, on a fresh SQLite database in a temporary directory:
  1. the demo company (`fengkong.demo.generator.generate`, as `fengkong demo`: 1,000 customers, 3 years,
     seed 7 by default) is generated into --company (kept and reused) and its ledger files imported with
     the importer. Not timed.
  2. train: the ledger read from the database (`read_ledger_until`, one query per table), the training
     snapshots (`training_rows`, every 2 weeks after the first 6 months), both boosters (`DelayModel.fit`),
     each timed, with the row counts and the hold-out AUC of p_late.
  3. score: `DelayModel.predict` on 1,000,000 synthetic open invoices (demo snapshots drawn with
     replacement, amounts and days jittered), without reasons, and with the three SHAP reasons on
     100,000 of them (TreeSHAP costs far more per row); then the 13-week `forecast` of the 1,000,000.
     Reference: the plain rule in numpy on the same rows (due date + the customer's mean days beyond
     terms, `reference_weeks`, then a weighted bincount per week).
  4. back-test: at data end − 13, 26 and 39 weeks, a model trained on the ledger cut at the origin
     forecasts 13 weeks of the invoices open then; WAPE and the 13-week total error, model vs the plain
     rule, against what actually arrived.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cycle import FILES, configure  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--score-rows", type=int, default=1_000_000)
    parser.add_argument("--company", type=Path, default=None,
                        help="Directory of the generated company (default: a cache under the temp directory).")
    return parser.parse_args()


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def load(args: argparse.Namespace) -> None:
    from fengkong.accounts.setup import setup_database
    from fengkong.demo.generator import generate
    from fengkong.integrations.importer import import_file

    company = args.company or Path(tempfile.gettempdir()) / f"fk-company-c{args.customers}-y{args.years}-s{args.seed}"
    if not (company / "truth.csv").exists():
        summary, seconds = timed(lambda: generate(company, customers=args.customers, years=args.years,
                                                  seed=args.seed))
        print(f"generated {summary} in {seconds:.1f} s")
    setup_database(verbosity=0)
    started = time.perf_counter()
    for kind, name in FILES:
        batch = import_file(company / name, kind, actor=None)
        print(f"  imported {name}: {batch.rows_total:,} rows ({batch.status})")
    print(f"import (not timed): {time.perf_counter() - started:.1f} s")


def synthetic_open(rows: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """n open invoices drawn from the demo snapshots, amounts and days to due jittered."""
    from fengkong.engine.modelling import delay

    rng = np.random.default_rng(seed)
    picked = rows.select(delay.ID_COLUMNS + delay.NUMERIC + delay.CATEGORICAL)[rng.integers(0, rows.height, n)]
    factor = rng.lognormal(0, 0.3, n)
    return picked.with_columns(
        pl.Series("invoice_id", np.arange(1, n + 1)),
        (pl.col("open_fen") * factor).round().cast(pl.Int64).clip(lower_bound=1),
        pl.col("log_amount") + np.log(factor),
        pl.col("days_to_due") + rng.integers(-7, 8, n))


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-delay-"))
    configure("sqlite", work / "data")
    load(args)
    from fengkong.engine.modelling import delay, ledger
    from fengkong.scoring.dataset import last_date
    from fengkong.scoring.delay import read_ledger_until

    print(f"\npython {platform.python_version()}, {os.cpu_count()} cores; demo company {args.customers:,} customers, "
          f"{args.years} years, seed {args.seed}")
    end = last_date()
    book, t_read = timed(lambda: read_ledger_until(end))
    dates = delay.snapshot_dates(book, end)
    rows, t_rows = timed(lambda: delay.training_rows(book, dates, end))
    model, t_fit = timed(lambda: delay.DelayModel().fit(rows))
    holdout = rows.filter(pl.col("late").is_not_null() & (pl.col("observation_date") >= model.late_holdout_from_))
    from fengkong.engine.modelling import metrics

    auc = metrics.auc(holdout["late"].to_numpy(), model.predict_late(model.matrix(holdout)))
    print(f"\ntraining on the demo ledger (data end {end}; {book.invoices.height:,} invoices, "
          f"{book.receipts.height:,} receipts)")
    print(f"  read the ledger (4 queries)  {t_read:7.2f} s")
    print(f"  training snapshots           {t_rows:7.2f} s   {rows.height:,} rows over {len(dates)} dates "
          f"({rows['late'].is_not_null().sum():,} with a late outcome, {rows['week'].is_not_null().sum():,} "
          f"with a payment week)")
    print(f"  fit both boosters            {t_fit:7.2f} s   best iterations late {model.late_iteration_}, "
          f"week {model.week_iteration_}; hold-out AUC of p_late {auc:.4f}")
    print(f"  total                        {t_read + t_rows + t_fit:7.2f} s")

    big = synthetic_open(rows, args.score_rows, args.seed)
    as_of = end
    predicted, s_bare = timed(lambda: model.predict(big, as_of, reasons=False))
    shap_rows = min(100_000, big.height)
    _, s_reasons = timed(lambda: model.predict(big.head(shap_rows), as_of))
    _, s_forecast = timed(lambda: delay.forecast(predicted, as_of))
    days_to_due, dbt, amount = (big["days_to_due"].to_numpy(), big["dbt_mean_12m"].to_numpy(),
                                big["open_fen"].to_numpy().astype(float))

    def reference():
        week = delay.reference_weeks(days_to_due, dbt)
        inside = week <= delay.WEEKS
        return np.bincount(week[inside], weights=amount[inside], minlength=delay.WEEKS + 1)[1:]

    _, s_ref = timed(reference)
    print(f"\nscoring {big.height:,} synthetic open invoices")
    print(f"  p_late + 14 week probabilities + expected date/loss {s_bare:7.2f} s   {s_bare / s_ref:9.1f}x the rule")
    print(f"  + 3 SHAP reasons, {shap_rows:,} rows                  {s_reasons:7.2f} s   "
          f"({s_reasons * big.height / shap_rows:.0f} s per {big.height:,} rows)")
    print(f"  13-week forecast of the predictions                 {s_forecast:7.2f} s")
    print(f"  reference: due date + mean delay rule in numpy      {s_ref:7.2f} s")

    origins = [end - timedelta(weeks=13 * k) for k in (3, 2, 1)]
    tested, t_backtest = timed(lambda: delay.backtest(ledger.known_on(book, end), origins))
    print(f"\nback-test of the 13-week collections forecast ({len(origins)} origins, {t_backtest:.1f} s; "
          "WAPE = Σ|forecast − actual| / Σ actual over the 13 weeks)")
    print(f"  {'origin':10}  {'open CNY':>14}  {'actual CNY':>14}  {'WAPE model':>10}  {'WAPE rule':>10}  "
          f"{'total err model':>15}  {'total err rule':>14}")
    for origin in tested["origins"]:
        actual = sum(w["actual_fen"] for w in origin["weeks"]) / 100
        m, r = origin["model"], origin["reference"]
        print(f"  {origin['origin']:10}  {origin['open_fen'] / 100:14,.0f}  {actual:14,.0f}  {m['wape']:10.3f}  "
              f"{r['wape']:10.3f}  {m['total_error_pct']:14.1f}%  {r['total_error_pct']:13.1f}%")
    s = tested["summary"]
    print(f"  mean WAPE: model {s['model_wape']:.3f}, rule {s['reference_wape']:.3f} "
          f"({s['reference_wape'] / s['model_wape']:.1f}x the model's error); mean |total error|: model "
          f"{s['model_abs_total_error_pct']:.1f}%, rule {s['reference_abs_total_error_pct']:.1f}%")


if __name__ == "__main__":
    main()
