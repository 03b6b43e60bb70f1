"""Court fees by the scale of 诉讼费用交纳办法 (State Council Order No. 481, 2007), in integer fen.

- Art. 13(1): the acceptance fee of a property case is progressive over the amount claimed, band by band
  (the first 10,000 yuan a flat 50 yuan).
- Art. 16: a case tried under the summary procedure pays half.
- Art. 14(2): an application for preservation pays by its own scale (30 yuan up to 1,000; 1% up to 100,000;
  0.5% above), at most 5,000 yuan.
- Art. 14(3): an application for a payment order pays one third of the art. 13(1) fee.
- Art. 14(1): an application for enforcement pays by its own scale (50 yuan up to 10,000, then 1.5%, 1%,
  0.5%, 0.1%).
Each band's fee is rounded half-up to the fen, then summed; a fraction (half, a third) is rounded once.
"""

from __future__ import annotations

from dataclasses import dataclass

YUAN = 100  # fen
# (upper bound of the band in yuan or None for the rest, rate in basis points of the part within the band)
ACCEPTANCE_BANDS = ((100_000, 250), (200_000, 200), (500_000, 150), (1_000_000, 100), (2_000_000, 90),
                    (5_000_000, 80), (10_000_000, 70), (20_000_000, 60), (None, 50))
ENFORCEMENT_BANDS = ((500_000, 150), (5_000_000, 100), (10_000_000, 50), (None, 10))
PRESERVATION_BANDS = ((100_000, 100), (None, 50))
ACCEPTANCE_FLAT = (10_000, 50)  # the first 10,000 yuan: 50 yuan
ENFORCEMENT_FLAT = (10_000, 50)
PRESERVATION_FLAT = (1_000, 30)
PRESERVATION_CAP = 5_000


@dataclass(frozen=True)
class FeeLine:
    """One band of a fee: the part of the amount inside it, the rate, the fee (fen)."""

    lower_fen: int
    upper_fen: int | None
    part_fen: int
    basis_points: int
    fee_fen: int


@dataclass(frozen=True)
class Fee:
    amount_fen: int
    fee_fen: int
    lines: tuple[FeeLine, ...]
    note: str = ""


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def banded(amount_fen: int, flat: tuple[int, int], bands) -> Fee:
    if amount_fen < 0:
        raise ValueError(f"the amount must not be negative, not {amount_fen} fen")
    flat_upper, flat_fee = flat[0] * YUAN, flat[1] * YUAN
    lines = [FeeLine(0, flat_upper, min(amount_fen, flat_upper), 0, flat_fee if amount_fen > 0 else 0)]
    lower = flat_upper
    for upper_yuan, bp in bands:
        if amount_fen <= lower:
            break
        upper = None if upper_yuan is None else upper_yuan * YUAN
        part = amount_fen - lower if upper is None else min(amount_fen, upper) - lower
        lines.append(FeeLine(lower, upper, part, bp, _half_up(part * bp, 10_000)))
        if upper is None:
            break
        lower = upper
    return Fee(amount_fen, sum(line.fee_fen for line in lines), tuple(lines))


def acceptance_fee(amount_fen: int, *, summary: bool = False) -> Fee:
    """Art. 13(1), halved for the summary procedure (art. 16)."""
    fee = banded(amount_fen, ACCEPTANCE_FLAT, ACCEPTANCE_BANDS)
    if not summary:
        return fee
    return Fee(amount_fen, _half_up(fee.fee_fen, 2), fee.lines, "summary procedure: half (art. 16)")


def payment_order_fee(amount_fen: int) -> Fee:
    """Art. 14(3): a third of the property-case acceptance fee."""
    fee = banded(amount_fen, ACCEPTANCE_FLAT, ACCEPTANCE_BANDS)
    return Fee(amount_fen, _half_up(fee.fee_fen, 3), fee.lines, "payment order: one third (art. 14(3))")


def preservation_fee(amount_fen: int) -> Fee:
    """Art. 14(2), at most 5,000 yuan."""
    fee = banded(amount_fen, PRESERVATION_FLAT, PRESERVATION_BANDS)
    capped = min(fee.fee_fen, PRESERVATION_CAP * YUAN)
    return Fee(amount_fen, capped, fee.lines, "capped at 5,000 yuan (art. 14(2))" if capped < fee.fee_fen else "")


def enforcement_fee(amount_fen: int) -> Fee:
    """Art. 14(1)."""
    return banded(amount_fen, ENFORCEMENT_FLAT, ENFORCEMENT_BANDS)
