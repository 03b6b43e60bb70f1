"""What every command shares: the console (stderr), progress bars for long jobs, the acting user, refusals.

Commands are thin (STYLE.md): they parse, call an action and print a one-line summary. A refusal a user
can fix is one line on stderr and exit code 2 (`refuse`); a failure is exit code 1.
"""

from __future__ import annotations

import getpass
import sys
from typing import NoReturn

import click
from django.contrib.auth import get_user_model
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)
DATE = click.DateTime(["%Y-%m-%d"])


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


class Stages:
    """Adapts the `progress(stage, done, total)` callbacks of long jobs to one rich bar per stage."""

    def __init__(self, bar: Progress):
        self.bar, self.tasks = bar, {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total or None)
        self.bar.update(self.tasks[stage], completed=done, total=total or None)


def user_or_system(username: str | None, option: str = "--user"):
    """The user named on the command line, or None (the system) when none is named."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise click.BadParameter(f"no user {username!r}", param_hint=option) from None


def cli_actor() -> str:
    """Who ran a command without naming a user, as the audit trail records it."""
    return f"cli:{getpass.getuser()}"


def when(moment) -> str:
    """A moment in the site's time zone, to the minute; a dash for never."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def refuse(message: str, code: int = 2) -> NoReturn:
    """One line saying why the command will not go on, and exit."""
    console.print(f"[red]Error[/red]: {message}", highlight=False, markup=True)
    sys.exit(code)
