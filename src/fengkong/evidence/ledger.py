"""The evidence ledger: every item chained by hash, the chain's head signed with Ed25519, and the check.

Design decisions:
- An entry's hash is a SHA-256 over a canonical JSON (core.audit.canonical) of the scheme tag, its number,
  its time, the SHA-256 of the item's content as it was stored (a canonical JSON of the file's digest, size,
  type, name, source, what it shows, whom it concerns, who stored it when) and the previous entry's hash.
  Anyone can recompute both with `sha256sum`; the court bundle says how, and shows the other entries of
  the chain by their content's digest only.
- A plain hash can be recomputed by whoever rewrites the chain, so the head is anchored: once a day (a step
  of the night) and on demand, the head's number and hash are signed with the Ed25519 key from
  EVIDENCE_SIGNING_KEY, which never enters the database. The public key verifies an anchor without Fengkong
  (`openssl pkeyutl -verify`), and a rewritten chain no longer matches the anchors signed before.
- `verify` reads the ledger in chunks and every stored file once, and goes on after a problem, naming each:
  a file changed or missing on disk, an item row edited (which fields), an entry edited, entries missing or
  out of order, an item never ledgered, an anchor signed with another key or a bad signature, the chain
  rewritten or cut after an anchor.
- Appending takes the audit trail's lock (core.audit.lock_chain_head) for its own chain: an evidence write
  records an audit event in the same transaction anyway, so one lock serialises both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

from fengkong.core.audit import GENESIS, canonical, lock_chain_head

from .choices import ProblemKind
from .exceptions import SigningKeyMissing
from .models import EvidenceAnchor, EvidenceItem, LedgerEntry

SCHEME = "fengkong.evidence/1"
ANCHOR_SCHEME = "fengkong.evidence-anchor/1"
LIST_AT_MOST = 200
CHUNK = 5000
HASHING_THREADS = 4
HASHING_BATCH = 256


def storage():
    """The storage the evidence files live in (settings.EVIDENCE_STORAGE, an alias of STORAGES)."""
    return storages[settings.EVIDENCE_STORAGE]


def file_name(sha256: str) -> str:
    """Where a file of this digest is stored: fanned out by its first bytes, named by the digest."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


# --- content and hashes --------------------------------------------------------------------------------

def subject_label(item: EvidenceItem) -> str:
    if not item.subject_type_id:
        return ""
    kind = item.subject_type
    return f"{kind.app_label}.{kind.model}:{item.subject_id}"


# The item's fields the ledger keeps, as paths from a ledger entry (for reading rows in bulk).
ROW = ("item_id", "item__file__sha256", "item__file__size", "item__file__mime", "item__title", "item__filename",
       "item__source", "item__shows", "item__occurred_on", "item__pages", "item__customer_id", "item__invoice_id",
       "item__subject_type__app_label", "item__subject_type__model", "item__subject_id", "item__created_by_id",
       "item__created_at")


def content_of(item: EvidenceItem) -> dict:
    """What the ledger keeps of an item: everything it says, but the retention mark."""
    kind = item.subject_type if item.subject_type_id else None
    return content_from((item.pk, item.file.sha256, item.file.size, item.file.mime, item.title, item.filename,
                         item.source, item.shows, item.occurred_on, item.pages, item.customer_id, item.invoice_id,
                         kind.app_label if kind else None, kind.model if kind else None, item.subject_id,
                         item.created_by_id, item.created_at))


def content_from(row: tuple) -> dict:
    """The ledgered content from the values of ROW, in its order."""
    (pk, sha, size, mime, title, filename, source, shows, occurred_on, pages, customer, invoice, app, model,
     subject_id, stored_by, stored_at) = row
    return {"item": pk, "sha256": sha, "size": size, "mime": mime, "title": title, "filename": filename,
            "source": source, "shows": shows, "occurred_on": occurred_on.isoformat() if occurred_on else None,
            "pages": pages, "customer": customer, "invoice": invoice,
            "subject": f"{app}.{model}:{subject_id}" if app else "", "stored_by": stored_by,
            "stored_at": stored_at.isoformat(timespec="microseconds")}


def content_text(content: dict) -> str:
    """An item's ledgered content as the one line of text its digest is taken over."""
    return canonical(content)


