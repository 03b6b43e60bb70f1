"""How each law firm does, and what each case cost: read at request time over the cases the reader may see.

- recovery rate: recovered / claim of the firm's cases;
- days to judgment: the mean days from engagement to the first-instance judgment, over the cases that have one;
- cost per yuan recovered: the costs of the firm's cases (its fees, court fees, guarantees) / recovered;
- net recovery: recovered less those costs; cases by stage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from .choices import CostKind, Stage
from .models import CaseCost, LawFirm, LegalCase, StageRecord

ZERO = Decimal("0.00")


@dataclass
class CaseMoney:
    """A case's costs by kind, and its recovery net of them."""

    costs: dict[str, Decimal]
    recovered: Decimal

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.recovered - self.total_costs


def case_money(case: LegalCase) -> CaseMoney:
    costs = {kind: ZERO for kind in CostKind.values}
    for kind, amount in case.cost_lines.values("kind").annotate(total=Sum("amount")).values_list("kind", "total"):
        costs[kind] = amount
    return CaseMoney(costs, case.recovered)


@dataclass
class FirmPerformance:
    firm: LawFirm
    cases: int = 0
    open_cases: int = 0
    claim: Decimal = ZERO
    recovered: Decimal = ZERO
    costs: Decimal = ZERO
    lawyer_fees: Decimal = ZERO
    judgments: int = 0
    judgment_days: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)

    @property
    def recovery_rate(self) -> Decimal | None:
        return (self.recovered / self.claim).quantize(Decimal("0.0001")) if self.claim else None

    @property
    def days_to_judgment(self) -> Decimal | None:
        return (Decimal(self.judgment_days) / self.judgments).quantize(Decimal("0.1")) if self.judgments else None

    @property
    def cost_per_yuan(self) -> Decimal | None:
        return (self.costs / self.recovered).quantize(Decimal("0.0001")) if self.recovered else None

    @property
    def net(self) -> Decimal:
        return self.recovered - self.costs


def firm_performance(user, firms=None) -> list[FirmPerformance]:
    """One row per firm (every firm, or `firms`), over the cases `user` may see that a firm was engaged on."""
    chosen = list(firms if firms is not None else LawFirm.objects.all())
    rows = {firm.pk: FirmPerformance(firm) for firm in chosen}
    cases = list(LegalCase.objects.for_user(user).filter(engagement__firm__in=chosen)
                 .values("pk", "stage", "principal", "interest", "liquidated_damages", "costs", "recovered",
                         "engaged_on", "engagement__firm"))
    firm_of = {c["pk"]: c["engagement__firm"] for c in cases}
    stages: dict[int, Counter] = defaultdict(Counter)
    for c in cases:
        row = rows[c["engagement__firm"]]
        row.cases += 1
        row.open_cases += c["stage"] != Stage.CLOSED
        row.claim += c["principal"] + c["interest"] + c["liquidated_damages"] + c["costs"]
        row.recovered += c["recovered"]
        stages[row.firm.pk][c["stage"]] += 1
    for case_id, kind, amount in (CaseCost.objects.filter(case_id__in=firm_of).values("case_id", "kind")
                                  .annotate(total=Sum("amount")).values_list("case_id", "kind", "total")):
        row = rows[firm_of[case_id]]
        row.costs += amount
        row.lawyer_fees += amount if kind == CostKind.LAWYER_FEE else ZERO
    engaged = {c["pk"]: c["engaged_on"] for c in cases}
    first_judgment: dict[int, object] = {}
    for case_id, day in (StageRecord.objects.filter(case_id__in=firm_of, stage=Stage.JUDGMENT)
                         .order_by("entered_on").values_list("case_id", "entered_on")):
        first_judgment.setdefault(case_id, day)
    for case_id, day in first_judgment.items():
        if engaged[case_id] and day >= engaged[case_id]:
            row = rows[firm_of[case_id]]
            row.judgments += 1
            row.judgment_days += (day - engaged[case_id]).days
    for firm_id, counted in stages.items():
        rows[firm_id].by_stage = {stage: counted[stage] for stage in Stage.values if counted[stage]}
    return [rows[firm.pk] for firm in chosen]
