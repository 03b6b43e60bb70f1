"""What a law firm may invoice on one case under its fee arrangement, in integer fen.

An arrangement is the sum of up to three parts: a fixed fee per case, an hourly rate, and a contingency
share of what was recovered (a fixed, hourly or contingency arrangement has one part; a mixed one several).
What the firm may still invoice is, part by part, what the arrangement gives less what was invoiced on
that part before: the fixed fee once, the hours the invoice states at the rate, the share of the recoveries
to date. An invoice is allotted to the parts in that order (fixed, hourly, contingency), so a later invoice
knows what an earlier one took of each.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARE_SCALE = 10_000  # a contingency share in basis points: 1500 = 15%


@dataclass(frozen=True)
class Arrangement:
    fixed_fen: int = 0
    hourly_rate_fen: int = 0
    share_bp: int = 0  # basis points of the recoveries


@dataclass(frozen=True)
class Invoiced:
    """What earlier invoices on the case took of each part."""

    fixed_fen: int = 0
    hourly_fen: int = 0
    contingency_fen: int = 0


@dataclass(frozen=True)
class Allowed:
    """What the arrangement gives for one invoice, part by part, and in all."""

    fixed_fen: int
    hourly_fen: int
    contingency_fen: int
    recovered_fen: int
    hours_centi: int

    @property
    def total_fen(self) -> int:
        return self.fixed_fen + self.hourly_fen + self.contingency_fen


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def allowed(arrangement: Arrangement, *, hours_centi: int, recovered_fen: int, before: Invoiced) -> Allowed:
    """What may be invoiced now for `hours_centi` hundredths of an hour, with `recovered_fen` recovered on
    the case so far and `before` invoiced already. Never negative: a part invoiced in full gives 0."""
    share = _half_up(recovered_fen * arrangement.share_bp, SHARE_SCALE)
    return Allowed(fixed_fen=max(arrangement.fixed_fen - before.fixed_fen, 0),
                   hourly_fen=_half_up(hours_centi * arrangement.hourly_rate_fen, 100),
                   contingency_fen=max(share - before.contingency_fen, 0),
                   recovered_fen=recovered_fen, hours_centi=hours_centi)


def allot(amount_fen: int, limit: Allowed) -> Invoiced:
    """Split an accepted invoice of `amount_fen` (at most limit.total_fen) over the parts, fixed first."""
    fixed = min(amount_fen, limit.fixed_fen)
    hourly = min(amount_fen - fixed, limit.hourly_fen)
    return Invoiced(fixed_fen=fixed, hourly_fen=hourly, contingency_fen=amount_fen - fixed - hourly)