def content_digest(content: dict) -> str:
    return hashlib.sha256(content_text(content).encode()).hexdigest()


def entry_body(seq: int, at: str, content: dict, prev_hash: str) -> bytes:
    """The bytes an entry's hash is taken over: the item's content enters by its digest, so that the chain
    proof of a court bundle can show the entries of other items without their content."""
    return canonical([SCHEME, seq, at, content_digest(content), prev_hash]).encode()


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(entry_body(entry.seq, entry.at.isoformat(timespec="microseconds"), entry.content,
                                     entry.prev_hash)).hexdigest()


@dataclass(frozen=True)
class Row:
    """A ledger entry as verify reads it in bulk: the entry's fields and its item's content now."""

    seq: int
    at: datetime
    content: dict
    prev_hash: str
    hash: str
    now: dict  # the item's content as the row says today
    file_name: str

    @property
    def item_id(self) -> int:
        return self.now["item"]

    def recomputed(self) -> str:
        return hashlib.sha256(entry_body(self.seq, self.at.isoformat(timespec="microseconds"), self.content,
                                         self.prev_hash)).hexdigest()


def append(item: EvidenceItem) -> LedgerEntry:
    """Chain the item after the ledger's head. Call inside the transaction that stores the item."""
    head = lock_chain_head(LedgerEntry)
    entry = LedgerEntry(seq=head.seq + 1, item=item, at=timezone.now(), content=content_of(item),
                        prev_hash=head.hash if head.seq else GENESIS)
    entry.hash = entry_hash(entry)
    entry.save()
    return entry


# --- keys and anchors ----------------------------------------------------------------------------------

def signing_key() -> Ed25519PrivateKey:
    """EVIDENCE_SIGNING_KEY as a key: 64 hex digits (the 32-byte seed) or a PEM private key."""
    raw = (settings.EVIDENCE_SIGNING_KEY or "").strip()
    if not raw:
        raise SigningKeyMissing("EVIDENCE_SIGNING_KEY is not set: the evidence ledger cannot be anchored. Make "
                                "one with `fengkong evidence new-key` and keep it outside the database.")
    try:
        if raw.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(raw.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))
    except ValueError as exc:
        raise SigningKeyMissing(f"EVIDENCE_SIGNING_KEY cannot be read as an Ed25519 key ({exc}): give the "
                                "32-byte seed as 64 hex digits or a PEM private key") from None


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_pem(public_key_hex: str) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), the form `openssl pkeyutl -verify -pubin` reads."""
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def trusted_public_keys() -> set[str]:
    """The public keys whose anchors are ours: the signing key's, and those of retired keys."""
    keys = {k.strip().lower() for k in settings.EVIDENCE_PUBLIC_KEYS_RETIRED}
    if (settings.EVIDENCE_SIGNING_KEY or "").strip():
        keys.add(public_hex(signing_key().public_key()))
    return keys


def anchor_message(seq: int, head_hash: str, signed_at: str) -> bytes:
    """What an anchor signs, as one line of text (the court bundle writes it to a file for openssl)."""
    return f"{ANCHOR_SCHEME} {seq} {head_hash} {signed_at}\n".encode()


def sign_head() -> EvidenceAnchor:
    """Sign the ledger's head now and store the anchor. Call inside a transaction."""
    key = signing_key()
    head = lock_chain_head(LedgerEntry)
    signed_at = timezone.now()
    message = anchor_message(head.seq, head.hash, signed_at.isoformat(timespec="seconds"))
    return EvidenceAnchor.objects.create(seq=head.seq, hash=head.hash, signed_at=signed_at.replace(microsecond=0),
                                         public_key=public_hex(key.public_key()), signature=key.sign(message).hex())


def anchor_signature_ok(anchor: EvidenceAnchor) -> bool:
    message = anchor_message(anchor.seq, anchor.hash, anchor.signed_at.isoformat(timespec="seconds"))
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(anchor.public_key)).verify(bytes.fromhex(anchor.signature),
                                                                                    message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- verifying -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    kind: str  # a ProblemKind
    message: str
    seq: int | None = None
    item: int | None = None


@dataclass
class VerifyResult:
    entries: int = 0
    files: int = 0
    bytes: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self, problem: Problem) -> None:
        if len(self.problems) < LIST_AT_MOST:
            self.problems.append(problem)
        else:
            self.more_problems += 1


