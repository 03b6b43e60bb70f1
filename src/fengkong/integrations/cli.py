"""`fengkong import KIND FILE`: load an ERP export through the same importer the upload page uses."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from django.conf import settings
from django.utils.translation import gettext as _

from fengkong.core.console import Stages, console, progress_bar, user_or_system

from .importer import import_file
from .models import ImportSource
from .presets import NAMES as PRESETS
from .reports import print_batch, write_errors_csv

KINDS = ["customers", "invoices", "payments", "credit-notes", "orders", "financials", "fx-rates"]


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mapping file (TOML or JSON) for other ERP layouts.")
@click.option("--preset", type=click.Choice(PRESETS), default=None,
              help="An ERP export Fengkong knows (docs/import.md); with --mapping, your mapping adds to it and wins. "
                   "Without either, a preset whose headers the file has is used by itself.")
@click.option("--create-customers", is_flag=True,
              help="Parties the file names that are not customers yet become customers (listed in the outcome).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--valid-rows-only", is_flag=True, help="Import the valid rows and report the others.")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every problem to this CSV.")
@click.option("--currency", default=None, metavar="CODE",
              help="The currency of a file without a currency column (default: the functional currency).")
@click.option("--user", "username", default=None, help="Record the import as this user.")
@click.option("--source", "source_code", default=None,
              help="The import source (its code) the file comes from; a trusted one skips dual review.")
def import_cmd(kind: str, file: Path, mapping: Path | None, preset: str | None, create_customers: bool, dry_run: bool, valid_rows_only: bool,
               errors_out: Path | None, currency: str | None, username: str | None,
               source_code: str | None) -> None:
    """Import an ERP export: customers, invoices, payments, credit-notes, orders, financials or fx-rates.

    Files up to IMPORT_CLI_MAX_BYTES (20 GB by default; the web upload's limit is IMPORT_MAX_BYTES).
    With --user, changes of sensitive master data wait for a second person's review unless --source names
    a trusted source; without --user the system imports, and writes them at once."""
    actor = user_or_system(username)
    source = _source(source_code)
    with progress_bar() as bar:
        batch = import_file(file, kind, actor=actor, mapping=mapping, dry_run=dry_run,
                            valid_rows_only=valid_rows_only, progress=Stages(bar),
                            max_bytes=settings.IMPORT_CLI_MAX_BYTES, source=source, currency=currency,
                            preset=preset, create_customers=create_customers)
    print_batch(batch, console)
    if errors_out and batch.error_count:
        write_errors_csv(batch, errors_out)
        console.print(_("All %(n)d problems written to %(file)s") % {"n": batch.error_count, "file": errors_out})
    sys.exit(0 if batch.status in {"done", "partial", "dry_run"} and not (dry_run and batch.error_count) else 1)


def _source(code: str | None) -> ImportSource | None:
    if not code:
        return None
    source = ImportSource.objects.filter(code=code).first()
    if source is None:
        raise click.BadParameter(_("no import source %(code)r (add it in the admin)") % {"code": code},
                                 param_hint="--source")
    return source
