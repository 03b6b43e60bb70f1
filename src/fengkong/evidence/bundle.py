"""The court bundle: one ZIP a court clerk can check without Fengkong, with `sha256sum` and `openssl`.

What is in it, and how each part vouches for the next:
- `files/NNN-name`: the evidence files as stored; `SHA256SUMS` lists the digest of every file of the bundle
  (`sha256sum -c SHA256SUMS`).
- `证据目录-catalogue.xlsx` and `.pdf`: the evidence catalogue (number, name, source, date, what it proves,
  pages, file, SHA-256).
- `chain/items.txt`: each item's ledgered content, one canonical JSON line each; its SHA-256 is the content
  digest its ledger entry carries, and it names the file's SHA-256.
- `chain/entries.txt` and `chain/hashes.txt`: the ledger entries from the bundle's first item to the anchored
  head, each entry's exact hashed text and its hash; every entry names the hash of the one before. Other
  customers' entries appear by their content digest only.
- `anchor/anchor.txt`, `anchor/anchor.sig`, `anchor/public_key.pem`: the head's number and hash as signed
  with Ed25519, the signature and the public key (`openssl pkeyutl -verify -pubin -rawin`).
- `verify.sh` does all of it with sh, sha256sum, sed and openssl; `HOW-TO-VERIFY.txt` says it in words.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengkong.core.spreadsheets import write_text

from . import ledger
from .exceptions import EvidenceError
from .models import EvidenceAnchor, EvidenceItem, LedgerEntry

CATALOGUE = "证据目录-catalogue"
ROOT = Path(__file__).parent / "bundle"


@dataclass(frozen=True)
class BundleSummary:
    items: int
    bytes: int
    anchor_seq: int


def catalogue_rows(items: list[EvidenceItem], names: dict[int, str]) -> list[list]:
    return [[n, item.title, item.get_source_display(), (item.occurred_on or item.created_at.date()).isoformat(),
             item.shows, item.pages or "", names[item.pk], item.file.sha256] for n, item in enumerate(items, start=1)]


def catalogue_head() -> list[str]:
    return [_("No."), _("Name"), _("Source"), _("Date"), _("What it proves"), _("Pages"), _("File"), "SHA-256"]


def catalogue_xlsx(title: str, rows: list[list]) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Evidence catalogue")[:31])
    bold = workbook.add_format({"bold": True})
    write_text(sheet, 0, 0, title, bold)
    for col, name in enumerate(catalogue_head()):
        write_text(sheet, 2, col, name, bold)
    for r, row in enumerate(rows, start=3):
        sheet.write_number(r, 0, row[0])
        for col, value in enumerate(row[1:], start=1):
            write_text(sheet, r, col, value)
    sheet.set_column(1, 1, 30)
    sheet.set_column(4, 4, 40)
    sheet.set_column(7, 7, 66)
    workbook.close()
    return out.getvalue()


def catalogue_pdf(title: str, rows: list[list]) -> bytes:
    from weasyprint import HTML  # loaded when a bundle is written: it takes a moment to import its fonts

    html = render_to_string("evidence/catalogue.html", {"title": title, "head": catalogue_head(), "rows": rows,
                                                        "written": timezone.localtime()})
    return HTML(string=html).write_pdf()


def covering_anchor(top_seq: int) -> EvidenceAnchor:
    """The latest well-signed anchor of one of our keys at or after `top_seq`; a new one if there is none."""
    trusted = ledger.trusted_public_keys()
    for anchor in EvidenceAnchor.objects.filter(seq__gte=top_seq).order_by("-signed_at", "-pk"):
        if anchor.public_key in trusted and ledger.anchor_signature_ok(anchor):
            return anchor
    return ledger.sign_head()


def chain_lines(first: int, last: int) -> tuple[list[str], list[str]]:
    bodies, hashes = [], []
    for entry in LedgerEntry.objects.filter(seq__gte=first, seq__lte=last).order_by("seq").iterator(chunk_size=5000):
        bodies.append(ledger.entry_body(entry.seq, entry.at.isoformat(timespec="microseconds"), entry.content,
                                        entry.prev_hash).decode())
        hashes.append(f"{entry.hash} {entry.seq}")
    return bodies, hashes


def write_bundle(items: list[EvidenceItem], *, title: str, out) -> BundleSummary:
    """Write the bundle of `items` (in catalogue order) to `out` (a path or a binary file). Call inside a
    transaction: an anchor may be signed for it."""
    if not items:
        raise EvidenceError(_("There is no evidence to put in a bundle."))
    entries = {e.item_id: e for e in LedgerEntry.objects.filter(item__in=items)}
    missing = [i.pk for i in items if i.pk not in entries]
    if missing:
        raise EvidenceError(f"evidence items {missing} are not in the ledger: run `fengkong evidence verify`")
    anchor = covering_anchor(max(e.seq for e in entries.values()))
    names = {item.pk: f"files/{n:03d}-{item.filename}" for n, item in enumerate(items, start=1)}
    rows = catalogue_rows(items, names)
    bodies, hashes = chain_lines(min(e.seq for e in entries.values()), anchor.seq)
    message = ledger.anchor_message(anchor.seq, anchor.hash, anchor.signed_at.isoformat(timespec="seconds"))
    sums, size = [], 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        def put(name: str, data: bytes) -> None:
            bundle.writestr(name, data)
            sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}")

        store = ledger.storage()
        for item in items:
            with store.open(item.file.name, "rb") as stored:
                with bundle.open(names[item.pk], "w") as target:
                    digest = hashlib.sha256()
                    while chunk := stored.read(1024 * 1024):
                        digest.update(chunk)
                        target.write(chunk)
            if digest.hexdigest() != entries[item.pk].content["sha256"]:
                raise EvidenceError(f"the file of evidence item #{item.pk} changed on disk: run `fengkong evidence "
                                    "verify` before exporting")
            sums.append(f"{digest.hexdigest()}  {names[item.pk]}")
            size += item.file.size
        with translation.override("zh-hans"):
            put(f"{CATALOGUE}.xlsx", catalogue_xlsx(title, rows))
            put(f"{CATALOGUE}.pdf", catalogue_pdf(title, rows))
        put("chain/items.txt", "".join(ledger.content_text(entries[i.pk].content) + "\n" for i in items).encode())
        put("chain/entries.txt", "".join(b + "\n" for b in bodies).encode())
        put("chain/hashes.txt", "".join(h + "\n" for h in hashes).encode())
        put("anchor/anchor.txt", message)
        put("anchor/anchor.sig", bytes.fromhex(anchor.signature))
        put("anchor/public_key.pem", ledger.public_pem(anchor.public_key).encode())
        put("HOW-TO-VERIFY.txt", (ROOT / "HOW-TO-VERIFY.txt").read_bytes())
        put("verify.sh", (ROOT / "verify.sh").read_bytes())
        bundle.writestr("SHA256SUMS", "".join(s + "\n" for s in sums))
    return BundleSummary(len(items), size, anchor.seq)
