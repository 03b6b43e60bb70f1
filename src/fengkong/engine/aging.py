"""Aging of open items: how much is owed, grouped by how many days past due it is.

Design decisions:
- Money is integer fen (int64) all the way through; sums use integer addition (`np.add.at`), never
  float weights, so a bucket total is exact to the fen however large the book.
- A bucket is described by its *upper* edge in days overdue. The default edges (0, 30, 60, 90, 180, 365)
  give the report buckets: current (not yet due or due today), 1–30, 31–60, 61–90, 91–180, 181–365 and
  >365 days overdue. Any strictly increasing, non-negative edges work; there is always one more bucket
  than edges (the open-ended last one).
- Labels are data (low, high) pairs, not words: the engine does not translate; the UI does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DEFAULT_EDGES: tuple[int, ...] = (0, 30, 60, 90, 180, 365)


@dataclass(frozen=True)
class AgingBucket:
    """Days overdue from `low` to `high` inclusive; `high` is None for the open-ended last bucket."""

    low: int | None
    high: int | None
    amount_fen: int
    items: int

    @property
    def is_current(self) -> bool:
        """Only items not yet due (or due today)."""
        return self.low is None and self.high == 0


@dataclass(frozen=True)
class AgingProfile:
    buckets: tuple[AgingBucket, ...]
    overdue_fen: int

    @property
    def total_fen(self) -> int:
        return sum(b.amount_fen for b in self.buckets)


def check_edges(edges: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """Edges as a tuple, or ValueError saying what is wrong with them."""
    edges = tuple(int(e) for e in edges)
    if not edges:
        raise ValueError("aging needs at least one bucket edge")
    if edges[0] < 0:
        raise ValueError("aging bucket edges cannot be negative")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("aging bucket edges must be strictly increasing")
    return edges


def bucket_bounds(edges: tuple[int, ...]) -> list[tuple[int | None, int | None]]:
    """(low, high) days overdue for each bucket. The first has low None: it also holds what is not yet due."""
    bounds: list[tuple[int | None, int | None]] = []
    low: int | None = None
    for edge in edges:
        bounds.append((low, edge))
        low = edge + 1
    bounds.append((low, None))
    return bounds


def days_overdue(due_dates: np.ndarray, as_of: date | np.datetime64) -> np.ndarray:
    """Whole days past the due date; negative when not yet due."""
    due = np.asarray(due_dates, dtype="datetime64[D]")
    return (np.datetime64(as_of, "D") - due).astype(np.int64)


def age(due_dates: np.ndarray, open_fen: np.ndarray, as_of: date | np.datetime64,
        edges: tuple[int, ...] | list[int] = DEFAULT_EDGES, items: np.ndarray | None = None) -> AgingProfile:
    """Sum the open amounts (int64 fen) per aging bucket as of `as_of`.

    Each row is one open item, or, when `items` is given, that many items already added up (a caller
    may pre-aggregate per due date); bucket item counts follow.
    """
    edges = check_edges(edges)
    amounts = np.asarray(open_fen, dtype=np.int64)
    days = days_overdue(due_dates, as_of)
    weights = np.ones_like(amounts) if items is None else np.asarray(items, dtype=np.int64)
    if not (days.shape == amounts.shape == weights.shape):
        raise ValueError(f"{days.size} due dates but {amounts.size} amounts and {weights.size} item counts")
    index = np.searchsorted(np.asarray(edges, dtype=np.int64), days, side="left")
    sums = np.zeros(len(edges) + 1, dtype=np.int64)
    np.add.at(sums, index, amounts)
    counts = np.zeros(len(edges) + 1, dtype=np.int64)
    np.add.at(counts, index, weights)
    buckets = tuple(AgingBucket(low, high, int(sums[i]), int(counts[i]))
                    for i, (low, high) in enumerate(bucket_bounds(edges)))
    return AgingProfile(buckets, overdue_fen=int(amounts[days > 0].sum()))
