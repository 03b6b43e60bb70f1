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
from dataclasses import dataclass, field

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
CHUNK = 2000


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


def content_of(item: EvidenceItem) -> dict:
    """What the ledger keeps of an item: everything it says, but the retention mark."""
    return {"item": item.pk, "sha256": item.file.sha256, "size": item.file.size, "mime": item.file.mime,
            "title": item.title, "filename": item.filename, "source": item.source, "shows": item.shows,
            "occurred_on": item.occurred_on.isoformat() if item.occurred_on else None, "pages": item.pages,
            "customer": item.customer_id, "invoice": item.invoice_id, "subject": subject_label(item),
            "stored_by": item.created_by_id, "stored_at": item.created_at.isoformat(timespec="microseconds")}


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
    """The SHA-256 of a stored file as it is now; None when it is gone."""
    store = storage()
    try:
        with store.open(name, "rb") as stored:
            return hashlib.file_digest(getattr(stored, "file", stored), "sha256").hexdigest()
    except (FileNotFoundError, OSError):
        return None


def entries(items: list[int] | None = None) -> Iterator[LedgerEntry]:
    last = 0
    base = LedgerEntry.objects.select_related("item__file", "item__subject_type").order_by("seq")
    if items is not None:
        base = base.filter(item_id__in=items)
    while batch := list(base.filter(seq__gt=last)[:CHUNK]):
        yield from batch
        last = batch[-1].seq


def verify(progress: Callable[[int], None] | None = None, *, items: list[int] | None = None) -> VerifyResult:
    """Check the files, rows, chain and anchors (of the whole ledger, or only of `items` and the chain
    under them); report every problem."""
    result = VerifyResult()
    walk = Walk(result, whole=items is None,
                hashes=dict(LedgerEntry.objects.values_list("hash", "seq")) if items is None else {})
    for entry in entries(items):
        walk.see(entry)
        if progress and result.entries % 1000 == 0:
            progress(result.entries)
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
    hashes: dict[str, int]
    prev_hash: str = GENESIS
    expected: int = 1
    by_seq: dict[int, str] = field(default_factory=dict)
    digests: dict[str, str | None] = field(default_factory=dict)

    def see(self, entry: LedgerEntry) -> None:
        result, seq = self.result, entry.seq
        result.entries += 1
        if self.whole:
            self.check_place(entry)
        elif entry_hash(entry) != entry.hash:
            result.report(Problem(ProblemKind.ENTRY_EDITED, f"ledger entry #{seq} (item #{entry.item_id}) was "
                                                            "edited in the database", seq, entry.item_id))
        self.prev_hash, self.expected = entry.hash, seq + 1
        self.by_seq[seq] = entry.hash
        self.check_item(entry)
        self.check_file(entry)

    def check_place(self, entry: LedgerEntry) -> None:
        result, seq = self.result, entry.seq
        if seq != self.expected:
            gap = f"#{self.expected}" if seq == self.expected + 1 else f"#{self.expected}–#{seq - 1}"
            result.report(Problem(ProblemKind.MISSING, f"ledger entries {gap} are missing: deleted from the "
                                                       "database", self.expected))
        recomputed = entry_hash(entry) == entry.hash
        linked = entry.prev_hash == self.prev_hash
        if linked and recomputed:
            return
        before = self.hashes.get(entry.prev_hash)
        if not linked and before is not None and before != seq - 1:
            result.report(Problem(ProblemKind.ORDER, f"the ledger's order was changed: entry #{seq} (item "
                                                     f"#{entry.item_id}) was chained after entry #{before}, not "
                                                     f"#{seq - 1}", seq, entry.item_id))
        elif not recomputed:
            result.report(Problem(ProblemKind.ENTRY_EDITED, f"ledger entry #{seq} (item #{entry.item_id}) was "
                                                            "edited in the database: it no longer matches its "
                                                            "hash", seq, entry.item_id))
        elif seq == self.expected:
            result.report(Problem(ProblemKind.LINK, f"ledger entry #{seq} does not link to entry #{seq - 1}: an "
                                                    "entry before it was replaced", seq, entry.item_id))

    def check_item(self, entry: LedgerEntry) -> None:
        item = entry.item
        now = content_of(item)
        changed = [key for key in sorted(set(now) | set(entry.content)) if now.get(key) != entry.content.get(key)]
        if changed:
            self.result.report(Problem(ProblemKind.ITEM_EDITED, f"evidence item #{item.pk} “{item.title}” was edited "
                                                                f"in the database: {', '.join(changed)} changed since "
                                                                f"it was ledgered (entry #{entry.seq})",
                                       entry.seq, item.pk))

    def check_file(self, entry: LedgerEntry) -> None:
        item, ledgered = entry.item, entry.content.get("sha256")
        sha = item.file.sha256
        if sha not in self.digests:
            self.digests[sha] = file_digest(item.file.name)
            self.result.files += 1
            self.result.bytes += item.file.size
        found = self.digests[sha]
        if found is None:
            self.result.report(Problem(ProblemKind.FILE_MISSING, f"the file of evidence item #{item.pk} "
                                                                 f"“{item.title}” ({item.file.name}) is missing from "
                                                                 "the store", entry.seq, item.pk))
        elif found != ledgered:
            self.result.report(Problem(ProblemKind.FILE_CHANGED, f"the file of evidence item #{item.pk} "
                                                                 f"“{item.title}” ({item.file.name}) changed on disk: "
                                                                 f"its SHA-256 is now {found}, the ledger recorded "
                                                                 f"{ledgered}", entry.seq, item.pk))

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
