"""The clause analysis as the API answers it: the same JSON `fengkong contracts analyze --json` prints."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema


class ClauseOut(Schema):
    type: str = Field(description="The clause type: payment_terms, retention_of_title, … (docs/contracts.md)")
    present: bool
    text: str = Field(description="The clause as it stands in the document ('' when absent)")
    values: dict[str, Any] = Field(description="What the clause sets: days, method, rate, guarantor, venue …")


class FlagOut(Schema):
    code: str = Field(description="missing, term_too_long, term_unclear, payment_method, guarantee_kind, "
                                  "damages_low, acceptance_too_long, no_deemed_acceptance")
    clause: str
    severity: str = Field(description="high, medium or low")
    message: str = Field(description="The flag in words, in the request's language")
    text: str = Field(description="The clause the flag is about ('' when the clause is missing)")
    params: dict[str, Any]


class AnalysisOut(Schema):
    language: str = Field(description="zh or en")
    clauses: list[ClauseOut]
    flags: list[FlagOut] = Field(description="Against the grade asked for; empty without a grade")


class AnalyzeIn(Schema):
    grade: Literal["", "A", "B", "C"] = Field("", description="Flag the contract against this grade (empty: no flags)")
