"""Writing and verifying the keyed, anchored audit trail (see core.models.AuditEvent).

Design decisions:
- Each event's `hash` is an HMAC-SHA256, under the audit key, of a canonical JSON of every stored field of
  the event but the hash itself (SIGNED_FIELDS: row id, sequence number, time, actor id and name, action,
  object, before, after, the previous event's hash, the key id and the scheme). Changing an event, or
  recomputing the chain after a change, needs the key, which comes from the environment
  (settings.AUDIT_KEY) and is never stored in the database.
- Every event names the key that signed it (`key_id`, derived from the key, not the key). The current key
  signs; retired keys (settings.AUDIT_KEYS_RETIRED) still verify what they signed, so a key is rotated
  without touching a stored event.
- Events written before the keyed chain (scheme 1: a plain SHA-256 over fewer fields) are never re-signed,
  which would launder whatever had been changed before: they are verified with their own function. The
  first keyed event links to the last unkeyed one and so seals them; migration core 0003 writes that seal
  (`audit.chain_sealed`) at once. An unkeyed event after a keyed one is a downgrade and is reported.
- The chain's head is anchored outside the database (core.anchors) at the end of every night and by
  `fengkong audit anchor`; verify compares, so deleting the last events is found.
- `verify` goes on after a problem and reports each one with the event's number, so one edit does not hide
  a truncation. It reads the chain in chunks and keeps no more than the anchors in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import anchors
from .anchors import Anchor
from .models import AuditEvent

GENESIS = "0" * 64
UNKEYED, KEYED = 1, 2  # AuditEvent.scheme
SIGNED_FIELDS = ("id", "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "before",
                 "after", "prev_hash", "key_id", "scheme")
SCHEME_TAG = "fengkong.audit/2"
KEY_ID_LABEL = b"fengkong-audit-key-id"
ANCHORED = "audit.anchored"
LIST_AT_MOST = 100  # problems listed one by one; beyond that only counted


def _default(value: Any) -> str:
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    raise TypeError(f"cannot audit a {type(value).__name__}")


def jsonable(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what the database stores."""
    return None if value is None else json.loads(json.dumps(value, default=_default, ensure_ascii=False))


# --- keys ---------------------------------------------------------------------------------------------

