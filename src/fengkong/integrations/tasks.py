"""Background imports for the web upload: integrations.actions.start_import saves the file and a running
batch, then queues this by name ("integrations.import") once the batch commits.

The task only parses its arguments and calls the importer, which records everything on the batch.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from huey.contrib.djhuey import db_task

from fengkong.core.later import task_name

from .importer import import_file
from .mapping import parse_mapping_text
from .models import ImportBatch, ImportSource


@task_name("integrations.import")
@db_task()
def run_import_task(batch_id: int, path: str, kind: str, user_id: int | None, mapping_text: str | None,
                    dry_run: bool, valid_rows_only: bool, source_id: int | None = None,
                    currency: str | None = None, preset: str | None = None, create_customers: bool = False) -> int:
    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    mapping = _mapping(mapping_text)
    source = ImportSource.objects.filter(pk=source_id).first() if source_id else None
    import_file(Path(path), kind, actor=user, mapping=mapping, dry_run=dry_run,
                valid_rows_only=valid_rows_only, batch=batch, file_name=batch.file_name, source=source,
                currency=currency, preset=preset, create_customers=create_customers)
    return batch_id


def _mapping(text: str | None):
    """The mapping as a dict; an unreadable one is passed on as text so the importer rejects it clearly."""
    if not text or not text.strip():
        return None
    try:
        return parse_mapping_text(text)
    except Exception:
        return text
