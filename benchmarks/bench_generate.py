"""Benchmark the demo company generator against a plain numpy + polars writer.

Prints the generator's rows per second and peak RSS, then times a reference that writes the same
number of invoice-shaped and payment-shaped rows of random values with no business logic, in the same
chunks, and the ratio between the two. The ratio is the price of the business logic.

    .venv/bin/python benchmarks/bench_generate.py --customers 50000 --years 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from fengkong.demo.generator import DEFAULT_CHUNK_ROWS, generate

AS_OF = dt.date(2025, 6, 30)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def reference_chunk(rng: np.random.Generator, rows: int, start: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Invoice- and payment-shaped frames of random values: ids, codes, dates, two-decimal amounts."""
    serial = pl.Series(np.arange(start, start + rows)).cast(pl.String).str.zfill(8)
    code = pl.Series(rng.integers(1, 500_000, rows)).cast(pl.String).str.zfill(6)
    day = pl.Series(rng.integers(19_000, 20_000, rows), dtype=pl.Int32).cast(pl.Date)
    amount = pl.Series(rng.integers(50_000, 10**9, rows)).cast(pl.Decimal(38, 2)) / 100
    text = pl.DataFrame({"serial": serial, "code": code, "day": day, "amount": amount}).select(
        ("AR" + pl.col("serial")).alias("no"), ("C" + pl.col("code")).alias("customer"), "day",
        (pl.col("day") + pl.duration(days=30)).alias("due"), "amount", pl.col("amount").alias("open"),
        pl.lit("CNY").alias("currency"), ("HT-C" + pl.col("code") + "-2025-01").alias("contract"),
        pl.lit(None, dtype=pl.String).alias("dispute"), pl.col("serial").alias("serial_no"))
    payments = text.select(("SK" + pl.col("serial_no")).alias("payment"), "customer", "day", "amount", "no",
                           "open", pl.lit("银行转账").alias("method"))
    return text, payments


def run_reference(out_dir: Path, invoices: int, payment_rows: int, chunk_rows: int) -> float:
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    with (out_dir / "ref_invoices.csv").open("wb") as inv_out, (out_dir / "ref_payments.csv").open("wb") as pay_out:
        done = 0
        while done < max(invoices, payment_rows):
            rows = min(chunk_rows, max(invoices, payment_rows) - done)
            inv, pay = reference_chunk(rng, rows, done)
            inv.drop("serial_no").head(max(0, min(rows, invoices - done))).write_csv(inv_out, include_header=False)
            pay.head(max(0, min(rows, payment_rows - done))).write_csv(pay_out, include_header=False)
            done += rows
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fengkong-bench-") as tmp:
        out = args.out or Path(tmp)
        started = time.perf_counter()
        summary = generate(out, customers=args.customers, years=args.years, seed=args.seed, as_of=AS_OF,
                           chunk_rows=args.chunk_rows)
        elapsed = time.perf_counter() - started
        rss = peak_rss_mb()
        rows = sum(summary.rows_per_file().values())
        size = sum(p.stat().st_size for p in summary.paths) / 2**20
        print(f"generate: customers={args.customers:,} years={args.years} -> {summary.invoices:,} invoices, "
              f"{summary.payment_rows:,} payment rows, {rows:,} rows in all ({size:,.0f} MiB) in {elapsed:.2f} s")
        print(f"  invoices/s: {summary.invoices / elapsed:,.0f}   all rows/s: {rows / elapsed:,.0f}")
        print(f"  peak RSS: {rss:,.0f} MiB")
        print(f"  invoiced {summary.invoiced:,} CNY, open {summary.open_amount:,} CNY "
              f"({summary.open_amount / summary.invoiced:.1%})")
        reference = run_reference(Path(tmp), summary.invoices, summary.payment_rows, args.chunk_rows)
        print(f"reference (same invoice + payment row counts, random values, no logic): {reference:.2f} s")
        print(f"  ratio generator / reference: {elapsed / reference:.2f}x")


if __name__ == "__main__":
    main()
