"""`fengkong audit verify`: recompute the audit trail's hash chain."""

from __future__ import annotations

import sys

import click

from .audit import verify
from .console import console, progress_bar


@click.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain and report the first tampered event, if any."""
    with progress_bar() as bar:
        task = bar.add_task("verifying", total=None)
        result = verify(progress=lambda n: bar.update(task, completed=n))
    if result.ok:
        console.print(f"[green]Audit trail intact[/green]: {result.checked} events verified.")
        return
    console.print(f"[red]Audit trail broken at event #{result.broken_at}[/red]: {result.reason} "
                  f"({result.checked} events before it verified).")
    sys.exit(1)
