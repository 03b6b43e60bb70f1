"""Checks shared by the versioned policies (monitoring, credit): each appends a problem naming the setting
instead of raising, so a policy editor sees every problem at once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


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
