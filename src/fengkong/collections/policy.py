"""The collections policy: promise tolerances and the strategies' steps, as data checked into a frozen dataclass.

Design decisions (as the monitoring policy):
- A policy is data, versioned in the database (models.CollectionsPolicy, immutable rows); this module knows
  the defaults and how to read a config. Left-out settings take the default; unknown ones are refused.
- `parse` reports every problem it finds, each naming the setting.
- A promise is judged after its date plus `promise.tolerance_days`; what was paid counts as the whole
  promise when it falls short by at most `promise.tolerance_cny` (bank charges, rounding).
- A strategy is a list of steps (what is done, who does it, how many days to wait before the next); a
  broken promise moves a case one step up its strategy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from fengkong.core import config as config_module
from fengkong.core.config import money_fen, whole

from .exceptions import PolicyInvalid

STEP_ACTIONS = ("reminder_email", "call", "letter", "final_demand", "instalment_offer", "acceptance_bill",
                "stop_supply", "legal_referral")
STEP_OWNERS = ("collector", "manager", "legal")

DEFAULT_CONFIG: dict[str, Any] = {
    "promise": {"tolerance_days": 3, "tolerance_cny": "100.00", "max_days_ahead": 90},
    "dispute_due_days": 14,
    "default_strategy": "standard",
    "strategies": {
        "standard": [
            {"action": "reminder_email", "owner": "collector", "wait_days": 7},
            {"action": "call", "owner": "collector", "wait_days": 7},
            {"action": "letter", "owner": "collector", "wait_days": 14},
            {"action": "final_demand", "owner": "manager", "wait_days": 14},
            {"action": "legal_referral", "owner": "legal", "wait_days": 0},
        ],
    },
}
MERGE_DEPTH = 1  # a section (promise, strategies) is replaced whole when given


@dataclass(frozen=True)
class Step:
    action: str
    owner: str
    wait_days: int


@dataclass(frozen=True)
class Policy:
    version: int
    tolerance_days: int
    tolerance_fen: int
    max_days_ahead: int
    dispute_due_days: int
    default_strategy: str
    strategies: dict[str, tuple[Step, ...]]

    def steps(self, strategy: str) -> tuple[Step, ...]:
        return self.strategies.get(strategy) or self.strategies[self.default_strategy]

    def next_step(self, strategy: str, step: int) -> int:
        """One step up the strategy, staying on its last step."""
        return min(step + 1, len(self.steps(strategy)) - 1)


def defaults() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_CONFIG)


def merged(config: dict[str, Any] | None) -> dict[str, Any]:
    return config_module.merged(DEFAULT_CONFIG, config, depth=MERGE_DEPTH)


def parse(config: dict[str, Any] | None, version: int = 0) -> Policy:
    """Check a config (defaults filled in) and return the policy, or raise PolicyInvalid with every problem."""
    full, problems = config_module.with_defaults(config, DEFAULT_CONFIG, depth=MERGE_DEPTH, what="policy",
                                                 invalid=PolicyInvalid)
    promise = full["promise"] if isinstance(full["promise"], dict) else {}
    if not isinstance(full["promise"], dict):
        problems.append("promise must be an object with tolerance_days, tolerance_cny and max_days_ahead")
    problems += [f"unknown setting 'promise.{k}'" for k in promise if k not in DEFAULT_CONFIG["promise"]]
    promise = {**DEFAULT_CONFIG["promise"], **promise}
    days = whole(promise["tolerance_days"], "promise.tolerance_days", problems, low=0, high=60)
    fen = money_fen(promise["tolerance_cny"], "promise.tolerance_cny", problems)
    ahead = whole(promise["max_days_ahead"], "promise.max_days_ahead", problems, low=1, high=730)
    dispute_days = whole(full["dispute_due_days"], "dispute_due_days", problems, low=1, high=365)
    strategies = _strategies(full["strategies"], problems)
    default = full["default_strategy"]
    if default not in strategies:
        problems.append(f"default_strategy '{default}' is not one of the strategies ({', '.join(strategies)})")
    if problems:
        raise PolicyInvalid(problems)
    return Policy(version, days, fen, ahead, dispute_days, default, strategies)


def _strategies(value: Any, problems: list[str]) -> dict[str, tuple[Step, ...]]:
    if not isinstance(value, dict) or not value:
        problems.append("strategies must be an object of named lists of steps")
        return {}
    out = {}
    for name, steps in value.items():
        if not isinstance(steps, list) or not steps:
            problems.append(f"strategies.{name} must be a list of at least one step")
            continue
        parsed = []
        for i, step in enumerate(steps):
            where = f"strategies.{name}[{i}]"
            if not isinstance(step, dict):
                problems.append(f"{where} must be an object with action, owner and wait_days")
                continue
            problems += [f"unknown setting '{where}.{k}'" for k in step if k not in ("action", "owner", "wait_days")]
            action, owner = step.get("action"), step.get("owner", "collector")
            if action not in STEP_ACTIONS:
                problems.append(f"{where}.action must be one of {', '.join(STEP_ACTIONS)}, not {action!r}")
            if owner not in STEP_OWNERS:
                problems.append(f"{where}.owner must be one of {', '.join(STEP_OWNERS)}, not {owner!r}")
            wait = whole(step.get("wait_days", 0), f"{where}.wait_days", problems, low=0, high=365)
            parsed.append(Step(str(action), str(owner), wait))
        out[str(name)] = tuple(parsed)
    return out
