"""Starting an import from the web: save the upload, record the batch, queue the importer.

Design decisions:
- The upload is streamed to settings.DATA_DIR / "uploads" under a random name (the user's file name is
  only displayed, never used as a path), hashing it on the way so the batch records the SHA-256.
- The batch is created (status running) and committed before the task is queued, so the worker — or
  huey's immediate mode in tests — always finds it. If the queue cannot be reached, the batch is marked
  failed with a message the user sees, instead of staying "running" forever.
- Progress is read from the cache key the importer publishes, f"import-progress:{batch.pk}".
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.integrations.choices import ImportMode, ImportStatus
from fengkong.integrations.models import ImportBatch

log = logging.getLogger(__name__)


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(upload) -> tuple[Path, str]:
    """Write the uploaded file to the uploads directory; return its path and SHA-256."""
    suffix = Path(upload.name or "").suffix.lower()[:10]
    target = uploads_dir() / f"{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return target, digest.hexdigest()


def start_import(*, actor, upload, kind: str, mapping_text: str, mode: str, dry_run: bool) -> ImportBatch:
    path, sha256 = save_upload(upload)
    batch = ImportBatch.objects.create(
        kind=kind, file_name=(upload.name or path.name)[:255], file_sha256=sha256, file_size=upload.size,
        mode=mode, dry_run=dry_run, status=ImportStatus.RUNNING, user=actor, actor_name=actor.get_username(),
    )
    try:
        from fengkong.integrations.tasks import run_import_task

        run_import_task(batch.pk, str(path), kind, actor.pk, mapping_text, dry_run,
                        mode == ImportMode.VALID_ROWS)
    except Exception:  # the queue or the importer is unreachable: say so instead of spinning forever
        log.exception("could not start import batch %s", batch.pk)
        mark_failed(batch, _("The import could not be started. Ask your administrator to check the "
                             "background worker, then upload the file again."))
    return batch


def mark_failed(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now())
    batch.refresh_from_db()


def progress_of(batch: ImportBatch) -> dict:
    """{stage, done, total, percent} as published by the importer; percent is None until a total is known."""
    raw = cache.get(f"import-progress:{batch.pk}") or {}
    done, total = int(raw.get("done") or 0), int(raw.get("total") or 0)
    percent = min(100, round(100 * done / total)) if total else None
    return {"stage": raw.get("stage") or "", "done": done, "total": total, "percent": percent}
