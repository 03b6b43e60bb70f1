"""Bad-debt provisions for trade receivables (CAS 22 / IFRS 9 simplified approach): a provision matrix.

Design decisions:
- Month-end balances come from today's ledger, as it stood then (the rule of monitoring's open items): the
  open amount at a month-end is today's open amount plus what was paid, credited or written off after it,
  capped at the invoice amount. Every month-end is computed in one pass over the items and their settlement
  events (numpy: a reverse running sum of the events per invoice and month, found for each item-month by a
  binary search on one sorted key), never one ledger read per month.
- A roll rate follows each item from one month-end to the next: what left bucket b either went to a worse
  bucket (rolled, at its next open amount) or was settled (collected). A write-off is counted as rolled, not
  collected. What is still in b a month later left nowhere, so the rate is rolled / (rolled + collected): the
  share of what leaves b that goes on to b+1, which is right for the wide buckets (91–180 …) as well as the
  30-day ones. The last bucket is default.
- Loss rate of bucket b = the product of the roll rates from b to default × (1 − recovery rate); the
  forward-looking adjustment multiplies it by the probability-weighted scenario multiplier (capped at 1).
- An individual (specific) provision replaces the matrix for its customer: a rate of the customer's
  balance, or an amount placed from the oldest bucket down.
- Money is integer fen; a provision is the balance × rate rounded half up to the fen per customer and bucket,
  so the matrix total is the sum of the lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from .aging import DEFAULT_EDGES, check_edges

EPOCH = date(1970, 1, 1)
ITEMS_SCHEMA = {"invoice_id": pl.Int64, "customer_id": pl.Int64, "issue_day": pl.Int32, "due_day": pl.Int32,
                "amount_fen": pl.Int64, "open_fen": pl.Int64}
EVENTS_SCHEMA = {"invoice_id": pl.Int64, "day": pl.Int32, "amount_fen": pl.Int64, "written_off": pl.Boolean}
SNAPSHOT_SCHEMA = {"month": pl.Int32, "invoice_id": pl.Int64, "customer_id": pl.Int64, "bucket": pl.Int8,
                   "open_fen": pl.Int64, "written_off_next_fen": pl.Int64}


def day_number(day: date) -> int:
    """Days since 1970-01-01, the engine's integer date."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class Scenario:
    """A forward-looking macro scenario: its probability (0–1) and the multiplier it puts on loss rates."""

    name: str
    probability: float
    multiplier: float


@dataclass(frozen=True)
class Individual:
    """A specific provision for one customer: `rate` of its balance, or `amount_fen` (at most the balance)."""

    customer_id: int
    rate: float | None = None
    amount_fen: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Matrix:
    """Per bucket: what rolled and was collected over the look-back, the rates, and the balance now."""

    edges: tuple[int, ...]
    rolled_fen: tuple[int, ...]
    collected_fen: tuple[int, ...]
    roll_rates: tuple[float, ...]          # one fewer than buckets: the last bucket is default
    loss_rates: tuple[float, ...]          # before the forward-looking adjustment
    adjusted_rates: tuple[float, ...]
    multiplier: float
    recovery_rate: float


@dataclass(frozen=True)
class Provision:
    matrix: Matrix
    lines: pl.DataFrame                    # customer_id, bucket, balance_fen, rate, provision_fen, individual
    balance_fen: tuple[int, ...] = field(default=())
    provision_fen: tuple[int, ...] = field(default=())

    @property
    def total_fen(self) -> int:
        return sum(self.provision_fen)

    @property
    def gross_fen(self) -> int:
        return sum(self.balance_fen)


@dataclass(frozen=True)
class Movement:
    """The provision's movement over a period; opening + charge − reversal − write_off + recoveries = closing."""

    opening_fen: int
    charge_fen: int
    reversal_fen: int
    write_off_fen: int
    recoveries_fen: int
    closing_fen: int


