"""State changes of integrations: starting an import from an upload (the importer itself, integrations.importer,
records each batch it runs, and is what the CLI and the task call).

Design decisions:
- `start_import` needs `integrations.run_import`. It saves the upload (integrations.uploads), then records
  the batch (status running) with its audit event `import.started` in one durable transaction, and queues
  the importer by name (task `integrations.import`, core.later) once that commits: the worker, or huey's
  immediate mode, always finds the batch.
- `save_import_source` adds or changes an import source (`integrations.add_importsource` /
  `change_importsource`, the admin's); marking one trusted lets its files change sensitive master data
  without dual review, so the event `import_source.created` / `.changed` records `trusted` before and after.
- If the queue cannot be reached, the batch is marked failed (audited `import.failed`) with a message the
  user sees, instead of staying "running" forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record, snapshot
from fengkong.core.later import task
from fengkong.core.permissions import require

from .choices import ImportMode, ImportStatus
from .models import ImportBatch, ImportSource
from .uploads import save_upload

log = logging.getLogger(__name__)


def start_import(*, actor, upload, kind: str, mapping_text: str, mode: str, dry_run: bool,
                 source: ImportSource | None = None, currency: str | None = None, preset: str | None = None,
                 create_customers: bool = False) -> ImportBatch:
    """Record a running batch for the uploaded file and hand it to the background importer. `source`:
    where the file comes from (a trusted one writes sensitive master data without dual review). `currency`:
    the currency of a file without a currency column (docs/currencies.md). `preset`, `create_customers`: as
    importer.import_file takes them (docs/import.md)."""
    require(actor, "integrations.run_import")
    importer = task("integrations.import")
    path, sha256 = save_upload(upload)
    with transaction.atomic(durable=True):
        batch = ImportBatch.objects.create(
            kind=kind, file_name=(upload.name or path.name)[:255], file_sha256=sha256, file_size=upload.size,
            mode=mode, dry_run=dry_run, status=ImportStatus.RUNNING, user=actor, actor_name=actor.get_username(),
            source=source,
        )
        record(actor, "import.started", "import_batch", batch.pk, after={
            "kind": kind, "file": batch.file_name, "sha256": sha256, "size": upload.size, "mode": mode,
            "dry_run": dry_run, "source": source.code if source else None, "preset": preset,
            "create_customers": create_customers})
        arguments = (batch.pk, str(path), kind, actor.pk, mapping_text, dry_run, mode == ImportMode.VALID_ROWS,
                     source.pk if source else None, currency, preset, create_customers)
        transaction.on_commit(lambda: _hand_over(importer, arguments))
    return batch


SOURCE_FIELDS = ("code", "name", "trusted", "note")


def save_import_source(*, actor, source: ImportSource) -> ImportSource:
    """Add or change an import source, audited; nothing is written when nothing changed."""
    adding = source._state.adding
    require(actor, "integrations.add_importsource" if adding else "integrations.change_importsource")
    source.full_clean()
    with transaction.atomic():
        stored = None if adding else ImportSource.objects.select_for_update().get(pk=source.pk)
        before = snapshot(stored, SOURCE_FIELDS) if stored is not None else None
        if before is not None and before == snapshot(source, SOURCE_FIELDS):
            return source
        source.save()
        record(actor, f"import_source.{'created' if adding else 'changed'}", "import_source", source.pk,
               before=before, after=snapshot(source, SOURCE_FIELDS))
    return source


def _hand_over(importer: Callable, arguments: tuple) -> None:
    try:
        importer(*arguments)
    except Exception:  # the queue or the importer is unreachable: say so instead of spinning forever
        log.exception("could not start import batch %s", arguments[0])
        _mark_failed(arguments[0], _("The import could not be started. Ask your administrator to check the "
                                     "background worker, then upload the file again."))


def _mark_failed(batch_id: int, message: str) -> None:
    with transaction.atomic():
        if ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.RUNNING).update(
                status=ImportStatus.FAILED, message=message, finished_at=timezone.now()):
            record(None, "import.failed", "import_batch", batch_id, after={"message": message})
