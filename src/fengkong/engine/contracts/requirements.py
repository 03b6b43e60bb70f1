"""Flags: what a contract lacks or sets beyond what the customer's grade accepts (pure).

The requirement comes from the contracts policy (versioned data in the contracts app) and the grade's
payment term from the credit policy; the flags are codes with their numbers and the clause they concern, so
the app words them for a credit manager in either language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Requirement:
    grade: str
    term_days: int                               # the grade's payment term (credit policy)
    required: tuple[str, ...]                    # clause types the grade requires
    critical: tuple[str, ...] = ()               # of those, the ones whose absence is a high flag
    guarantee_kinds: tuple[str, ...] = ()        # accepted kinds (empty: any)
    refused_methods: tuple[str, ...] = ()        # payment methods not accepted
    min_damages_share: float | None = None       # liquidated damages as % of the price, at least
    max_acceptance_days: int | None = None
    deemed_acceptance: bool = False              # an acceptance clause must deem acceptance after its period


@dataclass(frozen=True)
class Flag:
    code: str          # missing | term_too_long | term_unclear | guarantee_kind | payment_method | damages_low
                       # | acceptance_too_long | no_deemed_acceptance
    clause: str        # the clause type concerned
    severity: str      # high | medium | low
    params: Mapping[str, object]
    text: str = ""     # the clause text the flag is about ("" when the clause is missing)


def flag(findings, requirement: Requirement) -> list[Flag]:
    """`findings`: the analysis' findings (objects with type, present, text, values)."""
    by_type = {f.type: f for f in findings}
    flags: list[Flag] = []
    for kind in requirement.required:
        if not by_type[kind].present:
            severity = "high" if kind in requirement.critical else "medium"
            flags.append(Flag("missing", kind, severity, {"grade": requirement.grade}))
    payment = by_type["payment_terms"]
    if payment.present:
        days = payment.values.get("days")
        if days is None:
            flags.append(Flag("term_unclear", "payment_terms", "medium", {"term_days": requirement.term_days},
                              payment.text))
        elif days > requirement.term_days:
            flags.append(Flag("term_too_long", "payment_terms", "high",
                              {"days": days, "term_days": requirement.term_days, "grade": requirement.grade},
                              payment.text))
        refused = [m for m in payment.values.get("method", []) if m in requirement.refused_methods]
        if refused:
            flags.append(Flag("payment_method", "payment_terms", "medium",
                              {"methods": refused, "grade": requirement.grade}, payment.text))
    guarantee = by_type["guarantee"]
    if guarantee.present and requirement.guarantee_kinds:
        kinds = guarantee.values.get("kind", [])
        if kinds and not set(kinds) & set(requirement.guarantee_kinds):
            flags.append(Flag("guarantee_kind", "guarantee", "high",
                              {"kinds": kinds, "accepted": list(requirement.guarantee_kinds),
                               "grade": requirement.grade}, guarantee.text))
    damages = by_type["liquidated_damages"]
    share = damages.values.get("share_of_price") if damages.present else None
    if share is not None and requirement.min_damages_share is not None and share < requirement.min_damages_share:
        flags.append(Flag("damages_low", "liquidated_damages", "low",
                          {"share": share, "minimum": requirement.min_damages_share}, damages.text))
    acceptance = by_type["acceptance_period"]
    if acceptance.present:
        days = acceptance.values.get("days")
        if days is not None and requirement.max_acceptance_days is not None and days > requirement.max_acceptance_days:
            flags.append(Flag("acceptance_too_long", "acceptance_period", "medium",
                              {"days": days, "maximum": requirement.max_acceptance_days}, acceptance.text))
        if requirement.deemed_acceptance and not acceptance.values.get("deemed_acceptance"):
            flags.append(Flag("no_deemed_acceptance", "acceptance_period", "medium", {}, acceptance.text))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(flags, key=lambda f: order[f.severity])
