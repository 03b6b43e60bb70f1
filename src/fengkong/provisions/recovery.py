"""The recovery rate of the loss rates: what closed legal cases recovered of what they claimed.

Design decisions:
- Of a defaulted receivable, the recovery rate is the share that is still recovered. Fengkong's own record of
  it is the legal case: once closed, its `recovered` against its `principal` (interest, liquidated damages
  and costs are not the receivable, so they are left out; a case recovering more than its principal counts
  as its principal). Σ min(recovered, principal) ÷ Σ principal over the cases closed within the look-back.
- Collection cases keep no recovered amount (they follow the overdue money while it is open), so they cannot
  give a rate; their recoveries show in the roll rates (collected) instead.
- With fewer closed cases than the policy's `recovery_min_cases`, the policy's `recovery_rate` is used; the
  run keeps which source gave the rate and from how many cases, and the page says so.
- Amounts are converted to the functional currency at the provision date's rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fengkong.core.money import to_fen
from fengkong.legal.choices import Stage
from fengkong.legal.models import LegalCase
from fengkong.receivables.fx import Rates

CASES, POLICY = "cases", "policy"


@dataclass(frozen=True)
class RecoveryRate:
    rate: float
    source: str         # CASES or POLICY
    cases: int          # closed legal cases within the look-back
    principal_fen: int
    recovered_fen: int


def recovery_rate(since: date, until: date, rates: Rates, policy_rate: Decimal, min_cases: int) -> RecoveryRate:
    """The rate from the legal cases closed after `since` up to `until`, or the policy's with too few."""
    closed = (LegalCase.objects.filter(stage=Stage.CLOSED, closed_on__gt=since, closed_on__lte=until, principal__gt=0)
              .values_list("principal", "recovered", "currency"))
    principal = recovered = count = 0
    for owed, got, currency in closed:
        owed_fen = to_fen(rates.to_functional(owed, currency))
        principal += owed_fen
        recovered += min(to_fen(rates.to_functional(got, currency)), owed_fen)
        count += 1
    if count < min_cases or principal <= 0:
        return RecoveryRate(float(policy_rate), POLICY, count, principal, recovered)
    return RecoveryRate(recovered / principal, CASES, count, principal, recovered)
