"""Roll rates and the provision on 36 month-ends of a big book, engine against a pandas reference (issue 15).

    .venv/bin/pip install -e '.[bench]'                    # pandas, for the reference only
    .venv/bin/python benchmarks/bench_provisions.py        # a ledger of 1 M invoices, 50 k customers
    .venv/bin/python benchmarks/bench_provisions.py --invoices 200000 --customers 10000
    .venv/bin/python benchmarks/bench_provisions.py --open-items 10000000   # plus 10 M synthetic open items

Ledger: invoices issued over the 40 months before the provision date with 30- or 60-day terms, lognormal
amounts in fen; about 85 % paid (once or in two parts) after a lognormal delay, 2 % written off, the rest
still open. Month-ends: the provision date (2026-11-30) and the 36 before it.

- engine: `month_end_snapshots` (every month-end at once) + `roll_flows` + `matrix` + `provide`;
- pandas: what one writes with pandas — per month-end, the settlements after it summed by invoice
  (`groupby`), the open amount capped at the invoice amount, `pd.cut` into buckets; then each pair of
  consecutive month-ends merged on the invoice and `groupby("bucket").sum()`; the provision by
  `groupby(["customer", "bucket"])`.
The rolled and collected amounts per bucket and the provision are asserted equal, fen for fen, before the
table is printed. With --open-items, a synthetic frame of that many item-month rows (month, invoice,
customer, bucket, open) goes through `roll_flows` + `provide` against the pandas merge + groupby.
Target: the engine at least 5x faster than pandas.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date

import numpy as np
import pandas as pd
import polars as pl

from fengkong.engine import provisions as pv
from fengkong.engine.aging import DEFAULT_EDGES

AS_OF = date(2026, 11, 30)
BUCKETS = len(DEFAULT_EDGES) + 1


def month_ends(as_of: date, lookback: int) -> list[date]:
    ends = []
    year, month = as_of.year, as_of.month
    for _n in range(lookback + 1):
        ends.append((pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date())
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(ends)


def synthetic_ledger(invoices: int, customers: int, seed: int = 15) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    today = pv.day_number(AS_OF)
    issue = today - rng.integers(0, 40 * 30, invoices)
    due = issue + rng.choice([30, 60], invoices)
    amount = np.maximum(100, rng.lognormal(11, 1.2, invoices)).astype(np.int64)
    fate = rng.random(invoices)
    paid_day = due + rng.lognormal(2.5, 1.0, invoices).astype(np.int64) - 10
    settled = fate < 0.87
    written_off = (fate >= 0.85) & (fate < 0.87)
    two_parts = settled & ~written_off & (rng.random(invoices) < 0.3)
    first = np.where(two_parts, amount // 2, amount)
    ids = np.arange(1, invoices + 1, dtype=np.int64)
    events = pl.DataFrame({
        "invoice_id": np.concatenate([ids[settled], ids[two_parts]]),
        "day": np.concatenate([paid_day[settled], paid_day[two_parts] + 25]).astype(np.int32),
        "amount_fen": np.concatenate([first[settled], (amount - first)[two_parts]]),
        "written_off": np.concatenate([written_off[settled], np.zeros(two_parts.sum(), dtype=bool)]),
    }).filter(pl.col("day") > pl.col("day").min())
    paid_by_today = (events.filter(pl.col("day") <= today).group_by("invoice_id")
                     .agg(pl.col("amount_fen").sum().alias("paid")))
    items = (pl.DataFrame({"invoice_id": ids, "customer_id": rng.integers(1, customers + 1, invoices),
                           "issue_day": issue.astype(np.int32), "due_day": due.astype(np.int32),
                           "amount_fen": amount})
             .join(paid_by_today, on="invoice_id", how="left")
             .with_columns((pl.col("amount_fen") - pl.col("paid").fill_null(0)).alias("open_fen")).drop("paid"))
    # Settlements after the provision date have not happened: the ledger is read on the provision date.
    return items.cast(pv.ITEMS_SCHEMA), events.filter(pl.col("day") <= today).cast(pv.EVENTS_SCHEMA)


def engine_run(items, events, months):
    snaps = pv.month_end_snapshots(items, events, months, DEFAULT_EDGES)
    rolled, collected = pv.roll_flows(snaps, BUCKETS, len(months))
    mat = pv.matrix(rolled, collected, DEFAULT_EDGES, 0.1)
    result = pv.provide(snaps.filter(pl.col("month") == len(months) - 1), mat)
    return rolled, collected, result.total_fen


def pandas_snapshots(items: pd.DataFrame, events: pd.DataFrame, months) -> pd.DataFrame:
    frames = []
    for k, month in enumerate(months):
        day = pv.day_number(month)
        later = events[events["day"] > day]
        after = later.groupby("invoice_id")["amount_fen"].sum()
        nxt = pv.day_number(months[k + 1]) if k + 1 < len(months) else None
        written = (events[(events["day"] > day) & (events["day"] <= nxt) & events["written_off"]]
                   .groupby("invoice_id")["amount_fen"].sum() if nxt else pd.Series(dtype=np.int64))
        book = items[items["issue_day"] <= day]
        open_then = np.minimum(book["amount_fen"].to_numpy(),
                               book["open_fen"].to_numpy() + book["invoice_id"].map(after).fillna(0).to_numpy())
        snap = pd.DataFrame({"month": k, "invoice_id": book["invoice_id"].to_numpy(),
                             "customer_id": book["customer_id"].to_numpy(), "open_fen": open_then.astype(np.int64),
                             "overdue": day - book["due_day"].to_numpy()})
        snap = snap[snap["open_fen"] > 0]
        snap["bucket"] = pd.cut(snap["overdue"], [-np.inf, *DEFAULT_EDGES, np.inf], labels=False, right=True)
        snap["written_off_next_fen"] = snap["invoice_id"].map(written).fillna(0).astype(np.int64)
        frames.append(snap.drop(columns="overdue"))
    return pd.concat(frames, ignore_index=True)


def pandas_flows(snaps: pd.DataFrame, buckets: int):
    last = snaps["month"].max()
    later = snaps[["month", "invoice_id", "bucket", "open_fen"]].rename(
        columns={"bucket": "next_bucket", "open_fen": "next_fen"})
    later["month"] -= 1
    pairs = snaps[snaps["month"] < last].merge(later, on=["month", "invoice_id"], how="left")
    pairs["next_fen"] = pairs["next_fen"].fillna(0)
    worse = pairs["next_bucket"].fillna(-1) > pairs["bucket"]
    pairs["rolled"] = np.where(worse, pairs["next_fen"], 0) + pairs["written_off_next_fen"]
    pairs["collected"] = pairs["open_fen"] - pairs["next_fen"] - pairs["written_off_next_fen"]
    sums = pairs.groupby("bucket")[["rolled", "collected"]].sum().reindex(range(buckets), fill_value=0)
    return sums["rolled"].to_numpy().astype(np.int64), sums["collected"].to_numpy().astype(np.int64)


def pandas_provision(snaps: pd.DataFrame, rates: np.ndarray) -> int:
    now = snaps[snaps["month"] == snaps["month"].max()]
    lines = now.groupby(["customer_id", "bucket"], as_index=False)["open_fen"].sum()
    return int(pv.round_fen(lines["open_fen"].to_numpy() * rates[lines["bucket"].to_numpy()]).sum())


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({name: frame.get_column(name).to_numpy() for name in frame.columns})


def pandas_run(items, events, months):
    snaps = pandas_snapshots(to_pandas(items), to_pandas(events), months)
    rolled, collected = pandas_flows(snaps, BUCKETS)
    mat = pv.matrix(rolled, collected, DEFAULT_EDGES, 0.1)
    return rolled, collected, pandas_provision(snaps, np.asarray(mat.adjusted_rates))


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def synthetic_snapshots(rows: int, customers: int, months: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    per_month = rows // months
    invoice = np.tile(np.arange(per_month, dtype=np.int64), months)
    month = np.repeat(np.arange(months, dtype=np.int32), per_month)
    start_bucket = rng.integers(0, BUCKETS, per_month)
    bucket = np.minimum(BUCKETS - 1, np.tile(start_bucket, months) + month // 2).astype(np.int8)
    keep = rng.random(invoice.size) < 0.9
    return pl.DataFrame({"month": month[keep], "invoice_id": invoice[keep],
                         "customer_id": (invoice[keep] % customers) + 1, "bucket": bucket[keep],
                         "open_fen": rng.lognormal(10, 1, keep.sum()).astype(np.int64),
                         "written_off_next_fen": np.zeros(keep.sum(), dtype=np.int64)}).cast(pv.SNAPSHOT_SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--lookback", type=int, default=36)
    parser.add_argument("--open-items", type=int, default=0, help="also time a synthetic frame of this many rows")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"python {platform.python_version()} · polars {pl.__version__} · pandas {pd.__version__} · "
          f"{os.cpu_count()} cores")
    months = month_ends(AS_OF, args.lookback)
    items, events = synthetic_ledger(args.invoices, args.customers)
    engine_s, (e_rolled, e_collected, e_total) = best(lambda: engine_run(items, events, months), args.repeat)
    pandas_s, (p_rolled, p_collected, p_total) = best(lambda: pandas_run(items, events, months), args.repeat)
    assert np.array_equal(e_rolled, p_rolled) and np.array_equal(e_collected, p_collected), (e_rolled, p_rolled)
    assert e_total == p_total, (e_total, p_total)
    print(f"ledger {args.invoices:,} invoices, {events.height:,} settlements, {len(months)} month-ends: "
          f"provision {e_total / 100:,.2f}")
    print(f"  engine {engine_s:8.2f} s   pandas {pandas_s:8.2f} s   engine is {pandas_s / engine_s:5.1f}x faster")
    if args.open_items:
        snaps = synthetic_snapshots(args.open_items, args.customers * 10, args.lookback + 1)

        def engine_flows():
            rolled, collected = pv.roll_flows(snaps, BUCKETS)
            mat = pv.matrix(rolled, collected, DEFAULT_EDGES, 0.1)
            return rolled, collected, pv.provide(snaps.filter(pl.col("month") == args.lookback), mat).total_fen

        frame = to_pandas(snaps)

        def pandas_flows_only():
            rolled, collected = pandas_flows(frame, BUCKETS)
            mat = pv.matrix(rolled, collected, DEFAULT_EDGES, 0.1)
            return rolled, collected, pandas_provision(frame, np.asarray(mat.adjusted_rates))

        e_s, e_out = best(engine_flows, args.repeat)
        p_s, p_out = best(pandas_flows_only, args.repeat)
        assert np.array_equal(e_out[0], p_out[0]) and e_out[2] == p_out[2]
        print(f"open items {snaps.height:,} item-month rows: roll rates + provision")
        print(f"  engine {e_s:8.2f} s   pandas {p_s:8.2f} s   engine is {p_s / e_s:5.1f}x faster")


if __name__ == "__main__":
    main()
