"""`fengkong run-cycle`: the daily risk cycle for a date, from the command line."""

from __future__ import annotations

import sys

import click

from fengkong.core import dates
from fengkong.core.console import DATE, Stages, console, progress_bar, user_or_system, when

from .actions import run_cycle


@click.command("run-cycle")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Business date to run for (default: today in TIME_ZONE).")
@click.option("--force", is_flag=True, help="Run the steps again even if that date's cycle is done.")
@click.option("--user", "username", default=None, help="Record the run as this user.")
def run_cycle_cmd(as_of, force: bool, username: str | None) -> None:
    """Run the daily risk cycle: aging snapshots, zone transitions, alerts and their actions."""
    day = as_of.date() if as_of else dates.business_today()
    try:
        with progress_bar() as bar:
            run = run_cycle(as_of=day, actor=user_or_system(username), progress=Stages(bar), force=force)
    except click.ClickException:
        raise
    except Exception as exc:
        console.print(f"[red]Risk cycle {day} failed[/red]: {type(exc).__name__}: {exc}")
        sys.exit(1)
    if run.status == "running":
        console.print(f"Risk cycle {day} is being run by another worker (started {when(run.started_at)}).")
        sys.exit(1)
    console.print(run.summary())
