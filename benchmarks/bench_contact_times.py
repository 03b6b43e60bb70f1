"""The learned best slot to reach a customer (engine.contact_times) on held-out contacts, against "always
call at 10 am" and the segment's best slot (issue 12).

    .venv/bin/python benchmarks/bench_contact_times.py                    # 2,000 customers, 120 days
    .venv/bin/python benchmarks/bench_contact_times.py --customers 500 --days 60 --seed 3

Synthetic contacts in the demo's way (demo.reachability): each customer has a hidden reachability pattern
(a channel, weekdays and two hours, half of each kept from its segment's — its industry's — pattern), and the
collector tries untargeted: any channel of phone, WeCom, email, mostly working weekdays, any working hour;
whether a try reaches somebody is drawn from the customer's pattern. A customer gets a contact on a day with
chance `--rate`, so some have many contacts and some few.

Trained on the first 80% of days; on the contacts of the last 20% (held out) it prints the reach rate of
the held-out contacts that happened in each rule's slot, with their count:
- learned: the customer's best slot (channel, weekday band, hour band), smoothed towards its segment;
- 10 am: a phone call between 10:00 and 10:59, any weekday;
- segment: the segment's best slot (what the learned slot is for a customer with no contacts);
and all held-out contacts, the untargeted rate. The learned slot should reach more often than both.
"""

from __future__ import annotations

import argparse
import random
import time

import polars as pl

from fengkong.demo import reachability
from fengkong.engine import contact_times as ct

SEGMENTS = "CFGEI"


def synthetic(customers: int, days: int, rate: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data  # nosec B311
    segment = {c: SEGMENTS[c % len(SEGMENTS)] for c in range(1, customers + 1)}
    hidden = {c: reachability.pattern(seed, f"C{c:06d}", s) for c, s in segment.items()}
    rows = []
    for d in range(days):
        weekday_of_day = d % 7
        for c in range(1, customers + 1):
            if rng.random() >= rate:
                continue
            channel, _weekday, hour = reachability.attempt(rng)
            reached = rng.random() < hidden[c].chance(channel, weekday_of_day, hour)
            rows.append((c, d, channel, weekday_of_day, hour, reached))
    contacts = pl.DataFrame(rows, schema={"customer": pl.Int64, "day": pl.Int64, "channel": pl.Utf8,
                                          "weekday": pl.Int64, "hour": pl.Int64, "reached": pl.Boolean},
                            orient="row")
    return contacts, pl.DataFrame({"customer": list(segment), "segment": list(segment.values())},
                                  schema=ct.SEGMENT_SCHEMA)


def in_slot(frame: pl.DataFrame) -> pl.Expr:
    return ((pl.col("channel") == pl.col("best_channel"))
            & pl.col("weekday").is_between(pl.col("weekday_from"), pl.col("weekday_to"))
            & (pl.col("hour") >= pl.col("hour_from")) & (pl.col("hour") < pl.col("hour_to")))


def rate_of(frame: pl.DataFrame) -> tuple[float, int]:
    n = frame.height
    return (frame["reached"].sum() / n if n else float("nan")), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--rate", type=float, default=0.25, help="chance a customer is contacted on a day")
    parser.add_argument("--prior", type=float, default=ct.PRIOR_STRENGTH)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    contacts, segments = synthetic(args.customers, args.days, args.rate, args.seed)
    cut = int(args.days * 0.8)
    train, held = contacts.filter(pl.col("day") < cut), contacts.filter(pl.col("day") >= cut)
    started = time.perf_counter()
    best = ct.best_contacts(train.drop("day"), segments, prior_strength=args.prior)
    seconds = time.perf_counter() - started
    learned = held.join(best.rename({"channel": "best_channel"}), on="customer").filter(in_slot(held))
    ten = held.filter((pl.col("channel") == "phone") & (pl.col("hour") == 10))
    nobody = segments.with_columns((pl.col("customer") + 10**9).alias("customer"))
    segment_best = (ct.best_contacts(train.drop("day"), pl.concat([segments, nobody]),
                                     prior_strength=args.prior)
                    .filter(pl.col("customer") > 10**9)
                    .with_columns((pl.col("customer") - 10**9).alias("customer")))
    by_segment = held.join(segment_best.rename({"channel": "best_channel"}), on="customer").filter(in_slot(held))
    print(f"{args.customers:,} customers, {contacts.height:,} contacts over {args.days} days; trained on "
          f"{train.height:,} (days < {cut}), {held.height:,} held out; learned in {seconds * 1000:.0f} ms "
          f"(prior strength {args.prior:g})")
    print(f"{'rule':<34}{'reach rate':>11}{'held-out contacts':>19}")
    for name, frame in [("learned best slot per customer", learned), ("always call at 10 am", ten),
                        ("the segment's best slot", by_segment), ("all held-out contacts", held)]:
        value, n = rate_of(frame)
        print(f"{name:<34}{value:>11.1%}{n:>19,}")


if __name__ == "__main__":
    main()
