"""`fengkong audit verify`: check the audit trail's signatures, links and anchors; `fengkong audit anchor`:
anchor its head outside the database now."""

from __future__ import annotations

import sys

import click

from .anchors import anchor_file
from .audit import verify, write_anchor
from .console import cli_actor, console, progress_bar
from .models import AuditEvent


@click.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every event's signature and link, and the chain against its anchors; list every problem."""
    with progress_bar() as bar:
        task = bar.add_task("verifying", total=AuditEvent.objects.count())
        result = verify(progress=lambda n: bar.update(task, completed=n))
        bar.update(task, completed=result.checked)
    if result.ok:
        console.print(f"[green]Audit trail intact[/green]: {result.checked} events verified, "
                      f"{result.anchors} anchors matched.")
        return
    for problem in result.problems:
        console.print(f"[red]✗[/red] {problem.message}", highlight=False)
    more = f" (and {result.more_problems} more not listed)" if result.more_problems else ""
    console.print(f"[red]Audit trail NOT intact[/red]: {len(result.problems)} problems{more} in "
                  f"{result.checked} events and {result.anchors} anchors.")
    sys.exit(1)


@audit.command("anchor")
def audit_anchor() -> None:
    """Sign the chain's head and append it to the anchor file (the night does it after every run)."""
    anchor = write_anchor(cli_actor())
    console.print(f"Anchored event #{anchor.seq} (key {anchor.key_id}) in {anchor_file()}.")
