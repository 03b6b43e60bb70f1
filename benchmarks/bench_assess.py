"""Benchmark: re-assessing the whole book (`assess_customers(None)`), 100,000 customers, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_assess.py --db sqlite [--customers 100000] [--years 2] [--seed 1]
    .venv/bin/python benchmarks/bench_assess.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432

What is measured, in one run on a fresh database (SQLite file in a temporary directory, or a PostgreSQL
database `fk_bench_assess` created and dropped here):
  1. the demo company is generated with the demo generator (`fengkong.demo.generator.generate`, the same
     as `fengkong demo generate --customers 100000 --years 2`) into --company (kept and reused), and every
     file is imported with the importer (`import_file`): customers, invoices, receipts, credit notes,
     orders and financial statements. Not timed. Guarantees and industry outlooks are not in the ERP
     files; one customer in ten gets a collateral row and every industry an outlook, in bulk.
  2. in a fresh child process (its peak memory is the assessment's own), `assess_customers(None)` is
     timed end to end: features from the ledger (point in time), the scorecard engine, Assessment rows,
     profile updates, downgrade alerts, the audit event. Limit proposals are left out of the timed run
     (`propose=False`): a first assessment of a book without limits proposes a first limit for every
     customer, one approval request each, which is the approvals' cost, not the assessment's.
  3. a second run the same day (every customer assessed again; grades move nowhere).
  4. the same scoring in plain pandas (vectorised Series operations, the way it is usually written), on
     the same inputs in the same process: its time, the engine's, the ratio, and that both agree.
Prints wall time, peak RSS (VmHWM) and customers/s. Target (issue 4): under 30 s for 100,000 customers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cycle import FILES, configure, peak_rss_mib, postgres  # noqa: E402

PG_BENCH_DB = "fk_bench_assess"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--company", type=Path, default=None,
                        help="Directory of the generated company (default: a cache under the temp directory).")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run the timed assessment for this date
    return parser.parse_args()



def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    work = Path(tempfile.mkdtemp(prefix="fk-bench-assess-"))
    company = args.company or Path(tempfile.gettempdir()) / f"fk-company-c{args.customers}-y{args.years}-s{args.seed}"
    if args.db == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        postgres(f"CREATE DATABASE {PG_BENCH_DB}")
    try:
        configure(args.db, work / "data", PG_BENCH_DB)
        as_of = load(args, company)
        from django.db import connections

        connections.close_all()
        result = subprocess.run([sys.executable, __file__, "--db", args.db, "--child", as_of.isoformat()],
                                env=dict(os.environ), check=False)
        sys.exit(result.returncode)
    finally:
        if args.db == "postgres" and not args.keep:
            postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def load(args: argparse.Namespace, company: Path) -> date:
    from django.utils import timezone

    from fengkong.accounts.setup import setup_database
    from fengkong.demo.generator import generate
    from fengkong.integrations.importer import import_file

    if not (company / "truth.csv").exists():
        started = time.perf_counter()
        summary = generate(company, customers=args.customers, years=args.years, seed=args.seed)
        print(f"generated {summary} in {time.perf_counter() - started:.1f} s")
        (company / "as_of.txt").write_text(timezone.localdate().isoformat())
    setup_database(verbosity=0)
    started = time.perf_counter()
    for kind, name in FILES:
        batch = import_file(company / name, kind, actor=None)
        print(f"  imported {name}: {batch.rows_total:,} rows ({batch.status})")
    as_of = date.fromisoformat((company / "as_of.txt").read_text().strip())
    security_and_outlooks(as_of)
    print(f"import (not timed): {time.perf_counter() - started:.1f} s")
    return as_of


def security_and_outlooks(as_of: date) -> None:
    """Collateral for one customer in ten and an outlook for every industry (not in the ERP files)."""
    from decimal import Decimal

    from fengkong.core.industries import choices as industries
    from fengkong.credit.models import Guarantee, IndustryOutlook
    from fengkong.customers.models import Customer

    outlooks = ["favourable", "stable", "cautious", "adverse"]
    IndustryOutlook.objects.bulk_create(
        [IndustryOutlook(industry=code, outlook=outlooks[i % 4], alarm=i % 7 == 3)
         for i, (code, _label) in enumerate(industries())], ignore_conflicts=True)
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[::10])
    Guarantee.objects.bulk_create(
        [Guarantee(customer_id=cid, kind="collateral", provider="厂房抵押", value=Decimal(50_000 + (cid % 50) * 10_000),
                   eligible_percent=70, valid_from=date(as_of.year - 1, 1, 1)) for cid in ids], batch_size=5000)


def child(args: argparse.Namespace) -> None:
    configure(args.db, Path(os.environ["FENGKONG_DATA_DIR"]), PG_BENCH_DB)
    from django.db import connection

    from fengkong.credit.actions.assessments import assess_customers

    as_of = date.fromisoformat(args.child)
    started = time.perf_counter()
    counts = assess_customers(None, as_of=as_of, trigger="initial", propose=False)
    wall = time.perf_counter() - started
    peak_mib = peak_rss_mib()
    n = counts["customers"]
    print(f"\nassess_customers(None) on {connection.vendor} as of {as_of}")
    print(f"  wall time        {wall:8.2f} s   (target < 30 s)")
    print(f"  peak memory      {peak_mib:8.0f} MiB (the assessment's own process)")
    print(f"  customers        {n:>10,}  -> {n / wall:>12,.0f} customers/s")
    print(f"  grades           {json.dumps(counts['grades'])}")
    print(f"  stages (s)       {json.dumps(counts['seconds'])}")
    started = time.perf_counter()
    again = assess_customers(None, as_of=as_of, trigger="manual", propose=False)
    print(f"  second run, same day: {time.perf_counter() - started:.2f} s "
          f"({again['downgrades']} downgrades, {again['upgrades']} upgrades)")
    compare_with_pandas(as_of)


def compare_with_pandas(as_of: date) -> None:
    import numpy as np

    from fengkong.credit import features
    from fengkong.credit.grading import engine_inputs, knockout_mask, scorecard
    from fengkong.credit.policy import current
    from fengkong.engine import expert

    spec = current()
    card = scorecard(spec)
    frame = features.compute(None, as_of).frame
    knocked = knockout_mask(frame, spec)
    values, limits = engine_inputs(frame, card, knocked)
    started = time.perf_counter()
    scored = expert.score(values, limits, card)
    engine_s = time.perf_counter() - started
    import pandas as pd

    table = pd.DataFrame({c: frame.get_column(c).to_numpy() for c in frame.columns})  # no pyarrow needed
    started = time.perf_counter()
    total, grade, limit = pandas_score(table, card, np.asarray(knocked, dtype=bool))
    pandas_s = time.perf_counter() - started
    same_grade = bool((np.asarray(grade) == scored.grade).all())
    same_total = bool(np.allclose(np.asarray(total), scored.total))
    same_limit = bool((np.asarray(limit) == scored.limit_fen).all())
    print(f"  scoring only: engine {engine_s * 1000:.0f} ms, plain pandas {pandas_s * 1000:.0f} ms -> "
          f"engine is {pandas_s / engine_s:.1f}x faster; same grades {same_grade}, totals {same_total}, "
          f"limits {same_limit}")


def pandas_score(table, card, knocked):
    """The scorecard written in plain pandas: per metric a band lookup with .where, per dimension a
    weighted mean, a dimension with nothing known re-weighted away or capped as the policy says, then
    grade (caps: missing dimensions, little known, industry alarm, knock-outs) and limit (rounded to
    significant digits). Same rules as engine.expert."""
    import numpy as np
    import pandas as pd

    points = {}
    for rule in card.metrics:
        column = table[rule.name]
        if rule.categorical:
            p = column.map(dict(zip(rule.categories, rule.category_points, strict=True))).astype(float)
            missing = column.isna()
        else:
            p = pd.Series(rule.band_points[-1], index=table.index, dtype=float)
            for threshold, value in reversed(list(zip(rule.thresholds, rule.band_points, strict=False))):
                hit = column >= threshold if rule.higher else column <= threshold
                p = p.where(~hit, value)
            missing = column.isna()
        fill = {"worst": rule.worst_points, "neutral": rule.neutral_points, "exclude": np.nan}[rule.missing]
        points[rule.name] = p.where(~missing, fill)
    dim_weights = pd.Series({d.name: d.weight for d in card.dimensions})
    dims, unknown = pd.DataFrame(index=table.index), pd.DataFrame(index=table.index)
    for dim in card.dimensions:
        block = pd.DataFrame({m.name: points[m.name] for m in dim.metrics})
        weights = pd.DataFrame({m.name: np.where(block[m.name].isna(), 0.0, m.weight) for m in dim.metrics},
                               index=table.index)
        w_sum = weights.sum(axis=1)
        dims[dim.name] = ((block.fillna(0) * weights).sum(axis=1) / w_sum).where(w_sum > 0, dim.neutral_points)
        unknown[dim.name] = pd.concat([table[m.name].isna() for m in dim.metrics], axis=1).all(axis=1)
    reweight = [d.name for d in card.dimensions if d.when_missing == "reweight"]
    weights = pd.DataFrame({d: dim_weights[d] for d in dim_weights.index}, index=table.index)
    weights[reweight] = weights[reweight].where(~unknown[reweight], 0.0)
    weights = weights.where(weights.sum(axis=1) > 0, pd.DataFrame(
        {d: dim_weights[d] for d in dim_weights.index}, index=table.index), axis=0)
    total = (dims * weights.div(weights.sum(axis=1), axis=0)).sum(axis=1).round(2)
    grade = pd.Series(np.where(total >= card.cutoffs[0], 0, np.where(total >= card.cutoffs[1], 1, 2)),
                      index=table.index)
    for dim in card.dimensions:
        if dim.cap is not None:
            grade = grade.where(~unknown[dim.name], np.maximum(grade, dim.cap))
    known = (~unknown * dim_weights).sum(axis=1) / dim_weights.sum()
    if card.little_known_cap is not None:
        grade = grade.where(known >= card.min_known_share - 1e-9, np.maximum(grade, card.little_known_cap))
    if card.alarm_cap is not None:
        grade = grade.where(~table["alarm"], np.maximum(grade, card.alarm_cap))
    if card.knockout_cap is not None:
        grade = grade.where(~knocked, np.maximum(grade, card.knockout_cap))
    terms = pd.DataFrame([g.__dict__ for g in card.grades]).loc[grade.to_numpy()].reset_index(drop=True)
    revenue = np.floor(terms["revenue_share"] * table["revenue_fen"].astype(float))
    equity = np.floor(terms["equity_share"] * table["equity_fen"].astype(float))
    statements = ~(revenue.isna() & equity.isna())
    base = pd.concat([revenue, equity], axis=1).min(axis=1).where(
        statements, np.floor(terms["sales_share"] * table["sales_12m_fen"]))
    base = base.fillna(0).clip(lower=0).clip(upper=terms["cap_fen"]).astype("int64")
    secured = np.floor(terms["collateral_share"] * table["secured_fen"].clip(lower=0)).astype("int64")
    raw = base + secured
    if card.round_digits > 0:  # keep round_digits significant digits, never a unit above round_to_fen
        unit = 10 ** (np.floor(np.log10(raw.clip(lower=1).astype(float))) - (card.round_digits - 1)).clip(lower=0)
        unit = unit.astype("int64").clip(upper=max(card.round_to_fen, 1))
    else:
        unit = card.round_to_fen
    limit = (raw // unit * unit).where(~knocked, 0)
    return total, grade, limit


if __name__ == "__main__":
    main()
