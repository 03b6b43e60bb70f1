"""Counter-based random draws for the ledger.

Every random number behind an invoice or a payment is a pure function of (seed, purpose, id of the
thing), computed with the SplitMix64 finaliser. No generator state is carried from one chunk to the
next, so the files are identical whatever the chunk size, and a chunk can be computed on its own.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1
_TO_UNIT = 1.0 / (1 << 53)


class Purpose(IntEnum):
    """What a draw decides; each gets its own independent stream."""

    ISSUE_DAY = 1
    AMOUNT = 2
    DISPUTE = 3
    CREDIT_NOTE = 4
    CREDIT_DAY = 5
    CREDIT_SIZE = 6
    LATE = 7
    ON_TIME_DELAY = 8
    LATE_DELAY = 9
    DOWNTURN_DELAY = 10
    DISPUTE_DELAY = 11
    INSTALMENTS = 12
    FIRST_SHARE = 13
    SECOND_SHARE = 14
    INSTALMENT_GAP = 15
    SETTLEMENT = 16


def _splitmix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _finalise(x: np.ndarray) -> np.ndarray:
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


class Draws:
    """Random numbers for a column of things identified by non-negative integer ids."""

    def __init__(self, seed: int, ids: np.ndarray):
        self.seed = seed
        self.ids = np.asarray(ids, dtype=np.uint64)

    def uniform(self, purpose: Purpose, lane: int = 0) -> np.ndarray:
        """Uniform on the open interval (0, 1)."""
        key = np.uint64(_splitmix(((self.seed & 0xFFFFFFFF) << 24) | (int(purpose) << 8) | lane))
        bits = _finalise(self.ids * _GOLDEN + key)
        return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _TO_UNIT

    def chance(self, purpose: Purpose, p: np.ndarray | float) -> np.ndarray:
        """True with probability `p` (per row or for all)."""
        return self.uniform(purpose) < p

    def normal(self, purpose: Purpose) -> np.ndarray:
        """Standard normal (Box-Muller)."""
        radius = np.sqrt(-2.0 * np.log(self.uniform(purpose, 0)))
        return radius * np.cos(2.0 * np.pi * self.uniform(purpose, 1))

    def gamma2(self, purpose: Purpose, scale: float) -> np.ndarray:
        """Gamma with shape 2: the sum of two exponentials, a right-skewed delay."""
        return -scale * np.log(self.uniform(purpose, 0) * self.uniform(purpose, 1))

    def integers(self, purpose: Purpose, low: int, high: np.ndarray | int) -> np.ndarray:
        """Integers in [low, high)."""
        return low + np.floor(self.uniform(purpose) * (np.asarray(high) - low)).astype(np.int64)
