"""Clause analysis of a contract: text out of the document, clauses, and for each clause type whether it is
there, where, and the values it sets (engine: pure, bytes in, results out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .clauses import Clause, split_clauses
from .extract import Extracted, extract
from .kinds import TYPES, has_cue, values_of
from .model import ClauseModel, default_model
from .refusals import REFUSALS, DocumentRefused
from .text import normalise

__all__ = ["REFUSALS", "TYPES", "Analysis", "DocumentRefused", "Finding", "analyze_document", "analyze_text",
           "classify", "to_json"]
THRESHOLD = 0.5


@dataclass(frozen=True)
class Finding:
    type: str
    present: bool
    text: str = ""
    start: int | None = None       # span in Analysis.text
    end: int | None = None
    values: dict = field(default_factory=dict)
    source: str = ""               # rule | model | rule+model
    score: float = 0.0
    others: tuple[tuple[int, int], ...] = ()   # further clauses of the same type (spans)


@dataclass(frozen=True)
class Analysis:
    language: str                  # zh | en
    text: str                      # the normalised text the spans point into
    findings: tuple[Finding, ...]  # one per TYPES, in that order
    clauses: int
    kind: str = "txt"
    pages: int = 1
    encoding: str | None = None
    converted_from_traditional: bool = False

    def finding(self, kind: str) -> Finding:
        return next(f for f in self.findings if f.type == kind)


def classify(texts: Sequence[str], model: ClauseModel | None = None) -> list[dict[str, tuple[float, bool]]]:
    """Per clause text: {type: (model probability, rule cue)} for the types the rules or the model see."""
    model = model or default_model()
    probabilities = model.probabilities(list(texts))
    out = []
    for row, text in zip(probabilities, texts, strict=True):
        seen = {}
        for index, kind in enumerate(TYPES):
            cue = has_cue(kind, text)
            if cue or row[index] >= THRESHOLD:
                seen[kind] = (float(row[index]), cue)
        out.append(seen)
    return out


def analyze_text(raw: str, *, model: ClauseModel | None = None, extracted: Extracted | None = None) -> Analysis:
    normalised = normalise(raw)
    text = normalised.text
    clauses = split_clauses(text)
    per_clause = classify([c.text for c in clauses], model)
    findings = [_finding(kind, clauses, per_clause) for kind in TYPES]
    return Analysis(normalised.language, text, tuple(findings), len(clauses),
                    kind=extracted.kind if extracted else "txt", pages=extracted.pages if extracted else 1,
                    encoding=extracted.encoding if extracted else None,
                    converted_from_traditional=normalised.converted_from_traditional)


def analyze_document(data: bytes, filename: str = "", *, model: ClauseModel | None = None) -> Analysis:
    """Raises DocumentRefused (scanned or encrypted PDF, zip bomb, empty document …)."""
    extracted = extract(data, filename)
    return analyze_text(extracted.text, model=model, extracted=extracted)


def _finding(kind: str, clauses: list[Clause], per_clause: list[dict]) -> Finding:
    hits = []
    for clause, seen in zip(clauses, per_clause, strict=True):
        if kind in seen:
            probability, cue = seen[kind]
            hits.append((probability + (1.0 if cue else 0.0), clause, probability, cue))
    if not hits:
        return Finding(kind, False)
    hits.sort(key=lambda h: -h[0])
    best = hits[0]
    values = values_of(kind, best[1].text)
    if values and not any(_filled(v) for v in values.values()):
        for hit in hits[1:]:   # the best-scoring clause set no value: take the first one that does
            candidate = values_of(kind, hit[1].text)
            if any(_filled(v) for v in candidate.values()):
                best, values = hit, candidate
                break
    _, clause, probability, cue = best
    source = "rule+model" if cue and probability >= THRESHOLD else ("rule" if cue else "model")
    others = tuple((h[1].start, h[1].end) for h in hits if h[1] is not clause)
    return Finding(kind, True, clause.text, clause.start, clause.end, values, source, round(probability, 4), others)


def _filled(value: object) -> bool:
    return value not in (None, [], {}, False, "")


def to_json(analysis: Analysis, flags: Sequence[dict] = ()) -> dict:
    """The shape the CLI and the API print: language, clauses (type, present, text, values), flags."""
    return {
        "language": analysis.language,
        "clauses": [{"type": f.type, "present": f.present, "text": f.text, "values": f.values}
                    for f in analysis.findings],
        "flags": list(flags),
    }
