"""Each demo customer's hidden reachability: the channel, weekdays and hours at which somebody answers.

A segment (the customer's industry) has a pattern; each customer keeps each part of it with chance
`KEEP` and otherwise draws its own, so the segment average helps and the customer's own history helps more.
The chance of reaching somebody is `BASE` plus a lift for the right channel, weekday and hour each.
Deterministic: seeded by the demo's seed and the segment's or customer's code. No Django here: the benchmark
(benchmarks/bench_contact_times.py) draws its contacts from the same patterns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CHANNELS = ("phone", "wecom", "email")
BASE, CHANNEL_LIFT, WEEKDAY_LIFT, HOUR_LIFT = 0.12, 0.28, 0.18, 0.3
KEEP = 0.5
WEEKDAY_SETS = ((0, 1), (1, 2, 3), (2, 3), (3, 4), (0, 4))
WORK_HOURS = range(8, 19)


@dataclass(frozen=True)
class Reachability:
    channel: str
    weekdays: tuple[int, ...]
    hours: tuple[int, int]  # from, to (to excluded)

    def chance(self, channel: str, weekday: int, hour: int) -> float:
        """The chance that a contact on `channel` on `weekday` (0 = Monday) at local `hour` reaches somebody."""
        return (BASE + CHANNEL_LIFT * (channel == self.channel) + WEEKDAY_LIFT * (weekday in self.weekdays)
                + HOUR_LIFT * (self.hours[0] <= hour < self.hours[1]))


def _draw(rng: random.Random) -> Reachability:
    start = rng.randrange(8, 16)
    return Reachability(rng.choice(CHANNELS), rng.choice(WEEKDAY_SETS), (start, start + 2))


def segment_pattern(seed: int, segment: str) -> Reachability:
    return _draw(random.Random(f"reach:{seed}:segment:{segment}"))  # noqa: S311 - demo data  # nosec B311


def pattern(seed: int, customer: str, segment: str) -> Reachability:
    """The hidden pattern of customer code `customer` in `segment`."""
    rng = random.Random(f"reach:{seed}:customer:{customer}")  # noqa: S311 - demo data  # nosec B311
    own, seg = _draw(rng), segment_pattern(seed, segment)
    return Reachability(seg.channel if rng.random() < KEEP else own.channel,
                        seg.weekdays if rng.random() < KEEP else own.weekdays,
                        seg.hours if rng.random() < KEEP else own.hours)


def attempt(rng: random.Random) -> tuple[str, int, int]:
    """A collector's untargeted try: any channel, a working weekday mostly, a working hour."""
    weekday = rng.choices(range(7), [5, 5, 5, 5, 5, 1, 1])[0]
    return rng.choice(CHANNELS), weekday, rng.choice(WORK_HOURS)
