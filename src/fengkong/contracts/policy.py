"""The requirement a grade puts on a contract: the contracts policy (defaults.CLAUSE_POLICY) joined to the
credit policy's payment term for the grade."""

from __future__ import annotations

from decimal import Decimal

from fengkong.credit import policy as credit_policy
from fengkong.credit.choices import Grade
from fengkong.engine.contracts.requirements import Requirement

from .defaults import CHECKLIST_POLICY, CLAUSE_POLICY


def version() -> int:
    return CLAUSE_POLICY["version"]


def requirement_for(grade: str) -> Requirement:
    if grade not in Grade.values:
        raise ValueError(f"unknown grade {grade!r}: use one of {', '.join(Grade.values)}")
    rules = CLAUSE_POLICY["grades"][grade]
    term_days = credit_policy.current().terms[grade].term_days
    return Requirement(grade=grade, term_days=term_days, required=tuple(rules["required"]),
                       critical=tuple(rules["critical"]), guarantee_kinds=tuple(rules["guarantee_kinds"]),
                       refused_methods=tuple(rules["refused_methods"]),
                       min_damages_share=rules["min_damages_share"],
                       max_acceptance_days=rules["max_acceptance_days"],
                       deemed_acceptance=rules["deemed_acceptance"])


def approval_permission(value: Decimal) -> str:
    """The permission an approver of a contract of this value needs."""
    for step in CLAUSE_POLICY["approval"]:
        if step["up_to"] is None or value <= step["up_to"]:
            return step["permission"]
    raise AssertionError("the last approval step has no bound")


def checklist_version() -> int:
    return CHECKLIST_POLICY["version"]


def checklist_for(grade: str, value: Decimal) -> list[str]:
    """The due-diligence items a contract of this value with a customer of this grade needs, in order.
    A customer without a grade yet is treated as C (the strictest)."""
    grade = grade or "C"
    return [item["code"] for item in CHECKLIST_POLICY["items"]
            if grade in item["grades"] or (item["from_value"] is not None and value >= item["from_value"])]
