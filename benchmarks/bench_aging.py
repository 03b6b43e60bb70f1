"""Engine aging of a whole book against a plain numpy reference and a pandas reference (issue 3).

    .venv/bin/pip install -e '.[bench]'          # pandas, for the reference only
    .venv/bin/python benchmarks/bench_aging.py   # 1 M items / 50 k customers and 10 M / 500 k
    .venv/bin/python benchmarks/bench_aging.py --items 2000000 --customers 100000

Synthetic columns: customer ids drawn uniformly from 1..customers (as a database sequence gives them,
in no order), due dates spread over three years before the as-of date plus some not yet due, lognormal
open amounts in fen. Each method is timed best of `--repeat` in the same run, on the same columns:

- engine: `age_book` — buckets per customer plus open, overdue, items, worst days and zone per customer;
- numpy: the bucket index (searchsorted) and one `np.bincount(customer * buckets + bucket, weights)`,
  nothing else — the floor for this computation in numpy;
- pandas: `pd.cut` on days overdue, then `groupby(["customer", "bucket"]).sum().unstack()`.

The three bucket sums are asserted equal, fen for fen, before the table is printed.
Target: engine within 2x of numpy and at least 5x faster than pandas.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date

import numpy as np

from fengkong.engine.aging import DEFAULT_EDGES
from fengkong.engine.book import age_book

AS_OF = date(2026, 11, 28)
SIZES = ((1_000_000, 50_000), (10_000_000, 500_000))


def synthetic_book(items: int, customers: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    customer_ids = rng.integers(1, customers + 1, items, dtype=np.int64)
    days_back = rng.integers(-120, 3 * 365, items)  # about one item in ten not yet due
    due_dates = np.datetime64(AS_OF, "D") - days_back.astype("timedelta64[D]")
    open_fen = np.maximum(1, rng.lognormal(mean=11.5, sigma=1.5, size=items)).astype(np.int64)
    return customer_ids, due_dates, open_fen


def numpy_reference(customer_ids, due_dates, open_fen, customers: int) -> np.ndarray:
    n_buckets = len(DEFAULT_EDGES) + 1
    days = np.datetime64(AS_OF, "D") - due_dates
    bucket = np.searchsorted(np.asarray(DEFAULT_EDGES), days.astype(np.int64))
    sums = np.bincount(customer_ids * n_buckets + bucket, weights=open_fen,
                       minlength=(customers + 1) * n_buckets)
    return sums.reshape(customers + 1, n_buckets)


def pandas_reference(frame):
    import pandas as pd

    days = (pd.Timestamp(AS_OF) - frame["due"]).dt.days
    bins = [-np.inf, *DEFAULT_EDGES, np.inf]
    bucket = pd.cut(days, bins=bins, labels=False, right=True)
    grouped = frame.assign(bucket=bucket).groupby(["customer", "bucket"])["amount"].sum()
    return grouped.unstack(fill_value=0)


def best_of(repeat: int, run):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def check_agreement(aging, reference: np.ndarray, by_pandas, open_fen: np.ndarray) -> None:
    # float bincount is exact here: every partial sum of positive integers stays below the total < 2**53
    assert int(open_fen.sum()) < 2**53
    n_buckets = len(DEFAULT_EDGES) + 1
    from_numpy = reference.astype(np.int64)
    assert np.array_equal(aging.bucket_fen, from_numpy[aging.customer_ids])
    assert not from_numpy[np.setdiff1d(np.arange(from_numpy.shape[0]), aging.customer_ids)].any()
    from_pandas = by_pandas.reindex(columns=range(n_buckets), fill_value=0)
    assert np.array_equal(from_pandas.index.to_numpy(), aging.customer_ids)
    assert np.array_equal(from_pandas.to_numpy(dtype=np.int64), aging.bucket_fen)
    assert int(aging.totals().sum()) == int(open_fen.sum())


def run_size(items: int, customers: int, repeat: int, seed: int) -> list[tuple]:
    import pandas as pd

    customer_ids, due_dates, open_fen = synthetic_book(items, customers, seed)
    frame = pd.DataFrame({"customer": customer_ids, "due": due_dates, "amount": open_fen})
    engine_s, aging = best_of(repeat, lambda: age_book(customer_ids, due_dates, open_fen, AS_OF))
    numpy_s, reference = best_of(repeat, lambda: numpy_reference(customer_ids, due_dates, open_fen, customers))
    pandas_s, by_pandas = best_of(repeat, lambda: pandas_reference(frame))
    check_agreement(aging, reference, by_pandas, open_fen)
    return [(items, aging.customer_ids.size, name, seconds, seconds / numpy_s, pandas_s / seconds)
            for name, seconds in (("engine", engine_s), ("numpy", numpy_s), ("pandas", pandas_s))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, help="open items (with --customers); default: both issue sizes")
    parser.add_argument("--customers", type=int)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if (args.items is None) != (args.customers is None):
        parser.error("give --items and --customers together")
    sizes = [(args.items, args.customers)] if args.items else SIZES

    import pandas as pd

    print(f"numpy {np.__version__}, pandas {pd.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs; best of {args.repeat} runs each")
    print(f"{'items':>11} {'customers':>10} {'method':<7} {'seconds':>8} {'x numpy':>8} {'vs pandas':>10}")
    for items, customers in sizes:
        for row in run_size(items, customers, args.repeat, args.seed):
            n, c, name, seconds, ratio, speedup = row
            print(f"{n:>11,} {c:>10,} {name:<7} {seconds:>8.3f} {ratio:>8.2f} {speedup:>9.1f}x")
    print("bucket sums agree fen for fen across the three methods")


if __name__ == "__main__":
    main()
