"""Starting an import from an upload is an action: refused without integrations.run_import, the batch is
recorded with its audit event, the importer is queued by name once that commits, and a queue that cannot
be reached fails the batch with a message instead of leaving it running."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fengkong.accounts.choices import Role
from fengkong.core import later as background
from fengkong.core.models import AuditEvent
from fengkong.integrations.actions import start_import
from fengkong.integrations.models import ImportBatch

pytestmark = pytest.mark.django_db

CONTENT = "单据编号,客户编码,单据日期,到期日,金额\nUP0001,C000001,2026-10-01,2026-10-31,100.00\n".encode()


def start(actor, **options):
    return start_import(actor=actor, upload=SimpleUploadedFile("应收.csv", CONTENT, "text/csv"), kind="invoices",
                        mapping_text="", mode=options.pop("mode", "all"), dry_run=options.pop("dry_run", False))


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setitem(background.TASKS, "integrations.import", lambda *args: calls.append(args))
    return calls


def test_the_upload_start_is_audited_and_queues_the_importer_after_commit(users, queued,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(users[Role.FINANCE], mode="valid")
        assert queued == []  # not before the batch is committed
    event = AuditEvent.objects.get(action="import.started")
    assert (event.actor, event.object_type, event.object_id) == (users[Role.FINANCE], "import_batch", str(batch.pk))
    assert event.after["file"] == "应收.csv" and event.after["size"] == len(CONTENT) and event.after["mode"] == "valid"
    assert batch.status == "running" and len(queued) == 1
    batch_id, _path, kind, user_id, _mapping, dry_run, valid_rows_only, source_id, currency, preset, create = queued[0]
    assert source_id is None and currency is None  # no source named: sensitive changes are held; no currency said
    assert preset is None and create is False  # no preset named (the importer may detect one); no customers made
    assert (batch_id, kind, user_id, dry_run, valid_rows_only) == (batch.pk, "invoices", users[Role.FINANCE].pk,
                                                                   False, True)


def test_a_user_without_the_import_permission_is_refused_and_nothing_is_recorded(users, queued):
    for persona in (Role.AUDITOR, Role.COLLECTOR):  # the auditor reads the history, may not import
        with pytest.raises(PermissionDenied):
            start(users[persona])
    assert not ImportBatch.objects.exists() and not AuditEvent.objects.exists() and queued == []


def test_a_queue_that_cannot_be_reached_fails_the_batch_with_a_message(users, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    def unreachable(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setitem(background.TASKS, "integrations.import", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(users[Role.FINANCE])
    batch.refresh_from_db()
    assert batch.status == "failed" and "could not be started" in batch.message
    assert batch.finished_at is not None
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == ["import.started",
                                                                                        "import.failed"]