def file_digest(name: str) -> str | None:
    """The SHA-256 of a stored file as it is now; None when it is gone. A store on the local disk is read
    directly (the storage API's File wrapper costs more than hashing a small file)."""
    store = storage()
    try:
        local = store.path(name)
    except NotImplementedError:
        local = None
    try:
        if local is not None:
            with open(local, "rb") as stored:
                return hashlib.file_digest(stored, "sha256").hexdigest()
        with store.open(name, "rb") as stored:
            return hashlib.file_digest(getattr(stored, "file", stored), "sha256").hexdigest()
    except (FileNotFoundError, OSError):
        return None


def rows(items: list[int] | None = None) -> Iterator[Row]:
    """The ledger in order, read in chunks as plain values (no model instances: 100,000 entries)."""
    last = 0
    base = LedgerEntry.objects.order_by("seq").values_list("seq", "at", "content", "prev_hash", "hash",
                                                           "item__file__name", *ROW)
    if items is not None:
        base = base.filter(item_id__in=items)
    while batch := list(base.filter(seq__gt=last)[:CHUNK]):
        for seq, at, content, prev_hash, hash_, name, *row in batch:
            yield Row(seq, at, content, prev_hash, hash_, content_from(tuple(row)), name)
        last = batch[-1][0]


def verify(progress: Callable[[int], None] | None = None, *, items: list[int] | None = None) -> VerifyResult:
    """Check the files, rows, chain and anchors (of the whole ledger, or only of `items` and the chain
    under them); report every problem. Files are hashed by a few threads while the rows are read (hashlib
    lets go of the interpreter while it hashes)."""
    result = VerifyResult()
    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        walk = Walk(result, whole=items is None, pool=pool)
        for row in rows(items):
            walk.see(row)
            if progress and result.entries % 1000 == 0:
                progress(result.entries)
        walk.check_files()
    if items is None:
        for pk, title in EvidenceItem.objects.filter(entry__isnull=True).values_list("pk", "title"):
            result.report(Problem(ProblemKind.UNLEDGERED, f"evidence item #{pk} “{title}” is not in the ledger: it "
                                                          "was added to the database outside Fengkong", item=pk))
        walk.check_anchors()
    return result