def key_id(key: str) -> str:
    """The public name of an audit key: it says which key signed an event without revealing the key."""
    return hmac.new(key.encode(), KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The key that signs now and every key that may have signed an event, by key id."""

    current: str
    keys: dict[str, bytes]

    @property
    def signing_key(self) -> bytes:
        return self.keys[self.current]


def keyring() -> Keyring:
    """The audit keys of the settings (AUDIT_KEY signs; AUDIT_KEYS_RETIRED only verify)."""
    return _keyring(settings.AUDIT_KEY, tuple(settings.AUDIT_KEYS_RETIRED))


@lru_cache(maxsize=8)
def _keyring(current: str, retired: tuple[str, ...]) -> Keyring:
    keys: dict[str, bytes] = {}
    for key in (current, *retired):
        name = key_id(key)
        if name in keys and keys[name] != key.encode():
            raise ImproperlyConfigured(f"two audit keys share the key id {name}: replace one of them")
        keys[name] = key.encode()
    return Keyring(key_id(current), keys)


# --- signing --------------------------------------------------------------------------------------------

CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(value: Any) -> str:
    """The one JSON text of `value` that is signed or hashed: keys sorted, no spaces, UTF-8 as it is (the
    encoder is built once: this runs for every event and every evidence entry that is written or checked)."""
    return CANONICAL.encode(value)


def signed_content(event) -> bytes:
    """What a keyed event's HMAC covers: every stored field of the event but its hash, in a fixed order."""
    values = [getattr(event, name) for name in SIGNED_FIELDS]
    values[SIGNED_FIELDS.index("at")] = event.at.isoformat(timespec="microseconds")
    return canonical([SCHEME_TAG, *values]).encode()


def signature(mac, event) -> str:
    """The event's HMAC; `mac` is an hmac object keyed and not yet fed (copied, so it is reused)."""
    digest = mac.copy()
    digest.update(signed_content(event))
    return digest.hexdigest()


def new_mac(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def unkeyed_hash(event) -> str:
    """Scheme 1, the chain before it was keyed: SHA-256 over the content without actor id or key."""
    body = canonical([event.prev_hash, event.seq, event.at.isoformat(timespec="microseconds"), event.actor_name,
                      event.action, event.object_type, event.object_id, event.before, event.after])
    return hashlib.sha256(body.encode()).hexdigest()


# --- writing --------------------------------------------------------------------------------------------

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
        events = chained(AuditEvent, actor, changes, lock_chain_head(AuditEvent), keyring())
        insert(events)
        return events


def insert(events: list[AuditEvent]) -> None:
    """Store signed events in bulk: COPY on PostgreSQL, executemany on SQLite. (Django's bulk_create spent
    most of the write path's time preparing each value of each row; and on SQLite it splits the rows into
    statements of 999 parameters.) What is stored is what was signed: JSON is read back to equal values."""
    fields = AuditEvent._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    jsons = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    at = fields.index(AuditEvent._meta.get_field("at"))
    postgres = connection.vendor == "postgresql"

    def row(event: AuditEvent) -> list:
        values = [getattr(event, f.attname) for f in fields]
        for i in jsons:
            values[i] = None if values[i] is None else dumps(values[i])
        if not postgres:
            values[at] = connection.ops.adapt_datetimefield_value(values[at])
        return values

    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for event in events:
                    copy.write_row(row(event))
        else:
            marks = ", ".join("?" for _f in fields)
            cursor.cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - the audit table and its column names are ours; every value is a parameter  # nosec B608
                                      (row(event) for event in events))
    for event in events:
        event._state.adding, event._state.db = False, connection.alias


@dataclass(frozen=True)
class Head:
    """The last event of the chain: what the next one links to, and the numbers it continues."""

    hash: str = GENESIS
    seq: int = 0
    id: int = 0


def chained(model, actor, changes: Iterable[Change], head: Head, ring: Keyring) -> list:
    """Unsaved, signed events of `model` (AuditEvent, or its historical version in a migration) after `head`.

    Row ids are given here, under the chain's lock, so that the signature can cover them."""
    at = timezone.now()
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    mac = new_mac(ring.signing_key)
    prev_hash, seq, pk, events = head.hash, head.seq, head.id, []
    for change in changes:
        seq, pk = seq + 1, pk + 1
        event = model(id=pk, seq=seq, at=at, actor_id=actor_obj.pk if actor_obj else None, actor_name=actor_name,
                      action=change.action, object_type=change.object_type,
                      object_id=str(change.object_id),  # stored as text: sign what is stored
                      before=jsonable(change.before), after=jsonable(change.after), prev_hash=prev_hash,
                      key_id=ring.current, scheme=KEYED)
        event.hash = prev_hash = signature(mac, event)
        events.append(event)
    return events


def lock_chain_head(model=AuditEvent) -> Head:
    """The last event's hash and numbers, with concurrent writers serialised.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: transactions are opened IMMEDIATE
    (settings), so the database write lock is already ours. The unique seq is the last line of defence.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7347001)")
    last = model.objects.order_by("-seq").values_list("hash", "seq").first()
    if not last:
        return Head()
    return Head(last[0], last[1], model.objects.aggregate(top=Max("id"))["top"])


def seal_unkeyed_chain(model) -> None:
    """Link a keyed event to the last unkeyed one (migration core 0003), so those cannot be rewritten
    quietly from now on; they are verified with their own function, not re-signed."""
    head = lock_chain_head(model)
    if head.seq == 0 or model.objects.filter(scheme=KEYED).exists():
        return
    seal = Change("audit.chain_sealed", "auditevent", str(head.seq),
                  after={"unkeyed_events": head.seq, "last_unkeyed_hash": head.hash, "scheme": KEYED})
    model.objects.bulk_create(chained(model, None, [seal], head, keyring()))


def write_anchor(actor=None) -> Anchor:
    """Record an `audit.anchored` event and append the chain's head, that event, to the anchor file.

    The file is written inside the transaction: if it cannot be written, the event is not recorded either."""
    ring = keyring()
    with transaction.atomic():
        event = record(actor, ANCHORED, "auditevent", "", after={"file": str(anchors.anchor_file())})
        anchor = anchors.sign(Anchor(event.seq, event.hash, event.at.isoformat(timespec="microseconds"),
                                     ring.current, timezone.now().isoformat(timespec="seconds")), ring.signing_key)
        anchors.append(anchor)
    return anchor


# --- verifying ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with the trail: the event it concerns (None for the anchor file) and what."""

    seq: int | None
    kind: str  # missing, link, content, rehash, unknown_key, downgrade, truncated, rewritten, anchor, anchor_missing
    message: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problems: tuple[Problem, ...] = ()
    anchors: int = 0  # well-signed anchors compared with the chain
    more_problems: int = 0  # found but not listed (beyond LIST_AT_MOST)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_at(self) -> int | None:
        return self.problems[0].seq if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].message if self.problems else ""


