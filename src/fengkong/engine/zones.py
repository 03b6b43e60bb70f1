"""The four monitoring zones of an open item (article §4): normal, attention, warning, danger.

Design decisions:
- A zone is fixed by days overdue alone, with thresholds that are *inclusive* lower bounds: by default an
  item 30 days overdue is in attention, 60 in warning, 90 in danger; anything below 30 (including what is
  not yet due) is normal. The thresholds are configuration (`ZoneThresholds`), not constants.
- Zones are small integer codes (int8, 0..3, in the order of `ZONES`) so that millions of items fit in a
  few megabytes and compare with `>=`; the words are for the UI to translate.
- A customer's zone is the zone of its worst (most overdue) open item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

ZONES: tuple[str, ...] = ("normal", "attention", "warning", "danger")
NORMAL, ATTENTION, WARNING, DANGER = range(4)

# A lookup table turns days into a bucket index with one clip and one gather, several times faster than a
# binary search; past this width (edges of tens of years) the binary search is used instead.
_MAX_TABLE_WIDTH = 1 << 14


@dataclass(frozen=True)
class ZoneThresholds:
    """Days overdue at which an item enters attention, warning and danger (each bound inclusive)."""

    attention: int = 30
    warning: int = 60
    danger: int = 90

    def __post_init__(self) -> None:
        values = (self.attention, self.warning, self.danger)
        if any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in values):
            raise ValueError(f"zone thresholds must be whole numbers of days, got {values}")
        if self.attention <= 0:
            raise ValueError(f"the attention threshold must be a positive number of days overdue, "
                             f"got {self.attention}")
        if not self.attention < self.warning < self.danger:
            raise ValueError(f"zone thresholds must be strictly increasing (attention < warning < danger), "
                             f"got {self.attention}, {self.warning}, {self.danger}")

    def as_tuple(self) -> tuple[int, int, int]:
        return int(self.attention), int(self.warning), int(self.danger)


DEFAULT_THRESHOLDS = ZoneThresholds()


def count_edges_below(days: np.ndarray, edges: tuple[int, ...]) -> np.ndarray:
    """For each day count, how many edges are strictly below it (`np.searchsorted(edges, days)`), as int64.

    With aging edges this is the bucket index (a bucket holds days up to and including its edge).
    """
    first, last = edges[0], edges[-1]
    if last - first + 2 > _MAX_TABLE_WIDTH:
        return np.searchsorted(np.asarray(edges, dtype=np.int64), days, side="left").astype(np.int64)
    table = np.searchsorted(np.asarray(edges, dtype=np.int64), np.arange(first, last + 2), side="left")
    clipped = np.clip(days, first, last + 1)
    clipped -= clipped.dtype.type(first)
    return table.astype(np.int64)[clipped]


def zone_of_days(days: np.ndarray, thresholds: ZoneThresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Zone code (int8) of each number of days overdue."""
    # an item is in zone z when days >= threshold z, i.e. when threshold z - 1 is strictly below days
    edges = tuple(t - 1 for t in thresholds.as_tuple())
    return count_edges_below(np.asarray(days), edges).astype(np.int8)


def days_overdue_int32(due_dates: np.ndarray, as_of: date | np.datetime64) -> np.ndarray:
    """Whole days past due as int32 (negative = not yet due), in one vectorised subtraction.

    ValueError when a due date is missing (NaT): an open item without a due date cannot be aged.
    """
    due = np.asarray(due_dates)
    if due.dtype != np.dtype("datetime64[D]"):
        due = due.astype("datetime64[D]")
    raw = due.view(np.int64)
    if raw.size and raw.min() == np.iinfo(np.int64).min:
        raise ValueError(f"{int(np.isnat(due).sum())} open items have no due date (NaT)")
    today = np.datetime64(as_of, "D").astype(np.int64)
    return np.subtract(today, raw, dtype=np.int32, casting="unsafe")


def item_zones(due_dates: np.ndarray, as_of: date | np.datetime64,
               thresholds: ZoneThresholds = DEFAULT_THRESHOLDS) -> tuple[np.ndarray, np.ndarray]:
    """Per open item: days overdue (int32, negative = not yet due) and zone code (int8)."""
    days = days_overdue_int32(due_dates, as_of)
    return days, zone_of_days(days, thresholds)
