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