def iter_events(chunk: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify(progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Check every event's signature and link, and the chain against its anchors; report every problem."""
    ring = keyring()
    check = ChainCheck(ring)
    for line in anchors.read(ring.keys):
        check.take_anchor(line)
    for event in iter_events():
        check.see(event)
        if progress and check.checked % 5000 == 0:
            progress(check.checked)
    return check.finish()


def _described(event) -> str:
    return f"event #{event.seq} (action {event.action})"


@dataclass
class ChainCheck:
    """The walk along the chain: what the next event must link to, and what has been found."""

    ring: Keyring
    checked: int = 0
    prev_hash: str = GENESIS
    expected_seq: int = 1
    first_keyed: int | None = None
    macs: dict[str, Any] = field(default_factory=dict)
    unsigned: list = field(default_factory=list)  # the run of events whose signature failed, links intact
    anchored: dict[int, list[Anchor]] = field(default_factory=dict)  # the well-signed anchors, by seq
    anchor_lines: set[int] = field(default_factory=set)  # every anchor line's seq, well signed or not
    anchored_events: dict[int, str] = field(default_factory=dict)  # seq of `audit.anchored` -> its time
    problems: list[Problem] = field(default_factory=list)
    found: int = 0

    def report(self, seq: int | None, kind: str, message: str) -> None:
        self.found += 1
        if len(self.problems) < LIST_AT_MOST:
            self.problems.append(Problem(seq, kind, message))

    def take_anchor(self, line) -> None:
        if line.problem:
            self.report(None, "anchor", line.problem)
        elif line.anchor:
            self.anchored.setdefault(line.anchor.seq, []).append(line.anchor)
        if line.anchor:
            self.anchor_lines.add(line.anchor.seq)

    def see(self, event) -> None:
        if event.seq != self.expected_seq:
            self.end_unsigned_run()
            self.report(self.expected_seq, "missing", self.gap(event.seq))
        elif event.prev_hash != self.prev_hash:
            self.end_unsigned_run()
            self.report(event.seq, "link", f"event #{event.seq} does not link to event #{event.seq - 1}: an "
                                           "event before it was replaced or removed")
        self.check_signature(event)
        for anchor in self.anchored.get(event.seq, ()):
            if anchor.hash != event.hash:
                self.report(event.seq, "rewritten", f"{_described(event)} does not match the anchor written at "
                                                    f"{anchor.written_at}: the chain up to it was rewritten")
        if event.action == ANCHORED:
            self.anchored_events[event.seq] = event.at.isoformat(timespec="seconds")
        self.prev_hash, self.expected_seq, self.checked = event.hash, event.seq + 1, self.checked + 1

    def gap(self, seq: int) -> str:
        if seq == self.expected_seq + 1:
            return f"event #{self.expected_seq} is missing"
        return f"events #{self.expected_seq}–#{seq - 1} are missing (the chain jumps from #{self.expected_seq - 1} to #{seq})"

    def check_signature(self, event) -> None:
        if event.scheme == UNKEYED:
            self.end_unsigned_run()
            if self.first_keyed is not None:
                self.report(event.seq, "downgrade", f"{_described(event)} claims the old unkeyed scheme although "
                                                    f"keyed events began at #{self.first_keyed}: it was rewritten")
            elif unkeyed_hash(event) != event.hash:
                self.report(event.seq, "content", f"content of {_described(event)} does not match its hash")
            return
        if self.first_keyed is None:
            self.first_keyed = event.seq
        key = self.ring.keys.get(event.key_id)
        if event.scheme != KEYED or key is None:
            self.end_unsigned_run()
            self.report(event.seq, "unknown_key",
                        f"{_described(event)} is signed with key id {event.key_id!r} (scheme {event.scheme}), which "
                        "is neither AUDIT_KEY nor one of AUDIT_KEYS_RETIRED: it cannot be verified")
            return
        if event.key_id not in self.macs:
            self.macs[event.key_id] = new_mac(key)
        mac = self.macs[event.key_id]
        if hmac.compare_digest(signature(mac, event), event.hash):
            self.end_unsigned_run(followed_by_a_good_event=True)  # its link was checked in see()
        else:
            self.unsigned.append((event.seq, event.action))

    def end_unsigned_run(self, *, followed_by_a_good_event: bool = False) -> None:
        """Report the run of events whose signatures failed although their links agree.

        Followed by a good event that links to the run's last one, each event of the run was edited (the
        good event vouches for the last stored hash). Otherwise, more than one is the chain re-hashed from
        the run's first event without the key, to its end (or to the link where the rewrite stopped)."""
        run, self.unsigned = self.unsigned, []
        if not run:
            return
        if followed_by_a_good_event or len(run) == 1:
            for seq, action in run:
                self.report(seq, "content", f"content of event #{seq} (action {action}) does not match its "
                                            "signature")
            return
        (first, action), (last, _) = run[0], run[-1]
        self.report(first, "rehash", f"events #{first}–#{last} do not match their signatures although each links "
                                     f"to the one before: the chain was recomputed from #{first} (action {action}) "
                                     "without the audit key")

    def finish(self) -> VerifyResult:
        self.end_unsigned_run()
        last = self.expected_seq - 1
        beyond = [a for seq, found in self.anchored.items() if seq > last for a in found]
        if beyond:
            latest = max(beyond, key=lambda a: a.seq)
            self.report(last + 1, "truncated", f"the chain ends at #{last} but the anchor written at "
                                               f"{latest.written_at} records event #{latest.seq}: events "
                                               f"#{last + 1}–#{latest.seq} were deleted")
        for seq, at in self.anchored_events.items():
            if seq not in self.anchor_lines:
                self.report(seq, "anchor_missing", f"event #{seq} records an anchor written at {at} that is not in "
                                                   f"{anchors.anchor_file()}: the anchor file was replaced or cut")
        count = sum(len(found) for seq, found in self.anchored.items() if seq <= last)
        return VerifyResult(self.checked, tuple(self.problems), count, self.found - len(self.problems))


def snapshot(instance, fields: Iterable[str]) -> dict[str, Any]:
    """The audited state of a model instance: the named fields, foreign keys by id."""
    return jsonable({f: getattr(instance, f) for f in fields})