@dataclass
class Walk:
    result: VerifyResult
    whole: bool
    pool: ThreadPoolExecutor
    hashes: dict[str, int] | None = None  # every entry's hash -> its number, read at the first broken link
    prev_hash: str = GENESIS
    expected: int = 1
    by_seq: dict[int, str] = field(default_factory=dict)
    digests: dict[str, Future] = field(default_factory=dict)  # file digest -> the batch hashing it
    waiting: dict[str, str] = field(default_factory=dict)  # file digest -> stored name, not yet handed out
    files: list[Row] = field(default_factory=list)

    def see(self, row: Row) -> None:
        result, seq = self.result, row.seq
        result.entries += 1
        if self.whole:
            self.check_place(row)
        elif row.recomputed() != row.hash:
            result.report(Problem(ProblemKind.ENTRY_EDITED, f"ledger entry #{seq} (item #{row.item_id}) was "
                                                            "edited in the database", seq, row.item_id))
        self.prev_hash, self.expected = row.hash, seq + 1
        self.by_seq[seq] = row.hash
        self.check_item(row)
        sha = row.now["sha256"]
        if sha not in self.digests and sha not in self.waiting:
            self.waiting[sha] = row.file_name
            result.files += 1
            result.bytes += row.now["size"]
            if len(self.waiting) >= HASHING_BATCH:
                self.hash_waiting()
        self.files.append(row)

    def hash_waiting(self) -> None:
        """Hand the files waiting to a hashing thread, as one batch (a task per file costs more than a hash)."""
        batch, self.waiting = self.waiting, {}
        done = self.pool.submit(lambda: {sha: file_digest(name) for sha, name in batch.items()})
        for sha in batch:
            self.digests[sha] = done

    def check_place(self, row: Row) -> None:
        result, seq = self.result, row.seq
        if seq != self.expected:
            gap = f"#{self.expected}" if seq == self.expected + 1 else f"#{self.expected}–#{seq - 1}"
            result.report(Problem(ProblemKind.MISSING, f"ledger entries {gap} are missing: deleted from the "
                                                       "database", self.expected))
        recomputed = row.recomputed() == row.hash
        linked = row.prev_hash == self.prev_hash
        if linked and recomputed:
            return
        if self.hashes is None:
            self.hashes = dict(LedgerEntry.objects.values_list("hash", "seq"))
        before = self.hashes.get(row.prev_hash)
        if not linked and before is not None and before != seq - 1:
            result.report(Problem(ProblemKind.ORDER, f"the ledger's order was changed: entry #{seq} (item "
                                                     f"#{row.item_id}) was chained after entry #{before}, not "
                                                     f"#{seq - 1}", seq, row.item_id))
        elif not recomputed:
            result.report(Problem(ProblemKind.ENTRY_EDITED, f"ledger entry #{seq} (item #{row.item_id}) was "
                                                            "edited in the database: it no longer matches its "
                                                            "hash", seq, row.item_id))
        elif seq == self.expected:
            result.report(Problem(ProblemKind.LINK, f"ledger entry #{seq} does not link to entry #{seq - 1}: an "
                                                    "entry before it was replaced", seq, row.item_id))

    def check_item(self, row: Row) -> None:
        now, then = row.now, row.content
        if now == then:
            return
        changed = [key for key in sorted(set(now) | set(then)) if now.get(key) != then.get(key)]
        self.result.report(Problem(ProblemKind.ITEM_EDITED, f"evidence item #{row.item_id} “{now['title']}” was "
                                                            f"edited in the database: {', '.join(changed)} changed "
                                                            f"since it was ledgered (entry #{row.seq})",
                                   row.seq, row.item_id))

    def check_files(self) -> None:
        self.hash_waiting()
        for row in self.files:
            sha = row.now["sha256"]
            found, ledgered, item = self.digests[sha].result()[sha], row.content.get("sha256"), row.item_id
            what = f"the file of evidence item #{item} “{row.now['title']}” ({row.file_name})"
            if found is None:
                self.result.report(Problem(ProblemKind.FILE_MISSING, f"{what} is missing from the store", row.seq,
                                           item))
            elif found != ledgered:
                self.result.report(Problem(ProblemKind.FILE_CHANGED, f"{what} changed on disk: its SHA-256 is now "
                                                                     f"{found}, the ledger recorded {ledgered}",
                                           row.seq, item))

    def check_anchors(self) -> None:
        trusted, last = trusted_public_keys(), self.expected - 1
        for anchor in EvidenceAnchor.objects.order_by("seq", "pk"):
            when = anchor.signed_at.isoformat(timespec="seconds")
            if anchor.public_key not in trusted:
                self.result.report(Problem(ProblemKind.WRONG_KEY, f"the anchor of {when} (entry #{anchor.seq}) is "
                                                                  f"signed with public key {anchor.public_key[:16]}…, "
                                                                  "which is not EVIDENCE_SIGNING_KEY's nor a retired "
                                                                  "one: it was not written by Fengkong", anchor.seq))
                continue
            if not anchor_signature_ok(anchor):
                self.result.report(Problem(ProblemKind.BAD_SIGNATURE, f"the anchor of {when} (entry #{anchor.seq}) "
                                                                      "does not match its signature: it was edited",
                                           anchor.seq))
                continue
            self.result.anchors += 1
            if anchor.seq > last:
                self.result.report(Problem(ProblemKind.TRUNCATED, f"the ledger ends at entry #{last} but the anchor "
                                                                  f"of {when} signed entry #{anchor.seq}: entries "
                                                                  f"#{last + 1}–#{anchor.seq} were deleted",
                                           anchor.seq))
            elif anchor.seq and self.by_seq.get(anchor.seq) != anchor.hash:
                self.result.report(Problem(ProblemKind.REWRITTEN, f"entry #{anchor.seq} no longer matches the anchor "
                                                                  f"of {when}: the ledger up to it was rewritten",
                                           anchor.seq))
