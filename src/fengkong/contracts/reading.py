"""A document's analysis and its flags against a grade, as the JSON the CLI and the API print.

Reads the credit policy (for the grade's payment term) and nothing else; writes nothing.
"""

from __future__ import annotations

from fengkong.engine import contracts as engine
from fengkong.engine.contracts.requirements import Flag, flag

from . import policy
from .exceptions import DocumentUnreadable
from .wording import flag_json, refusal


def analyze(data: bytes, filename: str) -> engine.Analysis:
    """The engine's analysis; DocumentUnreadable (with the reason in words) when the document cannot be read."""
    try:
        return engine.analyze_document(data, filename)
    except engine.DocumentRefused as refused:
        raise DocumentUnreadable(refused.code, refusal(refused.code)) from refused


def flags_for(analysis: engine.Analysis, grade: str | None) -> list[Flag]:
    return flag(analysis.findings, policy.requirement_for(grade)) if grade else []


def report(analysis: engine.Analysis, grade: str | None) -> dict:
    """{"language", "clauses", "flags"}: the published shape; each flag has code, clause, severity,
    message (in the active language), text and params."""
    return engine.to_json(analysis, [flag_json(f) for f in flags_for(analysis, grade)])