def month_end_snapshots(items: pl.DataFrame, events: pl.DataFrame, month_ends: list[date],
                        edges: tuple[int, ...] = DEFAULT_EDGES) -> pl.DataFrame:
    """Every item open at each month-end, with its aging bucket: month (index into `month_ends`), invoice_id,
    customer_id, bucket, open_fen, written_off_next_fen (written off in the month after that month-end),
    sorted by invoice and month.

    `items` has ITEMS_SCHEMA (open_fen is today's open amount; days since 1970), `events` EVENTS_SCHEMA: every
    settlement of an invoice after the first month-end (allocations of receipts, credit notes, write-offs)
    with its day and amount. `month_ends` must be strictly increasing.
    """
    edges = check_edges(edges)
    days = np.array([day_number(m) for m in month_ends], dtype=np.int64)
    if days.size and np.any(np.diff(days) <= 0):
        raise ValueError("month-ends must be strictly increasing")
    if not days.size or items.is_empty():
        return pl.DataFrame(schema=SNAPSHOT_SCHEMA)
    items = items.sort("invoice_id")
    width = days.size + 2
    # An event on day d settles the item for every month-end before d: month index j = #month-ends < d.
    # Events summed per (invoice, j) under one sortable key; `after` is their sum over j' >= j per invoice.
    ev_invoice = events.get_column("invoice_id").to_numpy()
    ev_key = ev_invoice * width + np.searchsorted(days, events.get_column("day").to_numpy(), side="left")
    order = np.argsort(ev_key, kind="stable")
    ordered = ev_key[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])) if ordered.size else ordered
    keys = ordered[starts]
    amounts = events.get_column("amount_fen").to_numpy()[order]
    settled = np.add.reduceat(amounts, starts) if keys.size else np.zeros(0, dtype=np.int64)
    written = (np.add.reduceat(np.where(events.get_column("written_off").to_numpy()[order], amounts, 0), starts)
               if keys.size else np.zeros(0, dtype=np.int64))
    key_invoice = keys // width
    tail = np.concatenate([np.cumsum(settled[::-1])[::-1], [0]])
    segment_end = np.searchsorted(key_invoice, key_invoice, side="right")
    after = tail[:-1] - tail[segment_end]
    # Month-ends an item can be open at: from its issue to the last (open today) or its last settlement.
    invoice = items.get_column("invoice_id").to_numpy()
    first = np.searchsorted(days, items.get_column("issue_day").to_numpy(), side="left")
    found = np.searchsorted(key_invoice, invoice, side="right") - 1
    has_events = (found >= 0) & (key_invoice[np.maximum(found, 0)] == invoice) if keys.size else np.zeros(
        invoice.size, dtype=bool)
    last_j = np.where(has_events, keys[np.maximum(found, 0)] % width if keys.size else 0, 0)
    open_now = items.get_column("open_fen").to_numpy()
    stop = np.where(open_now > 0, days.size, np.minimum(last_j, days.size))
    counts = np.maximum(stop - first, 0)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def per_month(values: np.ndarray) -> np.ndarray:  # one value per item → one per item and month-end
        return np.repeat(values, counts)

    month = per_month(first - offsets) + np.arange(int(counts.sum()))
    invoice_rows = per_month(invoice)
    wanted = invoice_rows * width + month + 1
    if keys.size:
        found_at = np.searchsorted(keys, wanted, side="left")
        at = np.minimum(found_at, keys.size - 1)
        same_invoice = (found_at < keys.size) & (key_invoice[at] == invoice_rows)
        added = np.where(same_invoice, after[at], 0)
        written_next = np.where(same_invoice & (keys[at] == wanted), written[at], 0)
    else:
        added = written_next = np.zeros(month.size, dtype=np.int64)
    open_then = np.minimum(per_month(items.get_column("amount_fen").to_numpy()), per_month(open_now) + added)
    keep = open_then > 0
    month = month[keep]
    overdue = days[month] - per_month(items.get_column("due_day").to_numpy())[keep]
    bucket = np.searchsorted(np.asarray(edges, dtype=np.int64), overdue, side="left")
    return pl.DataFrame({
        "month": month, "invoice_id": invoice_rows[keep],
        "customer_id": per_month(items.get_column("customer_id").to_numpy())[keep],
        "bucket": bucket, "open_fen": open_then[keep], "written_off_next_fen": written_next[keep],
    }).cast(SNAPSHOT_SCHEMA)


def roll_flows(snapshots: pl.DataFrame, buckets: int, months: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rolled, collected) per bucket, in fen, summed over every pair of consecutive month-ends in
    `snapshots` (month_end_snapshots' frame of `months` month-ends, default the last one in it; the last
    month only receives). Written-off amounts count as rolled."""
    if snapshots.is_empty():
        return np.zeros(buckets, dtype=np.int64), np.zeros(buckets, dtype=np.int64)
    invoice = snapshots.get_column("invoice_id").to_numpy()
    month = snapshots.get_column("month").to_numpy()
    key = invoice * (int(month.max()) + 1) + month
    if np.all(key[1:] > key[:-1]):  # month_end_snapshots' order already: by invoice, then month
        order = slice(None)
    else:
        order = np.argsort(key, kind="stable")
    invoice, month = invoice[order], month[order]
    bucket = snapshots.get_column("bucket").to_numpy()[order].astype(np.int64)
    open_fen = snapshots.get_column("open_fen").to_numpy()[order]
    written = snapshots.get_column("written_off_next_fen").to_numpy()[order]
    leaving = month < (month.max() if months is None else months - 1)
    followed = np.zeros(invoice.size, dtype=bool)
    followed[:-1] = (invoice[1:] == invoice[:-1]) & (month[1:] == month[:-1] + 1)
    next_fen = np.zeros(invoice.size, dtype=np.int64)
    next_fen[:-1] = np.where(followed[:-1], open_fen[1:], 0)
    next_bucket = np.full(invoice.size, -1, dtype=np.int64)
    next_bucket[:-1] = np.where(followed[:-1], bucket[1:], -1)
    rolled = np.where(next_bucket > bucket, next_fen, 0) + written
    collected = open_fen - next_fen - written
    return _sum_by(bucket[leaving], rolled[leaving], buckets), _sum_by(bucket[leaving], collected[leaving], buckets)


def _sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums of `values` per `index` (0..size-1): a masked sum per bucket (there are few), which
    is much faster than np.add.at and, unlike a float-weighted bincount, exact however large the book."""
    return np.array([values[index == i].sum() for i in range(size)], dtype=np.int64)


