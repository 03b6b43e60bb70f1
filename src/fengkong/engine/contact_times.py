"""When and how to reach a customer, learned from the contact log: the best slot (channel, weekday band, hour
band) per customer, its reach rate smoothed towards the customer's segment.

Pure: frames in, a frame out.
- A slot is (channel, weekday band, hour band). Weekday bands: Mon, Tue–Thu, Fri, Sat–Sun (`WEEKDAY_BANDS`,
  weekday 0 = Monday); hour bands cut the local hour at `HOUR_EDGES` (before 9, 9–11, 11–13, 13–15, 15–17,
  17 and later).
- The segment's rate in a slot is Beta-binomial smoothed towards the segment's overall rate:
  (segment reached + k · segment rate) / (segment tried + k), k the prior strength.
- A customer's rate in a slot is smoothed the same way towards the segment's slot rate:
  (reached + k · segment slot rate) / (tried + k). A customer with few contacts so gets its segment's
  slot; with many, its own.
- The candidate slots of a customer are the slots its segment has tried (its own among them); the best is
  the highest rate, then the most tried, then the first channel, weekday band and hour band in order.
- The evidence is the customer's own `reached` of `tried` in that slot (0 of 0 when only its segment tried it).
"""

from __future__ import annotations

import polars as pl

HOUR_EDGES = (9, 11, 13, 15, 17)
WEEKDAY_BANDS = ((0, 0), (1, 3), (4, 4), (5, 6))
PRIOR_STRENGTH = 8.0  # benchmarks/bench_contact_times.py: 8 beat 1 and 4 on held-out contacts
CONTACT_SCHEMA = {"customer": pl.Int64, "channel": pl.Utf8, "weekday": pl.Int64, "hour": pl.Int64,
                  "reached": pl.Int64, "tried": pl.Int64}
SEGMENT_SCHEMA = {"customer": pl.Int64, "segment": pl.Utf8}
SLOT = ["channel", "weekday_band", "hour_band"]
BEST_SCHEMA = {"customer": pl.Int64, "channel": pl.Utf8, "weekday_from": pl.Int64, "weekday_to": pl.Int64,
               "hour_from": pl.Int64, "hour_to": pl.Int64, "rate": pl.Float64, "reached": pl.Int64,
               "tried": pl.Int64, "segment_rate": pl.Float64}


def hour_band(hour: pl.Expr, edges: tuple[int, ...] = HOUR_EDGES) -> pl.Expr:
    """The index of the hour band of each local hour (0 before the first edge)."""
    band = pl.lit(0, pl.Int64)
    for edge in edges:
        band = band + (hour >= edge).cast(pl.Int64)
    return band


def weekday_band(weekday: pl.Expr, bands: tuple[tuple[int, int], ...] = WEEKDAY_BANDS) -> pl.Expr:
    """The index of the weekday band of each weekday (0 = Monday)."""
    out = pl.lit(None, pl.Int64)
    for i, (low, high) in reversed(list(enumerate(bands))):
        out = pl.when(weekday.is_between(low, high)).then(pl.lit(i, pl.Int64)).otherwise(out)
    return out


def slots(contacts: pl.DataFrame, edges: tuple[int, ...] = HOUR_EDGES,
          bands: tuple[tuple[int, int], ...] = WEEKDAY_BANDS) -> pl.DataFrame:
    """Contact rows with their slot's `weekday_band` and `hour_band`; a row without `tried` counts one contact
    (then `reached` is yes/no)."""
    _check(contacts, edges, bands)
    frame = contacts
    if "tried" not in frame.columns:
        frame = frame.with_columns(pl.lit(1, pl.Int64).alias("tried"))
    return frame.with_columns(pl.col("reached").cast(pl.Int64), pl.col("tried").cast(pl.Int64),
                              weekday_band(pl.col("weekday"), bands).alias("weekday_band"),
                              hour_band(pl.col("hour"), edges).alias("hour_band"))


