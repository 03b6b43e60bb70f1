"""What a file must pass before it is kept as evidence: a plain name, a size, a type read from its bytes that
agrees with its name, and, for an archive, contents that unpack within limits.

Design decisions:
- The type is sniffed from the bytes (the `filetype` library's signatures, plus the few it lacks: OLE2 Office
  files, e-mail and plain text); the name's extension only says what the uploader claims. A claim the bytes
  contradict (a "report.pdf" that is a Windows program) is refused, as is a type we cannot tell.
- An archive (ZIP and the formats that are ZIPs: DOCX, XLSX, ODT, …; gzip) is read member by member while it
  is checked, counting the bytes that actually come out, since a member's declared size can lie: past the
  ratio, the total or the number of members the reading stops and the file is refused. Nested archives are
  checked the same way, a few levels deep.
- The file is read once, into a spooled temporary file, while its SHA-256 and size are computed: nothing is
  written to the store until every check has passed.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import EvidenceRefused, EvidenceTooLarge

CHUNK = 1024 * 1024
HEAD = 64 * 1024
NESTING = 3
MAX_NAME = 200
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")  # "invoice\u202efdp.exe" shows as "invoiceexe.pdf"
ZIP_TYPES = {"application/zip", "application/epub+zip", "application/vnd.oasis.opendocument.text",
             "application/vnd.oasis.opendocument.spreadsheet",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
OLE_TYPES = {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
             "application/vnd.ms-outlook", "application/x-ole-storage"}
TEXT_TYPES = {"text/plain", "message/rfc822"}
KEPT_TYPES = ZIP_TYPES | OLE_TYPES | TEXT_TYPES | {"application/pdf", "application/gzip"}
KEPT_FAMILIES = ("image/", "audio/", "video/")
ALIASES = {"audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "image/jpg": "image/jpeg",
           "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4", "application/x-gzip": "application/gzip"}
EXTRA_EXTENSIONS = {".eml": "message/rfc822", ".m4a": "audio/mp4", ".amr": "audio/amr", ".msg": "application/vnd.ms-outlook",
                    ".log": "text/plain", ".md": "text/plain", ".csv": "text/plain", ".json": "text/plain"}
OWN_SIGNATURES = [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"), (b"#!AMR", "audio/amr")]
MAIL_HEADERS = (b"from:", b"received:", b"return-path:", b"mime-version:", b"message-id:", b"date:",
                b"delivered-to:", b"to:", b"subject:")


@dataclass
class Received:
    """A file that passed the checks: its bytes (rewound), digest, size and sniffed type."""

    data: IO[bytes]
    sha256: str
    size: int
    mime: str
    filename: str


def clean_filename(name: str) -> str:
    """The file name as given, refused if it carries a path or characters no file name has."""
    if not name or not name.strip():
        raise EvidenceRefused(_("The file has no name."))
    if any(mark in name for mark in ("/", "\\", "\x00")) or name.strip() in {".", ".."} or ":" in name[:3]:
        raise EvidenceRefused(_("The file name “%(name)s” contains a path: give the name of the file alone.")
                              % {"name": name[:MAX_NAME]})
    if any(ord(c) < 32 or c in BIDI for c in name):
        raise EvidenceRefused(_("The file name “%(name)s” contains control characters.") % {"name": repr(name[:MAX_NAME])})
    if len(name) > MAX_NAME:
        raise EvidenceRefused(_("The file name is longer than %(n)d characters.") % {"n": MAX_NAME})
    return name.strip()


def receive(chunks: Iterable[bytes], filename: str) -> Received:
    """Read the file once, then check it; raise EvidenceRefused with the reason if it cannot be kept."""
    filename = clean_filename(filename)
    limit = settings.EVIDENCE_MAX_BYTES
    data = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - returned to the caller, who closes it
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            data.close()
            raise EvidenceTooLarge(_("“%(name)s” is larger than the limit of %(limit)s bytes (EVIDENCE_MAX_BYTES).")
                                  % {"name": filename, "limit": f"{limit:,}"})
        digest.update(chunk)
        data.write(chunk)
    if size == 0:
        data.close()
        raise EvidenceRefused(_("“%(name)s” is empty (0 bytes): there is nothing to keep.") % {"name": filename})
    try:
        mime = checked_type(data, filename)
    except BaseException:
        data.close()
        raise
    data.seek(0)
    return Received(data, digest.hexdigest(), size, mime, filename)


def read_chunks(stream: IO[bytes]) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def checked_type(data: IO[bytes], filename: str) -> str:
    data.seek(0)
    head = data.read(HEAD)
    sniffed = sniff(head)
    if sniffed is None or not kept(sniffed):
        raise EvidenceRefused(_("Cannot tell from its content what kind of file “%(name)s” is (%(type)s): evidence "
                                "must be a document, image, recording, e-mail, text or archive.")
                              % {"name": filename, "type": sniffed or _("unknown")})
    claimed = claimed_type(filename)
    if claimed and not agrees(claimed, sniffed):
        raise EvidenceRefused(_("“%(name)s” is named as %(claimed)s but its content is %(sniffed)s: the name does "
                                "not match the file.") % {"name": filename, "claimed": claimed, "sniffed": sniffed})
    if sniffed in ZIP_TYPES or sniffed == "application/gzip":
        data.seek(0)
        check_archive(data, sniffed, filename, depth=1, budget=[settings.EVIDENCE_MAX_UNPACKED_BYTES])
    return sniffed


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes show, or None when they show nothing we know."""
    for signature, mime in OWN_SIGNATURES:
        if head.startswith(signature):
            return mime
    kind = filetype.guess(head)
    if kind is not None:
        return ALIASES.get(kind.mime, kind.mime)
    return text_type(head)


