"""`fengkong export aging`: the aging report as an Excel workbook with native charts."""

from __future__ import annotations

from pathlib import Path

import click
from django.conf import settings
from django.utils import translation

from fengkong.core.console import DATE, console, user_or_system

from .exports import report_date, write_aging_workbook


@click.command("aging")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="A risk cycle date (default: the latest completed cycle).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
@click.option("--user", "username", default=None, help="Only what this user may see (default: the whole book).")
@click.option("--language", default=None, type=click.Choice(["zh-hans", "en"]),
              help="Language of the headers (default: LANGUAGE_CODE).")
def export_aging(as_of, out: Path, username: str | None, language: str | None) -> None:
    """The aging report as Excel: summary with a stacked column chart, per customer, per group."""
    day = report_date(as_of.date() if as_of else None)
    if day is None:
        raise click.UsageError(f"no risk cycle completed on {as_of:%Y-%m-%d}" if as_of else
                               "no risk cycle has run yet; run `fengkong run-cycle` first")
    user = user_or_system(username) if username else None
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        rows = write_aging_workbook(out, user=user, as_of=day)
    console.print(f"Aging report as of {day}: {rows:,} customers written to {out}.")
