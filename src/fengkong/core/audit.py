"""Writing and verifying the hash-chained audit trail (see core.models.AuditEvent)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    raise TypeError(f"cannot audit a {type(value).__name__}")


def jsonable(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what the database stores."""
    return None if value is None else json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def event_hash(prev_hash: str, seq: int, at: datetime, actor_name: str, action: str, object_type: str,
               object_id: str, before: Any, after: Any) -> str:
    body = json.dumps(
        [prev_hash, seq, at.isoformat(timespec="microseconds"), actor_name, action, object_type, object_id,
         before, after],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One thing that happened, before it is chained."""

    action: str
    object_type: str
    object_id: str = ""
    before: Any = None
    after: Any = None


def record(actor, action: str, object_type: str, object_id: Any = "", *, before: Any = None,
           after: Any = None) -> AuditEvent:
    """Append one event. Call inside the transaction of the change it records."""
    return record_many(actor, [Change(action, object_type, str(object_id), before, after)])[-1]


def record_many(actor, changes: Iterable[Change]) -> list[AuditEvent]:
    """Append events in one go (imports write thousands); the chain stays strictly sequential."""
    with transaction.atomic():
        prev_hash, seq = _lock_chain_head()
        at = timezone.now()
        actor_obj = actor if getattr(actor, "pk", None) else None
        actor_name = getattr(actor, "username", None) or str(actor or "system")
        events = []
        for change in changes:
            seq += 1
            before, after = jsonable(change.before), jsonable(change.after)
            object_id = str(change.object_id)  # stored as text: hash what is stored
            digest = event_hash(prev_hash, seq, at, actor_name, change.action, change.object_type,
                                object_id, before, after)
            events.append(AuditEvent(seq=seq, at=at, actor=actor_obj, actor_name=actor_name,
                                     action=change.action, object_type=change.object_type,
                                     object_id=object_id, before=before, after=after,
                                     prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        return events


def _lock_chain_head() -> tuple[str, int]:
    """The last hash and sequence number, with concurrent writers serialised.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: transactions are opened IMMEDIATE
    (settings), so the database write lock is already ours. The unique seq is the last line of defence.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7347001)")
    last = AuditEvent.objects.order_by("-seq").values_list("hash", "seq").first()
    return last if last else (GENESIS, 0)


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def iter_events(chunk: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify(progress=None) -> VerifyResult:
    """Recompute the chain; report the first event whose content or link does not match."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for event in iter_events():
        if event.seq != expected_seq:
            return VerifyResult(checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return VerifyResult(checked, event.seq, "link to the previous event does not match")
        digest = event_hash(event.prev_hash, event.seq, event.at, event.actor_name, event.action,
                            event.object_type, event.object_id, event.before, event.after)
        if digest != event.hash:
            return VerifyResult(checked, event.seq, "content was changed after it was written")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        if progress and checked % 5000 == 0:
            progress(checked)
    return VerifyResult(checked)


def snapshot(instance, fields: Iterable[str]) -> dict[str, Any]:
    """The audited state of a model instance: the named fields, foreign keys by id."""
    return jsonable({f: getattr(instance, f) for f in fields})
