"""Benchmark: deriving open amounts from receipts inside the import, on a 1,000,000-invoice book.

    .venv/bin/python benchmarks/bench_open_amounts.py --db sqlite [--rows 1000000] [--customers 50000]
    .venv/bin/python benchmarks/bench_open_amounts.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432

What is measured, in one run on a fresh database (as bench_import.py: a SQLite file in a temporary directory,
or a PostgreSQL database `fk_bench_open` created and dropped here):
  1. customers and an invoices file WITHOUT 未核销金额 (every invoice derived) are imported, not timed;
  2. a receipts file with one allocation per paid invoice (90 % of them, 5 % of those partly) is imported,
     timed; inside it, the derivation (receivables.ledger.derive_open_amounts: one UPDATE … FROM the
     aggregated allocations, in the import's transaction) is timed on its own;
  3. the reference, in the same run: pandas reads nothing from the database, it groups the same allocations
     in memory (groupby invoice, sum) and subtracts them from the amounts — the simplest way to get the figure;
  4. the cycle's read of the book (monitoring.store.open_items, which adds back receipts after the as-of
     date) for today and for a date before most receipts, timed, to show the derived book reads as fast.
Prints the times and the ratio derivation / reference. Runs outside the test suite.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from bench_import import _money_text, _prefixed, write_customers

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench_open"  # its own database: bench_import's fk_bench may be in use


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-open-"))
    configure(args.db, work)
    try:
        run(args, work)
    finally:
        if args.db == "postgres":
            from django.db import connections

            connections.close_all()
            drop_postgres_database()


def configure(db: str, work: Path) -> None:
    """Environment before django.setup(): a private data directory and the chosen database."""
    import os

    os.environ["FENGKONG_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fengkong.settings"
    os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if db == "postgres":
        _postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)", f"CREATE DATABASE {PG_BENCH_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    import django

    django.setup()


def drop_postgres_database() -> None:
    _postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def _postgres(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def write_book(work: Path, rows: int, customers: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """invoices.csv (no open amount) and receipts.csv; returns (invoices, allocations) as frames in fen."""
    rng = np.random.default_rng(seed)
    issue = np.datetime64("2025-01-01") + rng.integers(0, 365, rows).astype("timedelta64[D]")
    due = issue + rng.choice([30, 45, 60, 90], rows).astype("timedelta64[D]")
    fen = rng.integers(10_000, 50_000_000, rows)
    customer = rng.integers(1, customers + 1, rows)
    numbers = _prefixed("AR", pl.int_range(1, rows + 1, eager=True), 9)
    codes = _prefixed("C", pl.Series(customer), 6)
    pl.DataFrame({"单据编号": numbers, "客户编码": codes, "单据日期": pl.Series(issue).dt.to_string("%Y-%m-%d"),
                  "到期日": pl.Series(due).dt.to_string("%Y-%m-%d"), "金额": _money_text(fen)}).write_csv(
        work / "invoices.csv")
    paid = rng.random(rows) < 0.9
    part = np.where(rng.random(rows) < 0.05, (fen * rng.uniform(0.2, 0.9, rows)).astype(np.int64), fen)
    paid_on = due + rng.integers(-20, 40, rows).astype("timedelta64[D]")
    idx = np.flatnonzero(paid)
    receipts = _prefixed("R", pl.Series(idx + 1), 9)
    pl.DataFrame({"收款单号": receipts, "客户编码": codes.gather(idx),
                  "收款日期": pl.Series(paid_on[idx]).dt.to_string("%Y-%m-%d"),
                  "收款金额": _money_text(part[idx]), "核销单据号": numbers.gather(idx),
                  "核销金额": _money_text(part[idx])}).write_csv(work / "receipts.csv")
    invoices = pl.DataFrame({"number": numbers, "amount": fen})
    allocations = pl.DataFrame({"invoice": numbers.gather(idx), "amount": part[idx]})
    return invoices, allocations


def reference(invoices: pl.DataFrame, allocations: pl.DataFrame) -> tuple[float, int]:
    """The plain way: a pandas groupby of the allocations, subtracted from the amounts; total open fen."""
    inv = pd.DataFrame({c: invoices.get_column(c).to_numpy() for c in invoices.columns})
    alloc = pd.DataFrame({c: allocations.get_column(c).to_numpy() for c in allocations.columns})
    start = time.perf_counter()
    paid = alloc.groupby("invoice")["amount"].sum()
    open_fen = (inv.set_index("number")["amount"] - paid.reindex(inv["number"]).fillna(0).to_numpy()).clip(lower=0)
    return time.perf_counter() - start, int(open_fen.sum())


def run(args: argparse.Namespace, work: Path) -> None:
    from django.core.management import call_command

    from fengkong.integrations import writers
    from fengkong.integrations.importer import import_file
    from fengkong.monitoring.store import open_items
    from fengkong.receivables.ledger import derive_open_amounts

    call_command("migrate", verbosity=0)
    write_customers(work / "customers.csv", args.customers, args.seed)
    invoices, allocations = write_book(work, args.rows, args.customers, args.seed)
    print(f"{args.db}: {args.customers:,} customers, {args.rows:,} invoices without an open amount, "
          f"{allocations.height:,} allocations")
    for kind, name in (("customers", "customers.csv"), ("invoices", "invoices.csv")):
        took, batch = timed(lambda kind=kind, name=name: import_file(work / name, kind, actor=None))
        assert batch.status == "done", batch.message
        print(f"  {kind} imported in {took:.1f} s (not part of the figure)")

    spent: list[float] = []

    def derive_timed(ids):
        start = time.perf_counter()
        found = derive_open_amounts(ids)
        spent.append(time.perf_counter() - start)
        return found

    writers.derive_open_amounts = derive_timed  # the writer calls it by this name
    took, batch = timed(lambda: import_file(work / "receipts.csv", "payments", actor=None))
    assert batch.status == "done", (batch.message, batch.errors[:3])
    derivation = sum(spent)
    ref, expected = reference(invoices, allocations)
    stored = open_items(date(2099, 1, 1)).get_column("open_fen").sum()
    assert stored == expected, (stored, expected)
    today, _ = timed(lambda: open_items(date(2026, 12, 7)))
    early, early_items = timed(lambda: open_items(date(2025, 3, 1)))
    print(f"receipts import (all checks, writes, derivation): {took:7.2f} s   {batch.message}")
    print(f"derivation inside it (one UPDATE … FROM):         {derivation:7.2f} s")
    print(f"reference (pandas groupby in memory):             {ref:7.2f} s")
    print(f"ratio derivation / reference:                     {derivation / ref:7.1f} x")
    print(f"cycle's read of the book, today / 2025-03-01:      {today:5.2f} s / {early:5.2f} s "
          f"({early_items.height:,} items open then)")


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
