"""The collections policy: promise tolerances and the strategies' steps, as data checked into a frozen dataclass.

Design decisions (as the monitoring policy):
- A policy is data, versioned in the database (models.CollectionsPolicy, immutable rows); this module knows
  the defaults and how to read a config. Left-out settings take the default; unknown ones are refused.
- `parse` reports every problem it finds, each naming the setting.
- A promise is judged after its date plus `promise.tolerance_days`; what was paid counts as the whole
  promise when it falls short by at most `promise.tolerance_cny` (bank charges, rounding).
- A strategy is a list of steps (what is done, who does it, how many days to wait before the next); a
  broken promise moves a case one step up its strategy.
- A case's strategy is chosen by its segment: the credit grade of its customer, its zone, the band of its
  amount to chase (`amount_bands`, each from a lower bound) and the behaviour the collector set (short of cash,
  wilful, unknown). `segments` are tried in order and the first that matches chooses; a segment leaves out
  what it does not care about; none matching, `default_strategy`.
- An instalment plan (plans.py) needs approval at the level of its amount: `plans.approval_levels`, each up to
  an amount (the last without a bound), lowest level first; its last instalment is at most
  `plans.max_days_ahead` days away and it has at most `plans.max_instalments` instalments. Its instalments are
  judged with the promise tolerance above.
- A commercial acceptance bill (bills.py) matures at most `bills.max_term_days` after its issue (the 票据法's
  year); the night flags a held bill `bills.maturing_within_days` before its maturity.
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
BEHAVIOURS = ("unknown", "short_of_cash", "wilful")
GRADES = ("A", "B", "C", "")  # "" : not graded yet
ZONES = (0, 1, 2, 3)
SEGMENT_KEYS = ("grades", "zones", "amount_bands", "behaviours", "strategy")
PLAN_LEVELS = ("collections_manager", "risk_manager")  # choices.PlanLevel, lowest first

DEFAULT_CONFIG: dict[str, Any] = {
    "promise": {"tolerance_days": 3, "tolerance_cny": "100.00", "max_days_ahead": 90},
    "dispute_due_days": 14,
    "plans": {"max_instalments": 24, "max_days_ahead": 730,
              "approval_levels": [{"up_to_cny": "200000.00", "level": "collections_manager"},
                                  {"up_to_cny": None, "level": "risk_manager"}]},
    "bills": {"max_term_days": 365, "maturing_within_days": 15},
    "default_strategy": "standard",
    "strategies": {
        "standard": [
            {"action": "reminder_email", "owner": "collector", "wait_days": 7},
            {"action": "call", "owner": "collector", "wait_days": 7},
            {"action": "letter", "owner": "collector", "wait_days": 14},
            {"action": "final_demand", "owner": "manager", "wait_days": 14},
            {"action": "legal_referral", "owner": "legal", "wait_days": 0},
        ],
        "short_of_cash": [
            {"action": "call", "owner": "collector", "wait_days": 7},
            {"action": "instalment_offer", "owner": "collector", "wait_days": 14},
            {"action": "acceptance_bill", "owner": "collector", "wait_days": 14},
            {"action": "final_demand", "owner": "manager", "wait_days": 14},
            {"action": "legal_referral", "owner": "legal", "wait_days": 0},
        ],
        "wilful": [
            {"action": "call", "owner": "collector", "wait_days": 3},
            {"action": "final_demand", "owner": "manager", "wait_days": 7},
            {"action": "stop_supply", "owner": "manager", "wait_days": 7},
            {"action": "legal_referral", "owner": "legal", "wait_days": 0},
        ],
    },
    "amount_bands": [{"name": "small", "from_cny": "0.00"}, {"name": "medium", "from_cny": "50000.00"},
                     {"name": "large", "from_cny": "500000.00"}],
    "segments": [
        {"behaviours": ["wilful"], "strategy": "wilful"},
        {"behaviours": ["short_of_cash"], "strategy": "short_of_cash"},
    ],
}
MERGE_DEPTH = 1  # a section (promise, strategies) is replaced whole when given


@dataclass(frozen=True)
class Step:
    action: str
    owner: str
    wait_days: int


@dataclass(frozen=True)
class Segment:
    """Cases this segment chooses a strategy for; an empty tuple matches anything."""

    grades: tuple[str, ...]
    zones: tuple[int, ...]
    amount_bands: tuple[str, ...]
    behaviours: tuple[str, ...]
    strategy: str

    def matches(self, grade: str, zone: int, band: str, behaviour: str) -> bool:
        return all(not allowed or value in allowed for allowed, value in (
            (self.grades, grade), (self.zones, zone), (self.amount_bands, band), (self.behaviours, behaviour)))


@dataclass(frozen=True)
class PlanRules:
    """How long and how many instalments a plan may have, and who approves it by amount: (up to fen or None
    for the rest, level), rising."""

    max_instalments: int = 24
    max_days_ahead: int = 730
    approval_levels: tuple[tuple[int | None, str], ...] = ((20_000_000, "collections_manager"),
                                                           (None, "risk_manager"))

    def level_for(self, amount_fen: int) -> str:
        """The level that approves a plan of `amount_fen`: the first whose bound it does not pass."""
        for up_to, level in self.approval_levels:
            if up_to is None or amount_fen <= up_to:
                return level
        return self.approval_levels[-1][1]


@dataclass(frozen=True)
class BillRules:
    """Commercial acceptance bills (bills.py): the longest term from issue to maturity (票据法: at most a
    year for a commercial acceptance bill), and how many days before its maturity the night flags a bill."""

    max_term_days: int = 365
    maturing_within_days: int = 15


@dataclass(frozen=True)
class Policy:
    version: int
    tolerance_days: int
    tolerance_fen: int
    max_days_ahead: int
    dispute_due_days: int
    default_strategy: str
    strategies: dict[str, tuple[Step, ...]]

    amount_bands: tuple[tuple[str, int], ...] = (("small", 0),)
    segments: tuple[Segment, ...] = ()
    plans: PlanRules = PlanRules()
    bills: BillRules = BillRules()

    def steps(self, strategy: str) -> tuple[Step, ...]:
        return self.strategies.get(strategy) or self.strategies[self.default_strategy]

    def next_step(self, strategy: str, step: int) -> int:
        """One step up the strategy, staying on its last step."""
        return min(step + 1, len(self.steps(strategy)) - 1)

    def band(self, amount_fen: int) -> str:
        """The amount band of an amount to chase: the last band whose lower bound it reaches."""
        name = self.amount_bands[0][0]
        for band, low in self.amount_bands:
            if amount_fen >= low:
                name = band
        return name

    def strategy_for(self, *, grade: str, zone: int, amount_fen: int, behaviour: str) -> str:
        """The strategy of the first segment the case is in, else the default strategy."""
        band = self.band(amount_fen)
        for segment in self.segments:
            if segment.matches(grade or "", zone, band, behaviour or "unknown"):
                return segment.strategy
        return self.default_strategy


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
    bands = _amount_bands(full["amount_bands"], problems)
    segments = _segments(full["segments"], strategies, {name for name, _low in bands}, problems)
    plans = _plans(full["plans"], problems)
    bills = _bills(full["bills"], problems)
    if problems:
        raise PolicyInvalid(problems)
    return Policy(version, days, fen, ahead, dispute_days, default, strategies, bands, segments, plans, bills)


def _bills(value: Any, problems: list[str]) -> BillRules:
    if not isinstance(value, dict):
        problems.append("bills must be an object with max_term_days and maturing_within_days")
        return BillRules()
    problems += [f"unknown setting 'bills.{k}'" for k in value if k not in DEFAULT_CONFIG["bills"]]
    value = {**DEFAULT_CONFIG["bills"], **value}
    term = whole(value["max_term_days"], "bills.max_term_days", problems, low=1, high=366)
    within = whole(value["maturing_within_days"], "bills.maturing_within_days", problems, low=0, high=90)
    return BillRules(term, within)


def _plans(value: Any, problems: list[str]) -> PlanRules:
    if not isinstance(value, dict):
        problems.append("plans must be an object with max_instalments, max_days_ahead and approval_levels")
        return PlanRules()
    problems += [f"unknown setting 'plans.{k}'" for k in value if k not in DEFAULT_CONFIG["plans"]]
    value = {**DEFAULT_CONFIG["plans"], **value}
    count = whole(value["max_instalments"], "plans.max_instalments", problems, low=2, high=120)
    ahead = whole(value["max_days_ahead"], "plans.max_days_ahead", problems, low=30, high=3650)
    return PlanRules(count, ahead, _plan_levels(value["approval_levels"], problems))


def _plan_levels(value: Any, problems: list[str]) -> tuple[tuple[int | None, str], ...]:
    """Rising bounds, the last one null (everything above); each level higher than the one before."""
    example = '{"up_to_cny": "200000.00", "level": "collections_manager"}'
    if not isinstance(value, list) or not value:
        problems.append(f"plans.approval_levels must be a list of levels such as {example}, the last up_to_cny null")
        return PlanRules().approval_levels
    out: list[tuple[int | None, str]] = []
    for i, step in enumerate(value):
        where = f"plans.approval_levels[{i}]"
        if not isinstance(step, dict):
            problems.append(f"{where} must be an object such as {example}")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in step if k not in ("up_to_cny", "level")]
        level, last = step.get("level"), i == len(value) - 1
        if level not in PLAN_LEVELS:
            problems.append(f"{where}.level must be one of {', '.join(PLAN_LEVELS)}, not {level!r}")
        elif out and PLAN_LEVELS.index(level) <= PLAN_LEVELS.index(out[-1][1]):
            problems.append(f"{where}.level must be higher than the level before it ({out[-1][1]})")
        up_to = None
        if step.get("up_to_cny") is None:
            if not last:
                problems.append(f"{where}.up_to_cny: only the last level may have no bound (null)")
        else:
            up_to = money_fen(step.get("up_to_cny"), f"{where}.up_to_cny", problems, positive=True)
            if last:
                problems.append(f"{where}.up_to_cny must be null: the last level approves everything above")
            if out and out[-1][0] is not None and up_to <= out[-1][0]:
                problems.append(f"{where}.up_to_cny must be more than the bound before it ({out[-1][0] / 100:.2f})")
        out.append((up_to, str(level)))
    return tuple(out) or PlanRules().approval_levels


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


def _amount_bands(value: Any, problems: list[str]) -> tuple[tuple[str, int], ...]:
    """Named bands of the amount to chase, each from its lower bound: the first from 0.00, rising."""
    if not isinstance(value, list) or not value:
        problems.append('amount_bands must be a list of bands such as {"name": "small", "from_cny": "0.00"}')
        return (("small", 0),)
    out: list[tuple[str, int]] = []
    for i, band in enumerate(value):
        where = f"amount_bands[{i}]"
        if not isinstance(band, dict) or not isinstance(band.get("name"), str) or not band.get("name"):
            problems.append(f"{where} must be an object with a name and from_cny")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in band if k not in ("name", "from_cny")]
        low = money_fen(band.get("from_cny"), f"{where}.from_cny", problems)
        if any(name == band["name"] for name, _low in out):
            problems.append(f"{where}.name '{band['name']}' is used twice")
        if not out and low != 0:
            problems.append(f"{where}.from_cny must be 0.00: the first band starts at nothing owed")
        if out and low <= out[-1][1]:
            problems.append(f"{where}.from_cny must be more than the band before it ({out[-1][1] / 100:.2f})")
        out.append((band["name"], low))
    return tuple(out) or (("small", 0),)


def _segments(value: Any, strategies: dict, bands: set[str], problems: list[str]) -> tuple[Segment, ...]:
    if not isinstance(value, list):
        problems.append("segments must be a list of segments, each naming its strategy")
        return ()
    known = {"grades": GRADES, "zones": ZONES, "amount_bands": tuple(sorted(bands)), "behaviours": BEHAVIOURS}
    out = []
    for i, segment in enumerate(value):
        where = f"segments[{i}]"
        if not isinstance(segment, dict):
            problems.append(f"{where} must be an object with a strategy and any of grades, zones, amount_bands, "
                            f"behaviours")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in segment if k not in SEGMENT_KEYS]
        strategy = segment.get("strategy")
        if strategy not in strategies:
            problems.append(f"{where}.strategy {strategy!r} is not one of the strategies ({', '.join(strategies)})")
        lists = {}
        for key, allowed in known.items():
            given = segment.get(key, [])
            if not isinstance(given, list):
                problems.append(f"{where}.{key} must be a list")
                given = []
            wrong = [v for v in given if isinstance(v, bool) or v not in allowed]
            if wrong:
                shown = ", ".join(repr(v) for v in allowed)
                problems.append(f"{where}.{key}: {', '.join(repr(v) for v in wrong)} not one of {shown}")
            lists[key] = tuple(v for v in given if v not in wrong)
        out.append(Segment(lists["grades"], lists["zones"], lists["amount_bands"], lists["behaviours"],
                           str(strategy)))
    return tuple(out)
