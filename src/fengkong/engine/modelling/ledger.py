"""Training rows for the ledger models: point-in-time features per customer, and the 12-month target.

Pure: polars frames of the ledger in, frames out (no Django, no I/O); `fengkong.scoring.dataset` reads
the frames from the database.

Design decisions:
- Point in time. `features` first cuts the ledger to what was known at the end of the observation date
  D (`known_on`): invoices issued <= D, receipts dated <= D, credit notes issued <= D, statements with
  period_end <= D. Nothing after D can reach a feature, whatever is in the frames it is given.
- An invoice's open amount on a day is its amount less the receipts and credit notes dated up to that day,
  so it is rebuilt from dated records, never from today's open amount. What was settled without any
  dated record (an ERP export of open amounts only) is `undated_settled_fen` and counts as settled from
  the start, as the credit assessment (credit/features.py) treats it.
- The dispute flag has no date in the ledger: the features count the flag as it stands on invoices
  issued by D. It is the one input not strictly point in time (a dispute raised after D on an older
  invoice shows); the leakage test pins everything else.
- Left out on purpose: utilisation (CreditProfile.limit is today's limit, not the limit on D) and the
  industry outlook (kept as current state only): both would leak the future into a back-test.
- Missing stays missing (null), never 0: no statement, no invoice paid or due in the window, no
  cooperation start. A zero is a real zero (no open items on D is an open amount of 0).
- Target: 1 when, within the 12 months after D, an invoice reaches the danger zone (danger_days past due
  and still open, judged with receipts and credit notes up to that day) or a credit note writes an
  invoice off (its reason says 核销, 坏账 or write-off). A customer already in the danger zone on D is
  not a prediction and is left out. Each invoice has one day it can enter the zone (due + danger_days):
  after that its open amount can only fall, so the zone is entered then or never.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

WINDOW_MONTHS = 12     # payment history before D, and the outcome horizon after it
RECENT_MONTHS = 3      # the trend compares the last 3 months with the 9 before
DANGER_DAYS = 90
WRITE_OFF = r"(?i)核销|坏账|write[- ]?off"

SCHEMAS = {
    "customers": {"customer_id": pl.Int64, "customer_code": pl.String, "industry": pl.String,
                  "cooperation_start": pl.Date},
    "invoices": {"invoice_id": pl.Int64, "customer_id": pl.Int64, "issue_date": pl.Date, "due_date": pl.Date,
                 "amount_fen": pl.Int64, "disputed": pl.Boolean, "undated_settled_fen": pl.Int64},
    "receipts": {"invoice_id": pl.Int64, "payment_date": pl.Date, "amount_fen": pl.Int64},
    "credit_notes": {"customer_id": pl.Int64, "invoice_id": pl.Int64, "issue_date": pl.Date,
                     "amount_fen": pl.Int64, "reason": pl.String},
    "statements": {"customer_id": pl.Int64, "period_end": pl.Date, "current_assets_fen": pl.Int64,
                   "current_liabilities_fen": pl.Int64, "total_assets_fen": pl.Int64,
                   "total_liabilities_fen": pl.Int64, "revenue_fen": pl.Int64},
}
DATE_OF = {"invoices": "issue_date", "receipts": "payment_date", "credit_notes": "issue_date",
           "statements": "period_end"}

FEATURES = {
    "dbt_mean_12m": pl.Float64, "dbt_max_12m": pl.Float64, "dbt_trend_3m": pl.Float64,
    "overdue_count_12m": pl.Float64, "late_share_12m": pl.Float64, "partial_share_12m": pl.Float64,
    "disputed_count_12m": pl.Float64, "disputed_share_12m": pl.Float64, "invoices_12m": pl.Float64,
    "sales_12m_fen": pl.Float64, "open_fen": pl.Float64, "overdue_fen": pl.Float64,
    "max_days_overdue": pl.Float64, "current_ratio": pl.Float64, "debt_to_asset": pl.Float64,
    "revenue_growth": pl.Float64, "industry": pl.String, "tenure_years": pl.Float64,
}


@dataclass(frozen=True)
class LedgerFrames:
    """The ledger as frames (see SCHEMAS); money in integer fen, business dates as dates."""

    customers: pl.DataFrame
    invoices: pl.DataFrame
    receipts: pl.DataFrame
    credit_notes: pl.DataFrame
    statements: pl.DataFrame

    @classmethod
    def of(cls, **frames: pl.DataFrame) -> LedgerFrames:
        """Frames cast to SCHEMAS (columns in that order), empty frames for the tables not given."""
        return cls(**{name: frames[name].select([pl.col(c).cast(t) for c, t in schema.items()])
                      if name in frames else pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()})

    def last_date(self) -> date | None:
        """The latest business date in the ledger: the data's end, which the outcome window needs."""
        days = [frame[DATE_OF[name]].max() for name in ("invoices", "receipts", "credit_notes")
                if (frame := getattr(self, name)).height]
        return max(days) if days else None


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative), the month's last day if shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_before(day: date, months: int) -> date:
    return add_months(day, -months)


