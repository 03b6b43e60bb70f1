"""Judging promises to pay (engine.promises.judge) against a plain Python reference (issue 12).

    .venv/bin/python benchmarks/bench_promises.py                 # 100,000 promises, 300,000 receipts
    .venv/bin/python benchmarks/bench_promises.py --promises 1000000

Synthetic columns: promise amounts lognormal in fen, judge days spread over the 30 days around the as-of
date, a tenth with their invoices settled, 0–5 receipts per promise. Both methods are timed best of
`--repeat` in the same run on the same columns, and their states and paid amounts are asserted equal first.
The reference is a dict of sums and one Python loop: what one would write without the engine.
This measures the judging only; the night's step adds the reads and the bulk writes (the database's part).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np
import polars as pl

from fengkong.engine import promises

AS_OF = date(2026, 11, 28)


def synthetic(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    amount = np.maximum(rng.lognormal(11, 1.2, n).astype(np.int64), 100)
    judge = [AS_OF + timedelta(days=int(d)) for d in rng.integers(-15, 15, n)]
    open_now = np.where(rng.random(n) < 0.1, 0, amount * 2)
    frame = pl.DataFrame({"promise_id": np.arange(1, n + 1), "amount_fen": amount, "judge_day": judge,
                          "tolerance_fen": np.full(n, 10_000), "open_now_fen": open_now},
                         schema=promises.PROMISE_SCHEMA)
    counts = rng.integers(0, 6, n)
    ids = np.repeat(np.arange(1, n + 1), counts)
    paid = (np.repeat(amount, counts) * rng.uniform(0, 0.5, ids.size)).astype(np.int64)
    return frame, pl.DataFrame({"promise_id": ids, "paid_fen": paid}, schema=promises.PAID_SCHEMA)


def reference(frame: pl.DataFrame, paid: pl.DataFrame) -> dict[int, tuple[int, str]]:
    sums: dict[int, int] = {}
    for pid, fen in zip(paid["promise_id"].to_list(), paid["paid_fen"].to_list(), strict=True):
        sums[pid] = sums.get(pid, 0) + fen
    out = {}
    for pid, amount, day, tol, open_now in frame.iter_rows():
        got, settled = sums.get(pid, 0), open_now <= 0
        if day > AS_OF and not settled:
            continue
        state = "kept" if settled or got >= amount - tol else "partially_kept" if got > 0 else "broken"
        out[pid] = (got, state)
    return out


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--promises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    frame, paid = synthetic(args.promises, args.seed)
    engine_s, judged = best(lambda: promises.judge(frame, paid, AS_OF), args.repeat)
    plain_s, expected = best(lambda: reference(frame, paid), args.repeat)
    got = {pid: (fen, state) for pid, fen, state in judged.iter_rows()}
    assert got == expected, "the engine and the reference disagree"
    print(f"{args.promises:,} promises, {paid.height:,} receipts, {len(got):,} judged on {AS_OF}")
    print(f"  engine.promises.judge  {engine_s * 1000:8.1f} ms")
    print(f"  plain Python reference {plain_s * 1000:8.1f} ms   ({plain_s / engine_s:.1f}x the engine's time)")


if __name__ == "__main__":
    main()
