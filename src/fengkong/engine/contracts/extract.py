"""Text out of a contract document (PDF, DOCX, TXT), from bytes, with clear refusals.

Pure: the caller reads the file; this module gets bytes and a file name and returns the text or raises
`DocumentRefused` with a code a person can act on (scanned PDF, encrypted PDF, zip bomb, empty, unknown
format). DOCX members are decompressed in bounded chunks, so a bomb is stopped while it is read, not after.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import docx
import pypdf
from pypdf.errors import PdfReadError

from .refusals import DocumentRefused
from .text import decode_text

MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024     # bytes inflated from all members together
MAX_DOCX_RATIO = 100                         # inflated / compressed, per member
MAX_DOCX_MEMBERS = 2000
MAX_PDF_PAGES = 1000
MIN_TEXT_CHARS_PER_PAGE = 5                  # below this on every page: a scan without a text layer
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str                 # pdf | docx | txt
    pages: int                # PDF pages; 1 for DOCX and TXT
    encoding: str | None      # TXT only: utf-8, gb18030 …


def kind_of(data: bytes, filename: str) -> str:
    """pdf, docx or txt from the content first (the name may lie), then the name."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return "docx"
    name = filename.lower()
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith(".docx"):
        return "docx"
    if name.endswith((".txt", ".text", ".md")) or not name.rpartition(".")[1]:
        return "txt"
    raise DocumentRefused("unknown_format", filename)


def extract(data: bytes, filename: str = "") -> Extracted:
    if not data.strip():
        raise DocumentRefused("empty_document")
    kind = kind_of(data, filename)
    if kind == "pdf":
        text, pages = _pdf_text(data)
        result = Extracted(text, "pdf", pages, None)
    elif kind == "docx":
        result = Extracted(_docx_text(data), "docx", 1, None)
    else:
        text, encoding = decode_text(data)
        result = Extracted(text, "txt", 1, encoding)
    if not result.text.strip():
        raise DocumentRefused("empty_document")
    return result


def _pdf_text(data: bytes) -> tuple[str, int]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # an owner-password-only PDF opens with the empty user password; anything else is refused
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported ciphers
                raise DocumentRefused("encrypted_pdf", str(exc)) from exc
            if not opened:
                raise DocumentRefused("encrypted_pdf")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise DocumentRefused("too_many_pages", f"{pages} > {MAX_PDF_PAGES}")
        texts = [page.extract_text() or "" for page in reader.pages]
    except DocumentRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentRefused("broken_pdf", str(exc)) from exc
    if pages and all(len(t.strip()) < MIN_TEXT_CHARS_PER_PAGE for t in texts):
        raise DocumentRefused("scanned_pdf", f"{pages} pages, no text layer")
    return "\n".join(texts), pages


def _docx_text(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DocumentRefused("broken_docx", str(exc)) from exc
    if len(members) > MAX_DOCX_MEMBERS:
        raise DocumentRefused("zip_bomb", f"{len(members)} members")
    declared = sum(m.file_size for m in members)
    if declared > MAX_DOCX_UNCOMPRESSED:
        raise DocumentRefused("zip_bomb", f"{declared} bytes declared")
    # the declared sizes can lie: inflate each member in chunks and stop at the limits
    inflated_total = 0
    clean = io.BytesIO()
    member_stream = archive.open  # a member of the in-memory archive, streamed; no file is touched
    try:
        with zipfile.ZipFile(clean, "w", zipfile.ZIP_DEFLATED) as out:
            for member in members:
                inflated = bytearray()
                with member_stream(member) as stream:
                    while chunk := stream.read(CHUNK):
                        inflated += chunk
                        inflated_total += len(chunk)
                        if inflated_total > MAX_DOCX_UNCOMPRESSED:
                            raise DocumentRefused("zip_bomb", f"more than {MAX_DOCX_UNCOMPRESSED} bytes inflated")
                        if len(inflated) > CHUNK and len(inflated) > MAX_DOCX_RATIO * max(member.compress_size, 1):
                            raise DocumentRefused("zip_bomb", f"{member.filename} inflates more than {MAX_DOCX_RATIO}×")
                out.writestr(member, bytes(inflated))
    except DocumentRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise DocumentRefused("broken_docx", str(exc)) from exc
    try:
        document = docx.Document(io.BytesIO(clean.getvalue()))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors … for a broken package
        raise DocumentRefused("broken_docx", str(exc)) from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("  ".join(cell.text for cell in row.cells))
    return "\n".join(lines)
