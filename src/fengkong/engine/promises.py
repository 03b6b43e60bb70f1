"""Judging promises to pay: what was paid on the covered invoices against what was promised, with tolerance.

Pure: frames in, a frame out; the clock is the `as_of` passed in.
- A promise is judged once its date plus the tolerance days has passed (`as_of` is after it).
- Paid (fen) is what receipts dated from the day it was taken up to its date plus the tolerance allocated
  to the covered invoices; it counts as the whole promise when short by at most the tolerance amount.
- kept: paid ≥ promised − tolerance; partially kept: something paid, but less; broken: nothing paid.
- A promise whose invoices are all settled is kept at once, even before its date (nothing is left to pay).
- An instalment of a plan is a promise on the plan's invoices from the day the plan was approved; what was
  paid goes to the instalments in turn, so an instalment counts what was paid beyond the instalments before
  it (`ahead`: promise_id, ahead_fen — their sum), up to its own amount. A shortfall on one is made up first
  by later money; money paid early counts for the next instalments.
"""

from __future__ import annotations

from datetime import date

import polars as pl

KEPT, PARTIALLY_KEPT, BROKEN = "kept", "partially_kept", "broken"
PROMISE_SCHEMA = {"promise_id": pl.Int64, "amount_fen": pl.Int64, "judge_day": pl.Date,
                  "tolerance_fen": pl.Int64, "open_now_fen": pl.Int64}
PAID_SCHEMA = {"promise_id": pl.Int64, "paid_fen": pl.Int64}
AHEAD_SCHEMA = {"promise_id": pl.Int64, "ahead_fen": pl.Int64}


def judge(promises: pl.DataFrame, paid: pl.DataFrame, as_of: date, ahead: pl.DataFrame | None = None) -> pl.DataFrame:
    """The promises that can be judged on `as_of`, with `paid_fen` and `state`.

    promises: promise_id, amount_fen, judge_day (first day it may be judged), tolerance_fen, open_now_fen
    (what the covered invoices still owe); paid: promise_id, paid_fen (any number of rows per promise);
    ahead (instalments only): promise_id, ahead_fen, what the earlier instalments of its plan take first.
    """
    sums = paid.group_by("promise_id").agg(pl.col("paid_fen").sum())
    frame = promises.join(sums, on="promise_id", how="left").with_columns(pl.col("paid_fen").fill_null(0))
    if ahead is not None:
        share = pl.min_horizontal(pl.max_horizontal(pl.col("paid_fen") - pl.col("ahead_fen"), pl.lit(0)),
                                  pl.col("amount_fen"))
        frame = frame.join(ahead, on="promise_id", how="left").with_columns(
            pl.when(pl.col("ahead_fen").is_null()).then(pl.col("paid_fen")).otherwise(share).alias("paid_fen"))
    settled = pl.col("open_now_fen") <= 0
    due = (pl.col("judge_day") <= pl.lit(as_of, pl.Date)) | settled
    enough = (pl.col("paid_fen") >= pl.col("amount_fen") - pl.col("tolerance_fen")) | settled
    state = (pl.when(enough).then(pl.lit(KEPT))
             .when(pl.col("paid_fen") > 0).then(pl.lit(PARTIALLY_KEPT))
             .otherwise(pl.lit(BROKEN)))
    return frame.filter(due).with_columns(state.alias("state")).select("promise_id", "paid_fen", "state")
