"""Benchmark: what an ERP preset's rules cost the import (issue 22), on an ERPNext Accounts Receivable export.

    .venv/bin/python benchmarks/bench_presets.py [--rows 200000] [--customers 5000]

One run on a fresh SQLite database in a temporary directory (bench_open_amounts.configure):
  1. customers are imported (not timed);
  2. an ERPNext Accounts Receivable CSV of --rows vouchers is written — dd-mm-yyyy dates, every fifth amount
     with float noise, one voucher in fifty a Payment Entry or a return (negative), the trailing total row —
     and checked with `--preset erpnext-ar` as a dry run (header peek, skip_total_rows, strip_float_noise,
     credit_balances, then the ordinary checks), timed;
  3. the reference, in the same run: the same vouchers written as a plain file in the built-in headers
     (positive rows only, no noise, no total) and checked as a dry run by the same importer without a preset.
Prints both times, rows/s and the ratio preset / plain. Runs outside the test suite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from bench_import import write_customers
from bench_open_amounts import configure

AS_OF = date(2026, 12, 7)


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-presets-"))
    configure("sqlite", work)
    from django.core.management import call_command

    from fengkong.integrations.importer import import_file

    call_command("migrate", verbosity=0)
    write_customers(work / "customers.csv", args.customers, seed=22)
    assert import_file(work / "customers.csv", "customers", actor=None).status == "done"
    preset_file, plain_file = write_files(work, args.rows, args.customers)
    timings = {}
    for name, path, preset in (("preset erpnext-ar", preset_file, "erpnext-ar"), ("plain", plain_file, None)):
        start = time.perf_counter()
        batch = import_file(path, "invoices", actor=None, preset=preset, dry_run=True)
        timings[name] = time.perf_counter() - start
        assert batch.status == "dry_run" and batch.error_count == 0, (batch.message, batch.errors[:3])
        print(f"{name:>18}: {timings[name]:7.2f} s  {args.rows / timings[name]:10,.0f} rows/s   {batch.message[:90]}")
    print(f"ratio preset / plain: {timings['preset erpnext-ar'] / timings['plain']:.2f}")


def write_files(work: Path, rows: int, customers: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(22)
    cents = rng.integers(10_000, 5_000_000, rows)
    due = [AS_OF - timedelta(days=int(d)) for d in rng.integers(-30, 200, rows)]
    issue = [d - timedelta(days=30) for d in due]
    party = [f"C{int(i):06d}" for i in rng.integers(1, customers + 1, rows)]
    credit = np.arange(rows) % 50 == 7
    amount_text = [repr(float(c) / 100 + 1e-9) if i % 5 == 0 else f"{c // 100}.{c % 100:02d}"
                   for i, c in enumerate(cents)]
    frame = pl.DataFrame({
        "Posting Date": [d.strftime("%d-%m-%Y") for d in issue], "Party Type": "Customer", "Party": party,
        "Voucher Type": ["Payment Entry" if c else "Sales Invoice" for c in credit],
        "Voucher No": [f"SINV-{i:08d}" for i in range(rows)], "Due Date": [d.strftime("%d-%m-%Y") for d in due],
        "Invoiced Amount": ["0" if c else a for c, a in zip(credit, amount_text, strict=True)],
        "Outstanding Amount": [f"-{a}" if c else a for c, a in zip(credit, amount_text, strict=True)],
        "Age (Days)": [str((AS_OF - d).days) for d in due], "Currency": "CNY"})
    preset_file = work / "Accounts Receivable.csv"
    preset_file.write_text(frame.write_csv() + ",,,,,,,123.45,,\n", encoding="utf-8")   # the total row
    plain = frame.filter(~pl.Series(credit)).select(
        pl.col("Voucher No").alias("单据编号"), pl.col("Party").alias("客户编码"),
        pl.col("Posting Date").str.to_date("%d-%m-%Y").alias("单据日期"),
        pl.col("Due Date").str.to_date("%d-%m-%Y").alias("到期日"),
        pl.Series([f"{c // 100}.{c % 100:02d}" for c in cents[~credit]]).alias("金额"),
        pl.Series([f"{c // 100}.{c % 100:02d}" for c in cents[~credit]]).alias("未核销金额"))
    plain_file = work / "plain.csv"
    plain_file.write_text(plain.write_csv(), encoding="utf-8")
    return preset_file, plain_file


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=5_000)
    return parser.parse_args()


if __name__ == "__main__":
    main()
