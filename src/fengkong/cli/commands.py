"""The `fengkong` command group: running the project (setup, serve, worker, manage) and the commands each
app contributes from its own `cli.py`, added here by name, as api/urls.py adds each app's router."""

from __future__ import annotations

import subprocess  # only our own interpreter and gunicorn, with fixed arguments  # nosec B404
import sys

import click
from django.core.management import call_command, execute_from_command_line

from fengkong.accounts.cli import token
from fengkong.accounts.setup import setup_database
from fengkong.collections.cli import collections
from fengkong.contracts.cli import contracts
from fengkong.core.cli import audit
from fengkong.core.console import console
from fengkong.credit.cli import credit
from fengkong.cycle.cli import run_cycle_cmd
from fengkong.demo.cli import demo
from fengkong.evidence.cli import evidence
from fengkong.industry.cli import industry
from fengkong.integrations.cli import import_cmd
from fengkong.legal.cli import legal
from fengkong.monitoring.cli import export_aging
from fengkong.provisions.cli import provisions
from fengkong.receivables.cli import reconcile_cmd
from fengkong.scoring.cli import model

from .language import activate, lang_option


@click.group()
@click.option("--lang", default=None, callback=lang_option, metavar="zh-hans|en",
              help="The language of this run's messages (default: LANGUAGE_CODE if set, else the shell's locale: "
                   "zh_* is Chinese, any other English).")
@click.pass_context
def fengkong(ctx: click.Context, lang: str | None) -> None:
    """Fengkong (风控): receivables credit-risk control."""
    activate(ctx, lang)


@fengkong.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, createsuperuser, shell, …)."""
    execute_from_command_line(["fengkong manage", *args])


@fengkong.command()
def setup() -> None:
    """Create or upgrade the database and the roles."""
    setup_database(verbosity=0)
    console.print("[green]Database ready[/green] and roles in place.")


@fengkong.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a background worker beside the web server.")
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Serve the web UI and API with gunicorn, and a background worker for imports and tasks."""
    call_command("collectstatic", interactive=False, verbosity=0)
    worker_process = None if no_worker else subprocess.Popen([sys.executable, "-m", "fengkong.cli", "worker"])  # fixed argv of our own interpreter, no shell  # nosec B603
    console.print(f"Serving on [bold]http://{host}:{port}[/bold]  (Ctrl-C stops)")
    try:
        subprocess.run([sys.executable, "-m", "gunicorn", "fengkong.wsgi:application", "--bind",  # fixed argv of our own interpreter, no shell  # nosec B603
                        f"{host}:{port}", "--workers", str(workers), "--timeout", "120"], check=False)
    except KeyboardInterrupt:
        pass
    finally:
        if worker_process:
            worker_process.terminate()
            worker_process.wait(timeout=10)


@fengkong.command()
@click.option("--workers", default=1, show_default=True, type=int)
def worker(workers: int) -> None:
    """Run a huey worker: imports, the daily risk cycle, notifications."""
    call_command("run_huey", workers=workers)


@fengkong.group()
def export() -> None:
    """Write reports to files."""


for command in (run_cycle_cmd, import_cmd, reconcile_cmd, audit, token, credit, model, contracts, demo, evidence,
                legal, collections, provisions, industry):
    fengkong.add_command(command)
export.add_command(export_aging)