def text_type(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the end of the head is not an error
                continue
        first = head.lstrip()[:40].lower()
        return "message/rfc822" if first.startswith(MAIL_HEADERS) else "text/plain"
    return None


def kept(mime: str) -> bool:
    return mime in KEPT_TYPES or mime.startswith(KEPT_FAMILIES)


def claimed_type(filename: str) -> str | None:
    dot = filename.rfind(".")
    extension = filename[dot:].lower() if dot > 0 else ""
    if not extension:
        return None
    mime = EXTRA_EXTENSIONS.get(extension) or mimetypes.guess_type(f"x{extension}", strict=False)[0]
    return ALIASES.get(mime, mime) if mime else None


def agrees(claimed: str, sniffed: str) -> bool:
    """Whether the name's type and the content's type are the same kind of thing."""
    if claimed == sniffed:
        return True
    family = claimed.split("/")[0]
    if family in {"image", "audio", "video"}:
        return sniffed.startswith(family + "/") or (family == "audio" and sniffed == "video/mp4")
    if claimed.startswith("text/") or claimed == "message/rfc822":
        return sniffed in TEXT_TYPES
    if claimed in ZIP_TYPES:
        return sniffed in ZIP_TYPES
    if claimed in OLE_TYPES:
        return sniffed in OLE_TYPES
    return claimed in {"application/x-gzip", "application/gzip"} and sniffed == "application/gzip"


# --- archives -----------------------------------------------------------------------------------------

def refuse_bomb(filename: str, why: str) -> EvidenceRefused:
    return EvidenceRefused(_("“%(name)s” is refused as a possible zip bomb: %(why)s.") % {"name": filename, "why": why})


def check_archive(data: IO[bytes], mime: str, filename: str, *, depth: int, budget: list[int]) -> None:
    """Unpack `data` in chunks without keeping what comes out; refuse past the limits. `budget` is the
    unpacked bytes left for the whole file, nested archives included."""
    if depth > NESTING:
        raise refuse_bomb(filename, _("archives nested more than %(n)d deep") % {"n": NESTING})
    if mime == "application/gzip":
        with gzip.GzipFile(fileobj=data) as unpacked:
            drain(unpacked, filename, stored=max(size_of(data), 1), budget=budget, declared=None)
        return
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError) as exc:
        raise EvidenceRefused(_("“%(name)s” looks like a ZIP archive but cannot be read (%(error)s).")
                              % {"name": filename, "error": exc}) from None
    with archive:
        members = archive.infolist()
        if len(members) > settings.EVIDENCE_MAX_MEMBERS:
            raise refuse_bomb(filename, _("%(n)s members, more than the limit of %(limit)s")
                              % {"n": len(members), "limit": settings.EVIDENCE_MAX_MEMBERS})
        for member in members:
            check_member(archive, member, filename, depth=depth, budget=budget)


def check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str, *, depth: int,
                 budget: list[int]) -> None:
    if member.is_dir():
        return
    if member.flag_bits & 0x1:
        raise EvidenceRefused(_("“%(name)s” contains the encrypted member “%(member)s”, which cannot be checked.")
                              % {"name": filename, "member": member.filename})
    stored = max(member.compress_size, 1)
    if member.file_size / stored > settings.EVIDENCE_MAX_RATIO:
        raise refuse_bomb(filename, _("member “%(member)s” would unpack to %(ratio)d times its stored size")
                          % {"member": member.filename, "ratio": member.file_size // stored})
    try:
        with archive.open(member) as unpacked:
            nested = zipfile.is_zipfile(unpacked) if member.file_size > 22 else False
            unpacked.seek(0)
            if nested:
                inner = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 - closed below
                with inner:
                    drain(unpacked, filename, stored=stored, budget=budget, declared=member.file_size, into=inner)
                    inner.seek(0)
                    check_archive(inner, "application/zip", filename, depth=depth + 1, budget=budget)
            else:
                drain(unpacked, filename, stored=stored, budget=budget, declared=member.file_size)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:  # a corrupt or unreadable member
        raise EvidenceRefused(_("“%(name)s”: the member “%(member)s” cannot be read (%(error)s).")
                              % {"name": filename, "member": member.filename, "error": exc}) from None


def drain(stream: IO[bytes], filename: str, *, stored: int, budget: list[int], declared: int | None,
          into: Any = None) -> None:
    """Read `stream` to its end, counting; stop as soon as a limit is passed."""
    out = 0
    while chunk := stream.read(CHUNK):
        out += len(chunk)
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise refuse_bomb(filename, _("it unpacks to more than %(limit)s bytes (EVIDENCE_MAX_UNPACKED_BYTES)")
                              % {"limit": f"{settings.EVIDENCE_MAX_UNPACKED_BYTES:,}"})
        if out / stored > settings.EVIDENCE_MAX_RATIO:
            raise refuse_bomb(filename, _("it unpacks to more than %(ratio)d times its stored size")
                              % {"ratio": settings.EVIDENCE_MAX_RATIO})
        if declared is not None and out > declared:
            raise refuse_bomb(filename, _("a member unpacks to more than the size its header declares"))
        if into is not None:
            into.write(chunk)


def size_of(data: IO[bytes]) -> int:
    here = data.tell()
    data.seek(0, 2)
    end = data.tell()
    data.seek(here)
    return end
