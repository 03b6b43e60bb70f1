"""The `fengkong` command: thin verbs that parse, call actions and print a one-line summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengkong.settings")
    import django

    django.setup()


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


@click.group()
def main() -> None:
    """Fengkong (风控): receivables credit-risk control."""


@main.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, createsuperuser, shell, …)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fengkong manage", *args])


@main.command()
def setup() -> None:
    """Create or upgrade the database and the roles."""
    setup_django()
    from fengkong.accounts.setup import setup_database

    setup_database(verbosity=0)
    console.print("[green]Database ready[/green] and roles in place.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a background worker beside the web server.")
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Serve the web UI and API with gunicorn, and a background worker for imports and tasks."""
    setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    worker = None if no_worker else subprocess.Popen([sys.executable, "-m", "fengkong.cli", "worker"])
    console.print(f"Serving on [bold]http://{host}:{port}[/bold]  (Ctrl-C stops)")
    try:
        subprocess.run([sys.executable, "-m", "gunicorn", "fengkong.wsgi:application", "--bind",
                        f"{host}:{port}", "--workers", str(workers), "--timeout", "120"], check=False)
    except KeyboardInterrupt:
        pass
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=10)


@main.command()
@click.option("--workers", default=1, show_default=True, type=int)
def worker(workers: int) -> None:
    """Run a huey worker: imports, the daily risk cycle, notifications."""
    setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=workers)


@main.command("run-cycle")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Business date to run for (default: today in TIME_ZONE).")
@click.option("--force", is_flag=True, help="Run the steps again even if that date's cycle is done.")
@click.option("--user", "username", default=None, help="Record the run as this user.")
def run_cycle_cmd(as_of, force: bool, username: str | None) -> None:
    """Run the daily risk cycle: aging snapshots, zone transitions, alerts and their actions."""
    setup_django()
    from django.utils import timezone

    from fengkong.cycle.actions import run_cycle

    day = as_of.date() if as_of else timezone.localdate()
    try:
        with progress_bar() as bar:
            run = run_cycle(as_of=day, actor=_user_or_system(username), progress=Stages(bar), force=force)
    except Exception as exc:
        console.print(f"[red]Risk cycle {day} failed[/red]: {type(exc).__name__}: {exc}")
        sys.exit(1)
    if run.status == "running":
        console.print(f"Risk cycle {day} is being run by another worker (started {_when(run.started_at)}).")
        sys.exit(1)
    console.print(run.summary())