def horizon_end(as_of: date, months: int = WINDOW_MONTHS) -> date:
    return add_months(as_of, months)


def observation_dates(start: date, end: date, every_months: int) -> list[date]:
    """start, start + every, ... up to end (the day of month kept where the month has it)."""
    if every_months < 1:
        raise ValueError("every_months must be at least 1")
    dates, step = [], 0
    while (day := add_months(start, every_months * step)) <= end:
        dates.append(day)
        step += 1
    return dates


def known_on(ledger: LedgerFrames, day: date) -> LedgerFrames:
    """The ledger as it stood at the end of `day`: every dated row after it dropped."""
    cut = {name: getattr(ledger, name).filter(pl.col(column) <= day) for name, column in DATE_OF.items()}
    known = cut["invoices"]["invoice_id"]
    return replace(ledger, **{**cut, "receipts": cut["receipts"].filter(pl.col("invoice_id").is_in(known.implode()))})


def invoice_state(ledger: LedgerFrames) -> pl.DataFrame:
    """Per invoice of the (already cut) ledger: open amount, receipts, last receipt."""
    receipts = ledger.receipts.group_by("invoice_id").agg(
        pl.col("amount_fen").sum().alias("paid_fen"), pl.len().alias("receipts"),
        pl.col("payment_date").max().alias("last_paid"))
    credited = (ledger.credit_notes.filter(pl.col("invoice_id").is_not_null()).group_by("invoice_id")
                .agg(pl.col("amount_fen").sum().alias("credited_fen")))
    return (ledger.invoices.join(receipts, on="invoice_id", how="left").join(credited, on="invoice_id", how="left")
            .with_columns(pl.col("paid_fen", "receipts", "credited_fen").fill_null(0))
            .with_columns((pl.col("amount_fen") - pl.col("undated_settled_fen") - pl.col("paid_fen")
                           - pl.col("credited_fen")).clip(lower_bound=0).alias("open_fen")))


def features(ledger: LedgerFrames, as_of: date) -> pl.DataFrame:
    """One row per customer with an invoice issued by `as_of`: customer_id, customer_code and FEATURES."""
    known = known_on(ledger, as_of)
    state = invoice_state(known)
    customers = known.customers.join(state.select("customer_id").unique(), on="customer_id", how="semi")
    frame = (customers.join(_payment_behaviour(state, as_of), on="customer_id", how="left")
             .join(_position(state, as_of), on="customer_id", how="left")
             .join(_financials(known.statements), on="customer_id", how="left")
             .with_columns(
                 pl.when(pl.col("industry") != "").then(pl.col("industry")).alias("industry"),
                 ((pl.lit(as_of) - pl.col("cooperation_start")).dt.total_days().clip(lower_bound=0) / 365.25)
                 .alias("tenure_years")))
    return frame.select("customer_id", "customer_code",
                        *[pl.col(c).cast(t) for c, t in FEATURES.items()]).sort("customer_id")


def _payment_behaviour(state: pl.DataFrame, as_of: date) -> pl.DataFrame:
    start, recent = months_before(as_of, WINDOW_MONTHS), months_before(as_of, RECENT_MONTHS)
    paid = (pl.col("open_fen") == 0) & (pl.col("receipts") > 0) & (pl.col("last_paid") > start)
    dbt = (pl.col("last_paid") - pl.col("due_date")).dt.total_days().clip(lower_bound=0).cast(pl.Float64)
    due = (pl.col("due_date") > start) & (pl.col("due_date") <= as_of)
    overdue = ((pl.col("open_fen") > 0) & (pl.col("due_date") < as_of)) | (
        (pl.col("open_fen") == 0) & (pl.col("last_paid") > pl.col("due_date")))
    partial = (pl.col("receipts") > 1) | ((pl.col("receipts") > 0) & (pl.col("open_fen") > 0))
    issued = pl.col("issue_date") > start
    return state.group_by("customer_id").agg(
        dbt.filter(paid).mean().alias("dbt_mean_12m"),
        dbt.filter(paid).max().alias("dbt_max_12m"),
        (dbt.filter(paid & (pl.col("last_paid") > recent)).mean()
         - dbt.filter(paid & (pl.col("last_paid") <= recent)).mean()).alias("dbt_trend_3m"),
        pl.when(due.any()).then(overdue.filter(due).sum()).alias("overdue_count_12m"),
        (dbt.filter(paid) > 0).mean().alias("late_share_12m"),
        partial.filter(due).mean().alias("partial_share_12m"),
        pl.when(issued.any()).then(pl.col("disputed").filter(issued).sum()).alias("disputed_count_12m"),
        pl.col("disputed").filter(issued).mean().alias("disputed_share_12m"),
        issued.sum().alias("invoices_12m"),
        pl.col("amount_fen").filter(issued).sum().alias("sales_12m_fen"),
    )


