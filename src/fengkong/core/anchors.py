"""Anchors of the audit trail: its head (sequence number, hash, time), signed and appended to a file that
lives outside the database, so that deleting the last events, or rewriting the chain up to an anchored
event, shows when the chain is verified (core.audit.verify).

Design decisions:
- One JSON line per anchor in `AUDIT_ANCHOR_DIR/audit-anchors.jsonl` (default: the data directory), opened
  for appending only and synced to disk. An operator points AUDIT_ANCHOR_DIR at a mounted WORM or
  object-store directory so that whoever can write the database cannot rewrite the anchors too.
- Each line is an HMAC-SHA256 under the audit key it names (`key_id`), like the events: a forged or edited
  line is reported, and a line signed by a retired key still verifies.
- Reading is tolerant: a line that cannot be read is returned as a problem, not an exception, so that one
  bad line does not hide the others.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

FILE_NAME = "audit-anchors.jsonl"
SCHEME = "fengkong.audit-anchor/1"


@dataclass(frozen=True)
class Anchor:
    """The head of the chain when it was anchored, and who signed it."""

    seq: int
    hash: str
    at: str  # the anchored event's time (ISO 8601, UTC)
    key_id: str
    written_at: str
    mac: str = ""

    def body(self) -> bytes:
        return json.dumps([SCHEME, self.seq, self.hash, self.at, self.key_id, self.written_at],
                          ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AnchorLine:
    """One line of the anchor file: its anchor (None if unreadable) and, if it cannot be trusted, why."""

    number: int
    anchor: Anchor | None
    problem: str = ""


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR) / FILE_NAME


def sign(anchor: Anchor, key: bytes) -> Anchor:
    return Anchor(**{**asdict(anchor), "mac": hmac.new(key, anchor.body(), hashlib.sha256).hexdigest()})


def append(anchor: Anchor) -> Path:
    """Append a signed anchor and sync it to disk before returning."""
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(anchor), ensure_ascii=False, sort_keys=True) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return path


def read(keys: Mapping[str, bytes]) -> Iterator[AnchorLine]:
    """Every line of the anchor file, each checked against the key it names."""
    path = anchor_file()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if text.strip():
                yield checked(number, text, keys)


def checked(number: int, text: str, keys: Mapping[str, bytes]) -> AnchorLine:
    try:
        anchor = Anchor(**json.loads(text))
    except (ValueError, TypeError) as exc:
        return AnchorLine(number, None, f"anchor line {number} of {anchor_file()} cannot be read ({exc})")
    key = keys.get(anchor.key_id)
    where = f"anchor line {number} (event #{anchor.seq}, written {anchor.written_at})"
    if key is None:
        return AnchorLine(number, anchor, f"{where} is signed with key id {anchor.key_id}, which is neither "
                                        "AUDIT_KEY nor one of AUDIT_KEYS_RETIRED")
    if not hmac.compare_digest(sign(anchor, key).mac, str(anchor.mac)):
        return AnchorLine(number, anchor, f"{where} does not match its signature: the anchor file was edited")
    return AnchorLine(number, anchor)
