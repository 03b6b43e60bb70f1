"""What the versioned policies (monitoring, credit) share: a config laid over the defaults, and checks that
each append a problem naming the setting instead of raising, so a policy editor sees every problem at once."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any


def merged(defaults: dict[str, Any], config: dict[str, Any] | None, depth: int) -> dict[str, Any]:
    """`defaults` with `config` laid over it: a setting left out keeps its default. An object (dict) given
    where the default is one too is merged setting by setting, down to `depth` levels below this one; below
    that, and for anything else, the given value replaces the default (a list of bands is never merged)."""
    full = copy.deepcopy(defaults)
    _lay_over(full, config or {}, depth)
    return full


def _lay_over(target: dict[str, Any], config: dict[str, Any], depth: int) -> None:
    for key, value in config.items():
        if depth > 0 and isinstance(value, dict) and isinstance(target.get(key), dict):
            _lay_over(target[key], value, depth - 1)
        else:
            target[key] = copy.deepcopy(value)


def with_defaults(config: Any, defaults: dict[str, Any], *, depth: int, what: str,
                  invalid: Callable[[list[str]], Exception]) -> tuple[dict[str, Any], list[str]]:
    """The start of parsing a policy config: the config merged with the defaults (see `merged`), and the
    problems found so far (settings the defaults do not know). A config that is not an object raises
    `invalid` at once: nothing else can be checked."""
    if config is not None and not isinstance(config, dict):
        raise invalid([f"the {what} must be a JSON object of settings"])
    full = merged(defaults, config, depth)
    return full, [f"unknown setting '{key}'" for key in full if key not in defaults]


def whole(value: Any, name: str, problems: list[str], low: int, high: int) -> int:
    """A whole number between low and high (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{name} must be a whole number, not {value!r}")
        return low
    if not low <= value <= high:
        problems.append(f"{name} must be between {low} and {high}, not {value}")
    return value


def money_fen(value: Any, name: str, problems: list[str], positive: bool = False, example: str = "100.00") -> int:
    """An amount in yuan given as text or an integer (never a float), at most two decimals; returns fen."""
    try:
        amount = Decimal(str(value)) if value is not None and not isinstance(value, bool | float) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        problems.append(f"{name} must be an amount in yuan such as \"{example}\", not {value!r}")
        return 0
    if amount.as_tuple().exponent < -2:
        problems.append(f"{name} has more than two decimals: {value}")
    if amount < 0 or (positive and amount == 0):
        problems.append(f"{name} must be {'more than' if positive else 'at least'} 0, not {value}")
    return int(amount * 100)