def _position(state: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Open and overdue amounts on `as_of` and the most days an open item was overdue then."""
    overdue = (pl.col("open_fen") > 0) & (pl.col("due_date") < as_of)
    return state.group_by("customer_id").agg(
        pl.col("open_fen").sum(),
        pl.col("open_fen").filter(overdue).sum().alias("overdue_fen"),
        (pl.lit(as_of) - pl.col("due_date")).dt.total_days().filter(overdue).max().fill_null(0)
        .alias("max_days_overdue"))


def _financials(statements: pl.DataFrame) -> pl.DataFrame:
    """Ratios of the latest statement, and revenue growth over the one before it."""
    ordered = statements.sort("customer_id", "period_end")
    previous = pl.col("revenue_fen").shift(1).over("customer_id")
    return ordered.with_columns(previous.alias("previous_revenue")).group_by("customer_id").last().select(
        "customer_id",
        pl.when(pl.col("current_liabilities_fen") > 0)
        .then(pl.col("current_assets_fen") / pl.col("current_liabilities_fen")).alias("current_ratio"),
        pl.when(pl.col("total_assets_fen") > 0)
        .then(pl.col("total_liabilities_fen") / pl.col("total_assets_fen")).alias("debt_to_asset"),
        pl.when(pl.col("previous_revenue") > 0)
        .then(pl.col("revenue_fen") / pl.col("previous_revenue") - 1).alias("revenue_growth"))


def target(ledger: LedgerFrames, as_of: date, danger_days: int = DANGER_DAYS,
           months: int = WINDOW_MONTHS) -> pl.DataFrame:
    """Per customer with an invoice issued by `as_of`: `in_danger` on the day, and `bad` (the outcome
    within `months` after it). Reads the ledger up to the horizon's end, nothing beyond."""
    end = horizon_end(as_of, months)
    known = known_on(ledger, end)
    danger_day = (pl.col("due_date") + pl.duration(days=danger_days)).alias("danger_day")
    invoices = known.invoices.with_columns(danger_day)
    # Each invoice judged on its own danger day, with the receipts and credit notes dated up to it.
    receipts = known.receipts.join(invoices.select("invoice_id", "danger_day"), on="invoice_id")
    credits = known.credit_notes.join(invoices.select("invoice_id", "danger_day"), on="invoice_id")
    on_danger_day = invoice_state(replace(
        known, invoices=invoices, receipts=receipts.filter(pl.col("payment_date") <= pl.col("danger_day")),
        credit_notes=credits.filter(pl.col("issue_date") <= pl.col("danger_day"))))
    entered = on_danger_day.filter((pl.col("open_fen") > 0) & (pl.col("danger_day") > as_of)
                                   & (pl.col("danger_day") <= end)).select("customer_id")
    written_off = known.credit_notes.filter((pl.col("issue_date") > as_of)
                                            & pl.col("reason").fill_null("").str.contains(WRITE_OFF))
    bad = pl.concat([entered, written_off.select("customer_id")]).unique()
    state_then = invoice_state(known_on(ledger, as_of))
    in_danger = state_then.filter((pl.col("open_fen") > 0)
                                  & ((pl.lit(as_of) - pl.col("due_date")).dt.total_days() >= danger_days))
    return (state_then.select("customer_id").unique()
            .with_columns(pl.col("customer_id").is_in(in_danger["customer_id"].implode()).alias("in_danger"),
                          pl.col("customer_id").is_in(bad["customer_id"].implode()).cast(pl.Int8).alias("bad"))
            .sort("customer_id"))


@dataclass(frozen=True)
class Observation:
    as_of: date
    rows: pl.DataFrame   # customer_code, observation_date, FEATURES, bad
    in_danger: int       # customers left out: already in the danger zone on the day


def observe(ledger: LedgerFrames, as_of: date, danger_days: int = DANGER_DAYS) -> Observation:
    """The training rows of one observation date (the caller checks that its 12 months are complete)."""
    outcome = target(ledger, as_of, danger_days)
    rows = features(ledger, as_of).join(outcome, on="customer_id", how="inner")
    kept = rows.filter(~pl.col("in_danger"))
    return Observation(as_of, kept.select(
        "customer_code", pl.lit(as_of).alias("observation_date"), *FEATURES, "bad"), rows.height - kept.height)