@main.group(invoke_without_command=True)
@click.option("--customers", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Generate and load, but do not start the web server.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def demo(ctx: click.Context, customers: int, years: int, seed: int, no_serve: bool, port: int) -> None:
    """Generate the demo company, load it, run the risk cycle and serve the UI."""
    if ctx.invoked_subcommand is not None:
        return
    setup_django()
    from fengkong.demo.load import load_demo

    with progress_bar() as bar:
        result = load_demo(customers=customers, years=years, seed=seed, progress=Stages(bar))
    console.print(result.summary())
    for line in result.logins(f"http://127.0.0.1:{port}"):
        console.print(line)
    if not no_serve:
        ctx.invoke(serve, port=port)


@demo.command("generate")
@click.option("--customers", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Book date (default today).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def demo_generate(customers: int, years: int, seed: int, as_of, out_dir: Path) -> None:
    """Write the demo company as ERP export files."""
    from fengkong.demo.generator import generate

    out_dir.mkdir(parents=True, exist_ok=True)
    with progress_bar() as bar:
        summary = generate(out_dir, customers=customers, years=years, seed=seed,
                           as_of=as_of.date() if as_of else None, progress=Stages(bar))
    console.print(f"Wrote the demo company to {out_dir}: {summary}")


@main.command("import")
@click.argument("kind", type=click.Choice(["customers", "invoices", "payments", "credit-notes", "orders",
                                           "financials"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mapping file (TOML or JSON) for other ERP layouts.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--valid-rows-only", is_flag=True, help="Import the valid rows and report the others.")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every problem to this CSV.")
@click.option("--user", "username", default=None, help="Record the import as this user.")
def import_cmd(kind: str, file: Path, mapping: Path | None, dry_run: bool, valid_rows_only: bool,
               errors_out: Path | None, username: str | None) -> None:
    """Import an ERP export: customers, invoices, payments, credit-notes, orders or financials."""
    setup_django()
    from fengkong.integrations.importer import import_file
    from fengkong.integrations.reports import print_batch, write_errors_csv

    actor = _user_or_system(username)
    with progress_bar() as bar:
        batch = import_file(file, kind, actor=actor, mapping=mapping, dry_run=dry_run,
                            valid_rows_only=valid_rows_only, progress=Stages(bar))
    print_batch(batch, console)
    if errors_out and batch.error_count:
        write_errors_csv(batch, errors_out)
        console.print(f"All {batch.error_count} problems written to {errors_out}")
    sys.exit(0 if batch.status in {"done", "partial", "dry_run"} and not (dry_run and batch.error_count) else 1)


def _user_or_system(username: str | None):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise click.BadParameter(f"no user {username!r}", param_hint="--user") from None


@main.group()
def audit() -> None:
    """The tamper-evident audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain and report the first tampered event, if any."""
    setup_django()
    from fengkong.core.audit import verify

    with progress_bar() as bar:
        task = bar.add_task("verifying", total=None)
        result = verify(progress=lambda n: bar.update(task, completed=n))
    if result.ok:
        console.print(f"[green]Audit trail intact[/green]: {result.checked} events verified.")
        return
    console.print(f"[red]Audit trail broken at event #{result.broken_at}[/red]: {result.reason} "
                  f"({result.checked} events before it verified).")
    sys.exit(1)


@main.group()
def token() -> None:
    """API tokens for machine clients (see docs/api.md)."""


def _cli_actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


@token.command("create")
@click.option("--user", "username", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. the client system.")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expire after D days (default never).")
def token_create(username: str, name: str, days: int | None) -> None:
    """Create a token and print its key once; only its hash is kept."""
    setup_django()
    from fengkong.accounts.tokens import TokenError, create_token

    try:
        created, key = create_token(actor=_cli_actor(), user=_user_or_system(username), name=name, days=days)
    except TokenError as exc:
        raise click.UsageError(str(exc)) from None
    expiry = f"expires {_when(created.expires_at)}" if created.expires_at else "does not expire"
    console.print(f"Token {created.prefix}… for {username} created; it {expiry}. Copy the key now, "
                  "it is not shown again:")
    click.echo(key)


@token.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
def token_list(username: str | None) -> None:
    """List tokens (prefix, user, name, dates, state); keys are never shown."""
    setup_django()
    from rich.table import Table

    from fengkong.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if username:
        tokens = tokens.filter(user=_user_or_system(username))
    active = set(ApiToken.objects.active().values_list("pk", flat=True))
    table = Table("prefix", "user", "name", "created", "expires", "last used", "state")
    for t in tokens:
        state = "active" if t.pk in active else ("revoked" if t.revoked_at else "expired")
        table.add_row(t.prefix, t.user.username, t.name, _when(t.created_at), _when(t.expires_at),
                      _when(t.last_used_at), state)
    Console(width=max(Console().width, 120)).print(table)


def _when(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


@token.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token whose key starts with PREFIX (the 8 characters after fk_)."""
    setup_django()
    from fengkong.accounts.tokens import TokenError, revoke_token, tokens_by_prefix

    found = list(tokens_by_prefix(prefix))
    if len(found) != 1:
        why = "no token has" if not found else f"{len(found)} tokens have"
        raise click.UsageError(f"{why} the prefix {prefix!r}; see `fengkong token list`.")
    try:
        revoked = revoke_token(actor=_cli_actor(), token=found[0])
    except TokenError as exc:
        raise click.UsageError(str(exc)) from None
    console.print(f"Token {revoked.prefix}… of {revoked.user.username} ({revoked.name}) revoked.")


@main.group()
def export() -> None:
    """Write reports to files."""


@export.command("aging")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="A risk cycle date (default: the latest completed cycle).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
@click.option("--user", "username", default=None, help="Only what this user may see (default: the whole book).")
@click.option("--language", default=None, type=click.Choice(["zh-hans", "en"]),
              help="Language of the headers (default: LANGUAGE_CODE).")
def export_aging(as_of, out: Path, username: str | None, language: str | None) -> None:
    """The aging report as Excel: summary with a stacked column chart, per customer, per group."""
    setup_django()
    from django.conf import settings
    from django.utils import translation

    from fengkong.monitoring.exports import report_date, write_aging_workbook

    day = report_date(as_of.date() if as_of else None)
    if day is None:
        raise click.UsageError(f"no risk cycle completed on {as_of:%Y-%m-%d}" if as_of else
                               "no risk cycle has run yet; run `fengkong run-cycle` first")
    user = _user_or_system(username) if username else None
    with translation.override(language or settings.LANGUAGE_CODE):
        rows = write_aging_workbook(out, user=user, as_of=day)
    console.print(f"Aging report as of {day}: {rows:,} customers written to {out}.")


main.add_command(__import__("fengkong.credit.cli", fromlist=["credit"]).credit)
main.add_command(__import__("fengkong.scoring_cli", fromlist=["model"]).model)

if __name__ == "__main__":
    main()
