"""The monitoring policy: the article's defaults (§4), and a config checked into a frozen dataclass.

Design decisions:
- A policy is data, versioned in the database (models.MonitoringPolicy); this module only knows the
  defaults and how to read a config. A config may leave settings out: they take the default, so
  publishing `{"zones": {"danger": 120}}` changes one threshold. Unknown settings are refused, so a
  typo never silently falls back to a default.
- `parse` reports every problem it finds, each naming the setting, not only the first.
- Money is given in yuan (CNY) as text or number with at most two decimals and kept as integer fen.
- Each rule has `enabled` and a list of `actions`; any action may be attached to any rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from fengkong.core import config as config_module
from fengkong.core.config import money_fen as _money
from fengkong.core.config import whole as _whole
from fengkong.engine.book import ZoneThresholds

from .choices import AlertKind
from .exceptions import PolicyInvalid

ACTIONS = {
    "customer_reminder": "email reminder to the customer's primary contact, listing the overdue invoices",
    "collector_notice": "notice to the collectors of the customer's portfolio",
    "phone_call": "phone-call task for a collector of the portfolio",
    "reminder_letter": "written reminder letter (DOCX) generated for the collector",
    "legal_referral": "legal-recovery referral task for the legal officers",
    "stop_supply": "stop-supply flag, visible to sales and supply chain",
    "notify_sales": "message to the sales staff of the portfolio",
    "notify_legal": "message to the legal officers",
    "notify_manager": "message to the risk managers",
    "notify_collector": "message to the collectors of the portfolio",
}

DEFAULT_CONFIG: dict[str, Any] = {
    "zones": {"attention": 30, "warning": 60, "danger": 90},
    "report_edges": [0, 30, 60, 90, 180, 365],
    "materiality_cny": "100.00",
    "large_overdue_cny": "500000.00",
    "utilisation": {"attention_percent": 90, "exceeded_percent": 100},
    "escalation_days": 3,
    "stale_run_minutes": 30,
    "rules": {
        AlertKind.ZONE_ATTENTION.value: {"enabled": True, "actions": ["customer_reminder", "collector_notice"]},
        AlertKind.ZONE_WARNING.value: {"enabled": True, "actions": ["phone_call", "reminder_letter"]},
        AlertKind.ZONE_DANGER.value: {"enabled": True, "actions": ["legal_referral", "stop_supply"]},
        AlertKind.LARGE_OVERDUE.value: {"enabled": True, "actions": ["notify_manager"]},
        AlertKind.UTILISATION_90.value: {"enabled": True, "actions": ["notify_sales"]},
        AlertKind.UTILISATION_100.value: {"enabled": True, "actions": ["notify_sales", "notify_manager"]},
        AlertKind.GRADE_DOWNGRADE.value: {"enabled": True, "actions": ["notify_manager"]},
        AlertKind.ESCALATION.value: {"enabled": True, "actions": ["notify_manager"]},
        AlertKind.PROMISE_BROKEN.value: {"enabled": True, "actions": ["notify_collector"]},
        # a collection strategy reaching its stop-supply or legal-referral step (collections.strategies)
        AlertKind.STRATEGY_STOP_SUPPLY.value: {"enabled": True, "actions": ["stop_supply"]},
        AlertKind.STRATEGY_LEGAL.value: {"enabled": True, "actions": ["legal_referral"]},
        # an acceptance bill dishonoured (collections.bills): on the alert list and the case, no message yet
        AlertKind.BILL_DISHONOURED.value: {"enabled": True, "actions": []},
    },
}
REPORT_BUCKETS = 7  # the snapshot tables have seven bucket columns
MERGE_DEPTH = 2  # policy > a section (zones, rules) > a rule's settings


@dataclass(frozen=True)
class Rule:
    enabled: bool
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    version: int
    attention_days: int
    warning_days: int
    danger_days: int
    report_edges: tuple[int, ...]
    materiality_fen: int
    large_overdue_fen: int
    utilisation_attention_percent: Decimal
    utilisation_exceeded_percent: Decimal
    escalation_days: int
    stale_run_minutes: int
    rules: MappingProxyType

    def rule(self, kind: str) -> Rule:
        return self.rules[str(kind)]

    def acts(self, kind: str, action: str) -> bool:
        rule = self.rule(kind)
        return rule.enabled and action in rule.actions

    def thresholds(self):
        return ZoneThresholds(attention=self.attention_days, warning=self.warning_days, danger=self.danger_days)


def defaults() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_CONFIG)


def merged(config: dict[str, Any] | None) -> dict[str, Any]:
    """The config with every left-out setting taken from the defaults (one level deep, rules by name)."""
    return config_module.merged(DEFAULT_CONFIG, config, depth=MERGE_DEPTH)


def parse(config: dict[str, Any] | None, version: int = 0) -> Policy:
    """Check a config (defaults filled in) and return the policy, or raise PolicyInvalid with every problem."""
    full, problems = config_module.with_defaults(config, DEFAULT_CONFIG, depth=MERGE_DEPTH, what="policy",
                                                 invalid=PolicyInvalid)
    zones = _zones(full["zones"], problems)
    edges = _edges(full["report_edges"], problems)
    materiality = _money(full["materiality_cny"], "materiality_cny", problems)
    large = _money(full["large_overdue_cny"], "large_overdue_cny", problems, positive=True)
    attention_pct, exceeded_pct = _utilisation(full["utilisation"], problems)
    escalation = _whole(full["escalation_days"], "escalation_days", problems, low=1, high=365)
    stale = _whole(full["stale_run_minutes"], "stale_run_minutes", problems, low=1, high=24 * 60)
    rules = _rules(full["rules"], problems)
    if problems:
        raise PolicyInvalid(problems)
    return Policy(version, *zones, edges, materiality, large, attention_pct, exceeded_pct, escalation, stale,
                  MappingProxyType(rules))




def _zones(zones: Any, problems: list[str]) -> tuple[int, int, int]:
    if not isinstance(zones, dict):
        problems.append("zones must be an object with attention, warning and danger days")
        return 30, 60, 90
    problems += [f"unknown zone '{name}' (zones are attention, warning, danger)"
                 for name in zones if name not in ("attention", "warning", "danger")]
    days = [_whole(zones.get(name), f"zones.{name}", problems, low=1, high=3650)
            for name in ("attention", "warning", "danger")]
    if not (days[0] < days[1] < days[2]):
        problems.append(f"zone days must increase: attention < warning < danger (got {days[0]}, {days[1]}, "
                        f"{days[2]})")
    return days[0], days[1], days[2]


def _edges(edges: Any, problems: list[str]) -> tuple[int, ...]:
    count = REPORT_BUCKETS - 1
    if not isinstance(edges, list) or len(edges) != count or not all(
            isinstance(e, int) and not isinstance(e, bool) for e in edges):
        problems.append(f"report_edges must be a list of {count} whole numbers of days, e.g. [0, 30, 60, 90, 180, 365]")
        return tuple(DEFAULT_CONFIG["report_edges"])
    if edges[0] != 0:
        problems.append("report_edges must start at 0 (the first bucket holds what is not yet overdue)")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        problems.append("report_edges must be strictly increasing")
    return tuple(edges)




def _utilisation(value: Any, problems: list[str]) -> tuple[Decimal, Decimal]:
    if not isinstance(value, dict):
        problems.append("utilisation must be an object with attention_percent and exceeded_percent")
        return Decimal(90), Decimal(100)
    problems += [f"unknown utilisation setting '{name}'" for name in value
                 if name not in ("attention_percent", "exceeded_percent")]
    out = []
    for name in ("attention_percent", "exceeded_percent"):
        raw = value.get(name)
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            problems.append(f"utilisation.{name} must be a percentage such as 90, not {raw!r}")
            out.append(Decimal(0))
            continue
        try:
            pct = Decimal(str(raw))
        except InvalidOperation:
            problems.append(f"utilisation.{name} must be a percentage such as 90, not {raw!r}")
            pct = Decimal(0)
        if not (0 < pct <= 1000):
            problems.append(f"utilisation.{name} must be above 0 and at most 1000 %, not {raw}")
        out.append(pct)
    if out[0] >= out[1]:
        problems.append("utilisation.attention_percent must be below utilisation.exceeded_percent")
    return out[0], out[1]


def _rules(rules: Any, problems: list[str]) -> dict[str, Rule]:
    if not isinstance(rules, dict):
        problems.append("rules must be an object keyed by alert kind")
        return {}
    out = {}
    for name, rule in rules.items():
        if name not in AlertKind.values:
            problems.append(f"unknown rule '{name}' (rules are {', '.join(AlertKind.values)})")
            continue
        if not isinstance(rule, dict):
            problems.append(f"rules.{name} must be an object with enabled and actions")
            continue
        problems += [f"unknown setting 'rules.{name}.{key}'" for key in rule if key not in ("enabled", "actions")]
        enabled, actions = rule.get("enabled"), rule.get("actions")
        if not isinstance(enabled, bool):
            problems.append(f"rules.{name}.enabled must be true or false, not {enabled!r}")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            problems.append(f"rules.{name}.actions must be a list of action names")
            actions = []
        unknown = [a for a in actions if a not in ACTIONS]
        if unknown:
            problems.append(f"rules.{name}.actions: unknown action(s) {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(ACTIONS))})")
        out[name] = Rule(bool(enabled), tuple(dict.fromkeys(actions)))
    return out