def segment_slots(contacts: pl.DataFrame, segments: pl.DataFrame, prior_strength: float = PRIOR_STRENGTH,
                  edges: tuple[int, ...] = HOUR_EDGES,
                  bands: tuple[tuple[int, int], ...] = WEEKDAY_BANDS) -> pl.DataFrame:
    """Per segment and slot it tried: segment_reached, segment_tried and the smoothed `segment_rate`."""
    frame = slots(contacts, edges, bands).join(segments, on="customer", how="inner")
    overall = frame.group_by("segment").agg((pl.col("reached").sum() / pl.col("tried").sum()).alias("overall"))
    return (frame.group_by("segment", *SLOT)
            .agg(pl.col("reached").sum().alias("segment_reached"), pl.col("tried").sum().alias("segment_tried"))
            .join(overall, on="segment")
            .with_columns(((pl.col("segment_reached") + prior_strength * pl.col("overall"))
                           / (pl.col("segment_tried") + prior_strength)).alias("segment_rate"))
            .drop("overall"))


def best_contacts(contacts: pl.DataFrame, segments: pl.DataFrame, prior_strength: float = PRIOR_STRENGTH,
                  edges: tuple[int, ...] = HOUR_EDGES,
                  bands: tuple[tuple[int, int], ...] = WEEKDAY_BANDS) -> pl.DataFrame:
    """The best slot of every customer in `segments` whose segment has contacts (`BEST_SCHEMA`).

    contacts: customer, channel, weekday (0 = Monday), hour (local, 0–23), reached (yes/no, or a count with
    `tried`); segments: customer, segment — the customers to answer for, and the segment of every customer
    whose contacts count.
    """
    if prior_strength < 0:
        raise ValueError(f"prior_strength must be at least 0, not {prior_strength}")
    seg = segment_slots(contacts, segments, prior_strength, edges, bands)
    own = (slots(contacts, edges, bands).group_by("customer", *SLOT)
           .agg(pl.col("reached").sum(), pl.col("tried").sum()))
    candidates = (segments.join(seg, on="segment", how="inner")
                  .join(own, on=["customer", *SLOT], how="left")
                  .with_columns(pl.col("reached").fill_null(0), pl.col("tried").fill_null(0)))
    rate = (pl.col("reached") + prior_strength * pl.col("segment_rate")) / (pl.col("tried") + prior_strength)
    if prior_strength == 0:  # no prior: the customer's own rate where it tried, else the segment's
        rate = pl.when(pl.col("tried") > 0).then(pl.col("reached") / pl.col("tried")).otherwise(
            pl.col("segment_rate"))
    best = (candidates.with_columns(rate.alias("rate"))
            .sort(["customer", "rate", "tried", *SLOT], descending=[False, True, True, False, False, False])
            .group_by("customer", maintain_order=True).first())
    lows, highs = dict(enumerate(low for low, _ in bands)), dict(enumerate(high for _, high in bands))
    starts, ends = dict(enumerate((0, *edges))), dict(enumerate((*edges, 24)))
    return best.select(
        "customer", "channel",
        pl.col("weekday_band").replace_strict(lows, return_dtype=pl.Int64).alias("weekday_from"),
        pl.col("weekday_band").replace_strict(highs, return_dtype=pl.Int64).alias("weekday_to"),
        pl.col("hour_band").replace_strict(starts, return_dtype=pl.Int64).alias("hour_from"),
        pl.col("hour_band").replace_strict(ends, return_dtype=pl.Int64).alias("hour_to"),
        "rate", "reached", "tried", "segment_rate").cast(BEST_SCHEMA)


def _check(contacts: pl.DataFrame, edges: tuple[int, ...], bands: tuple[tuple[int, int], ...]) -> None:
    missing = [c for c in ("customer", "channel", "weekday", "hour", "reached") if c not in contacts.columns]
    if missing:
        raise ValueError(f"contacts lack the column(s) {', '.join(missing)}")
    if list(edges) != sorted(set(edges)) or any(not 0 < e < 24 for e in edges):
        raise ValueError(f"hour edges must rise strictly between 0 and 24, not {edges}")
    days = sorted(d for low, high in bands for d in range(low, high + 1))
    if days != list(range(7)):
        raise ValueError(f"weekday bands must cover each weekday 0–6 once, not {bands}")
    bad = contacts.filter(~pl.col("hour").is_between(0, 23) | ~pl.col("weekday").is_between(0, 6))
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(f"contact of customer {row['customer']}: hour {row['hour']} and weekday {row['weekday']} "
                         "must be 0–23 and 0–6")
