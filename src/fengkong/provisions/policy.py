"""The provision policy: aging buckets, look-back, recovery rate, the forward-looking scenarios and the
approval levels of write-offs.

Design decisions:
- A policy is data, versioned in the database (models.ProvisionPolicy), as monitoring's policy is: a change
  is a new version, and every provision run keeps the version it was computed with.
- Rates and probabilities are given as text ("0.25") or whole numbers, never floats, so a config reads
  exactly as the finance team wrote it; `parse` reports every problem, each naming the setting.
- Scenario probabilities add up to 1 exactly.
- The recovery rate is the policy's `recovery_rate` until at least `recovery_min_cases` legal cases closed
  within the look-back (provisions.recovery): then it is what those cases recovered of their principal.
- Write-off approval levels are bands of the written-off amount (in the functional currency): each names
  how many people other than the proposer must approve (`approvers`); the last band has no upper bound.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fengkong.core.config import money_fen, whole, with_defaults
from fengkong.engine.aging import check_edges
from fengkong.engine.provisions import Scenario

from .exceptions import PolicyInvalid

DEFAULT_CONFIG: dict[str, Any] = {
    "edges": [0, 30, 60, 90, 180, 365],
    "lookback_months": 36,
    "recovery_rate": "0.10",
    "recovery_min_cases": 3,
    "scenarios": [
        {"name": "base", "probability": "0.60", "multiplier": "1.00"},
        {"name": "adverse", "probability": "0.25", "multiplier": "1.20"},
        {"name": "favourable", "probability": "0.15", "multiplier": "0.90"},
    ],
    "write_off_levels": [
        {"up_to": "100000.00", "approvers": 1},
        {"up_to": "1000000.00", "approvers": 2},
        {"up_to": None, "approvers": 3},
    ],
}


@dataclass(frozen=True)
class Level:
    """Write-offs up to `up_to_fen` (None: any amount) need `approvers` people other than the proposer."""

    up_to_fen: int | None
    approvers: int


@dataclass(frozen=True)
class Policy:
    version: int
    edges: tuple[int, ...]
    lookback_months: int
    recovery_rate: Decimal
    scenarios: tuple[Scenario, ...]
    config: dict
    write_off_levels: tuple[Level, ...] = ()
    recovery_min_cases: int = 3

    def approvers_for(self, amount_fen: int) -> int:
        """How many approvers a write-off of `amount_fen` (functional currency) needs."""
        for level in self.write_off_levels:
            if level.up_to_fen is None or amount_fen <= level.up_to_fen:
                return level.approvers
        return self.write_off_levels[-1].approvers if self.write_off_levels else 1


def defaults() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_CONFIG)


def _share(value: Any, name: str, problems: list[str], high: Decimal = Decimal(1)) -> Decimal:
    try:
        share = Decimal(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not Decimal(0) <= share <= high:
        problems.append(f"{name} must be a number from 0 to {high} written as text such as \"0.25\", not {value!r}")
        return Decimal(0)
    return share


def parse(config: Any, version: int = 0) -> Policy:
    """The policy `config` describes (left-out settings take the defaults), or PolicyInvalid listing every problem."""
    full, problems = with_defaults(config, DEFAULT_CONFIG, depth=0, what="provision policy", invalid=PolicyInvalid)
    edges: tuple[int, ...] = tuple(DEFAULT_CONFIG["edges"])
    try:
        if not isinstance(full["edges"], list) or any(isinstance(e, bool) or not isinstance(e, int)
                                                       for e in full["edges"]):
            raise ValueError("edges must be a list of whole numbers of days overdue")
        edges = check_edges(full["edges"])
        if len(edges) > 12:
            raise ValueError("at most 12 bucket edges")
    except ValueError as error:
        problems.append(f"edges: {error}")
    lookback = whole(full["lookback_months"], "lookback_months", problems, 1, 120)
    recovery = _share(full["recovery_rate"], "recovery_rate", problems)
    scenarios = []
    if not isinstance(full["scenarios"], list):
        problems.append("scenarios must be a list of {name, probability, multiplier}")
    else:
        for n, item in enumerate(full["scenarios"], start=1):
            if not isinstance(item, dict) or set(item) != {"name", "probability", "multiplier"}:
                problems.append(f"scenario {n} must have exactly name, probability and multiplier")
                continue
            probability = _share(item["probability"], f"scenario {n} probability", problems)
            multiplier = _share(item["multiplier"], f"scenario {n} multiplier", problems, Decimal(10))
            scenarios.append((str(item["name"])[:40], probability, multiplier))
        total = sum((p for _, p, _ in scenarios), Decimal(0))
        if scenarios and total != 1:
            problems.append(f"the scenario probabilities add up to {total}, not 1")
    levels = _levels(full["write_off_levels"], problems)
    min_cases = whole(full["recovery_min_cases"], "recovery_min_cases", problems, 1, 100000)
    if problems:
        raise PolicyInvalid(problems)
    return Policy(version, edges, lookback, recovery,
                  tuple(Scenario(n, float(p), float(m)) for n, p, m in scenarios), full, levels, min_cases)


def _levels(value: Any, problems: list[str]) -> tuple[Level, ...]:
    if not isinstance(value, list) or not value:
        problems.append("write_off_levels must be a list of {up_to, approvers}, the last with up_to null")
        return ()
    levels: list[Level] = []
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {"up_to", "approvers"}:
            problems.append(f"write-off level {n} must have exactly up_to and approvers")
            continue
        up_to = None if item["up_to"] is None else money_fen(item["up_to"], f"write-off level {n} up_to",
                                                             problems, positive=True)
        approvers = whole(item["approvers"], f"write-off level {n} approvers", problems, 1, 5)
        if levels and up_to is not None and levels[-1].up_to_fen is not None and up_to <= levels[-1].up_to_fen:
            problems.append(f"write-off level {n} up_to must be above level {n - 1}'s")
        if levels and levels[-1].up_to_fen is None:
            problems.append(f"write-off level {n - 1} has no upper bound, so it must be the last")
        levels.append(Level(up_to, approvers))
    if levels and levels[-1].up_to_fen is not None:
        problems.append("the last write-off level must have up_to null (any larger amount)")
    return tuple(levels)
