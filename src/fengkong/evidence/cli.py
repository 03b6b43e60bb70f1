"""`fengkong evidence verify`: check every file, row, link and anchor of the evidence store, naming what
changed; `fengkong evidence anchor`: sign the ledger's head now; `fengkong evidence export`: a court bundle;
`fengkong evidence new-key` / `public-key`: the Ed25519 key of the anchors."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.apps import apps
from django.core.exceptions import PermissionDenied
from rich.markup import escape

from fengkong.core.console import cli_actor, console, progress_bar, refuse, user_or_system

from . import ledger, queries
from .actions import anchor_ledger, export_bundle
from .exceptions import EvidenceError
from .models import LedgerEntry


@click.group()
def evidence() -> None:
    """The evidence store and its ledger."""


@evidence.command("verify")
def evidence_verify() -> None:
    """Hash every stored file, check every row and link of the ledger and every anchor; list every problem."""
    with progress_bar() as bar:
        task = bar.add_task("verifying", total=LedgerEntry.objects.count())
        result = ledger.verify(progress=lambda n: bar.update(task, completed=n))
        bar.update(task, completed=result.entries)
    if result.ok:
        console.print(f"[green]Evidence intact[/green]: {result.entries} ledger entries, {result.files} files "
                      f"({result.bytes:,} bytes) hashed, {result.anchors} anchors verified.")
        return
    for problem in result.problems:
        console.print(f"[red]✗[/red] {escape(problem.message)}", highlight=False, soft_wrap=True)
    more = f" (and {result.more_problems} more not listed)" if result.more_problems else ""
    console.print(f"[red]Evidence NOT intact[/red]: {len(result.problems)} problems{more} in {result.entries} "
                  f"entries and {result.anchors} anchors.")
    sys.exit(1)


@evidence.command("anchor")
def evidence_anchor() -> None:
    """Sign the ledger's head with EVIDENCE_SIGNING_KEY (the night does it once a day)."""
    try:
        anchor = anchor_ledger(actor=cli_actor())
    except EvidenceError as exc:
        refuse(str(exc))
    console.print(f"Anchored entry #{anchor.seq} ({anchor.hash[:16]}…) with public key {anchor.public_key}.")


@evidence.command("public-key")
def evidence_public_key() -> None:
    """Print the public key of EVIDENCE_SIGNING_KEY (PEM), which verifies the anchors."""
    try:
        click.echo(ledger.public_pem(ledger.public_hex(ledger.signing_key().public_key())), nl=False)
    except EvidenceError as exc:
        refuse(str(exc))


@evidence.command("new-key")
def evidence_new_key() -> None:
    """Print a new Ed25519 private key (64 hex digits) for EVIDENCE_SIGNING_KEY; store it outside the database."""
    key = Ed25519PrivateKey.generate()
    click.echo(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex())



@evidence.command("export")
@click.option("--case", "case", default=None, help="A legal case's number (FW-2026-0001): its documents.")
@click.option("--customer", "customer", default=None, help="A customer's code: all of its evidence.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the court bundle (ZIP).")
@click.option("--user", "username", required=True, help="Who exports (needs the right to export evidence).")
def evidence_export(case: str | None, customer: str | None, out: Path, username: str) -> None:
    """Write a court bundle: catalogue (XLSX, PDF), files, SHA-256 manifest, chain proof, public key."""
    actor = user_or_system(username)
    if bool(case) == bool(customer):
        refuse("name either --case or --customer")
    items = queries.visible_items(actor)
    if case:
        subject = apps.get_model("legal", "LegalCase").objects.filter(number=case).first()
        if subject is None:
            refuse(f"no legal case {case}")
        items, title = items.of_subject(subject), f"{case} {subject.customer.name}"
    else:
        items, title = items.filter(customer__code=customer), customer
    try:
        with out.open("wb") as target:
            summary = export_bundle(actor=actor, items=list(items), title=title, out=target)
    except (EvidenceError, PermissionDenied) as exc:
        out.unlink(missing_ok=True)
        refuse(str(exc) or "you may not export this evidence")
    console.print(f"Wrote {out}: {summary.items} items, {summary.bytes:,} bytes of files, anchored at entry "
                  f"#{summary.anchor_seq}.")
