"""`fengkong industry …`: import a statistics release of indicator observations, list the indicator library."""

from __future__ import annotations

from pathlib import Path

import click
from django.core.exceptions import PermissionDenied

from fengkong.core import industries
from fengkong.core.console import console, refuse, user_or_system

from .exceptions import ImportInvalid
from .importing import import_observations
from .models import Indicator
from .queries import latest_values


@click.group("industry")
def industry() -> None:
    """Industry risk: the indicator library, releases of observations, outlooks (article §11)."""


@industry.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", default=None, help="Record the import as this user (else the system).")
def import_cmd(path: Path, username: str | None) -> None:
    """Import a CSV/XLSX release (NBS layout: 指标 and one column per period; or indicator, period, value).
    Any bad row: every problem listed with its row, column and value, nothing written."""
    actor = user_or_system(username)
    try:
        done = import_observations(actor=actor, data=path.read_bytes(), file_name=path.name)
    except ImportInvalid as exc:
        for problem in exc.problems[:200]:
            console.print(problem, highlight=False, markup=False)
        refuse(f"{len(exc.problems)} problem(s) in {path.name}; nothing was imported")
    except PermissionDenied:
        refuse("your role may not import indicator observations")
    console.print(f"{path.name}: {done.observations:,} observation(s) of {done.indicators} indicator(s): "
                  f"{done.added:,} added, {done.revised:,} revised.", highlight=False)


@industry.command("indicators")
@click.option("--industry", "section", default=None, type=click.Choice(list(industries.SECTIONS)),
              help="Only this GB/T 4754 section.")
def indicators_cmd(section: str | None) -> None:
    """List the indicator library with each indicator's latest value (on stdout, tab-separated)."""
    rows = Indicator.objects.filter(industry=section) if section else Indicator.objects.all()
    rows = list(rows)
    latest = latest_values([r.pk for r in rows])
    for r in rows:
        obs = latest.get(r.pk)
        value = f"{obs.period}\t{obs.value.normalize():f}" if obs else "—\t—"
        click.echo(f"{r.code}\t{r.industry}\t{r.region or '-'}\t{r.name}\t{r.unit}\t{value}\t{r.breach(obs.value) if obs else '' or ''}")
    console.print(f"{len(rows)} indicator(s).")
