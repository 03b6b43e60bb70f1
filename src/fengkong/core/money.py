"""Money is Decimal in the database (two places, CNY fen) and integer fen in the engine; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

MAX_DIGITS = 18
PLACES = 2
CENT = Decimal("0.01")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=PLACES, **kwargs)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(value: Decimal) -> int:
    return int(quantize(value) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def format_amount(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.2f}"


def format_money(value: Decimal | int | None, currency: str, *, functional: Decimal | None = None,
                 functional_currency: str | None = None) -> str:
    """An amount with its currency code: "USD 86.39"; with the functional amount beside it when the currency
    is another one: "USD 86.39 (CNY 613.37)". Every amount shown goes through here or format_amount + code."""
    text = f"{currency} {format_amount(value)}"
    if functional is not None and functional_currency and functional_currency != currency:
        text += f" ({functional_currency} {format_amount(functional)})"
    return text


def format_fen(fen: int, currency: str) -> str:
    """Integer fen in `currency` (the engine's amounts, in the functional currency) with the code."""
    return format_money(from_fen(int(fen)), currency)
