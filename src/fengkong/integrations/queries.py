"""Reads of imports for the pages: a running batch's progress."""

from __future__ import annotations

from django.core.cache import cache

from .importer import progress_key
from .models import ImportBatch


def progress_of(batch: ImportBatch) -> dict:
    """{stage, done, total, percent} as published by the importer; percent is None until a total is known."""
    raw = cache.get(progress_key(batch.pk)) or {}
    done, total = int(raw.get("done") or 0), int(raw.get("total") or 0)
    percent = min(100, round(100 * done / total)) if total else None
    return {"stage": raw.get("stage") or "", "done": done, "total": total, "percent": percent}