def weighted_multiplier(scenarios: list[Scenario] | tuple[Scenario, ...]) -> float:
    """Σ probability × multiplier; 1 with no scenarios. Probabilities must add up to 1."""
    if not scenarios:
        return 1.0
    total = sum(s.probability for s in scenarios)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"scenario probabilities add up to {total:g}, not 1")
    if any(s.probability < 0 or s.multiplier < 0 for s in scenarios):
        raise ValueError("scenario probabilities and multipliers cannot be negative")
    return float(sum(s.probability * s.multiplier for s in scenarios))


def matrix(rolled: np.ndarray, collected: np.ndarray, edges: tuple[int, ...], recovery_rate: float,
           scenarios: list[Scenario] | tuple[Scenario, ...] = ()) -> Matrix:
    """Roll rates, loss rates and adjusted loss rates from the flows (`roll_flows`)."""
    if not 0 <= recovery_rate <= 1:
        raise ValueError(f"the recovery rate must be between 0 and 1, not {recovery_rate}")
    left = rolled + collected
    roll = np.divide(rolled, left, out=np.zeros(len(rolled), dtype=np.float64), where=left > 0)[:-1]
    to_default = np.append(np.cumprod(roll[::-1])[::-1], 1.0)
    loss = to_default * (1.0 - recovery_rate)
    factor = weighted_multiplier(scenarios)
    adjusted = np.minimum(loss * factor, 1.0)
    return Matrix(tuple(edges), tuple(int(x) for x in rolled), tuple(int(x) for x in collected),
                  tuple(float(x) for x in roll), tuple(float(x) for x in loss), tuple(float(x) for x in adjusted),
                  factor, float(recovery_rate))


def round_fen(values: np.ndarray) -> np.ndarray:
    """Half up to the whole fen (amounts here are never negative)."""
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5 + 1e-9).astype(np.int64)


def provide(balances: pl.DataFrame, mat: Matrix, individuals: list[Individual] | tuple[Individual, ...] = ()
            ) -> Provision:
    """The provision per customer and bucket: `balances` (customer_id, bucket, open_fen) at the month-end,
    priced with the matrix's adjusted rates, except customers with an individual provision."""
    lines = (balances.group_by("customer_id", "bucket").agg(pl.col("open_fen").sum().alias("balance_fen"))
             .sort("customer_id", "bucket"))
    rates = np.asarray(mat.adjusted_rates, dtype=np.float64)
    bucket = lines.get_column("bucket").to_numpy().astype(np.int64)
    balance = lines.get_column("balance_fen").to_numpy()
    rate = rates[bucket]
    provision = round_fen(balance * rate)
    individual = np.zeros(len(lines), dtype=bool)
    customer = lines.get_column("customer_id").to_numpy()
    for spec in individuals:
        rows = np.flatnonzero(customer == spec.customer_id)
        individual[rows] = True
        rate[rows], provision[rows] = _individual(spec, bucket[rows], balance[rows])
    lines = lines.with_columns(pl.Series("rate", rate), pl.Series("provision_fen", provision, dtype=pl.Int64),
                               pl.Series("individual", individual))
    n = len(mat.edges) + 1
    balance_sum = np.zeros(n, dtype=np.int64)
    provision_sum = np.zeros(n, dtype=np.int64)
    np.add.at(balance_sum, bucket, balance)
    np.add.at(provision_sum, bucket, provision)
    return Provision(mat, lines, tuple(int(x) for x in balance_sum), tuple(int(x) for x in provision_sum))


def _individual(spec: Individual, bucket: np.ndarray, balance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if (spec.rate is None) == (spec.amount_fen is None):
        raise ValueError(f"customer {spec.customer_id}: an individual provision needs a rate or an amount")
    if spec.rate is not None:
        if not 0 <= spec.rate <= 1:
            raise ValueError(f"customer {spec.customer_id}: the individual rate must be between 0 and 1")
        provision = round_fen(balance * spec.rate)
    else:
        if spec.amount_fen < 0:
            raise ValueError(f"customer {spec.customer_id}: the individual amount cannot be negative")
        order = np.argsort(-bucket, kind="stable")  # the oldest bucket first
        left = min(int(spec.amount_fen), int(balance.sum()))
        provision = np.zeros(len(balance), dtype=np.int64)
        for i in order:
            provision[i] = min(left, int(balance[i]))
            left -= int(provision[i])
    rate = np.divide(provision, balance, out=np.zeros(len(balance)), where=balance > 0)
    return rate, provision


def movement(opening_fen: int, closing_fen: int, write_off_fen: int, recoveries_fen: int) -> Movement:
    """The period's schedule: the charge (or reversal) is what brings opening − write-offs + recoveries to
    the closing provision."""
    before = opening_fen - write_off_fen + recoveries_fen
    change = closing_fen - before
    return Movement(opening_fen, max(change, 0), max(-change, 0), write_off_fen, recoveries_fen, closing_fen)
