"""Reads of the contract register, always through core.permissions.scope."""

from __future__ import annotations

from django.db.models import QuerySet

from fengkong.core.permissions import scope

from .models import Contract


def visible_contracts(user) -> QuerySet:
    return scope(Contract.objects.select_related("customer"), user)


def marked_text(text: str, findings: list[dict]) -> list[dict]:
    """The document text cut into pieces, each with the clause type it belongs to (or ''), for highlighting.
    Overlapping spans: the first found wins."""
    spans = sorted((f["start"], f["end"], f["type"]) for f in findings if f.get("present") and f.get("start") is not None)
    pieces, pos = [], 0
    for start, end, kind in spans:
        if start < pos:
            continue
        if start > pos:
            pieces.append({"text": text[pos:start], "type": ""})
        pieces.append({"text": text[start:end], "type": kind})
        pos = end
    if pos < len(text):
        pieces.append({"text": text[pos:], "type": ""})
    return pieces
