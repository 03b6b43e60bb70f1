"""`fengkong demo`: generate the demo company, load it, run its first quarter and serve the UI;
`fengkong demo generate`: only write its ERP export files."""

from __future__ import annotations

from pathlib import Path

import click

from fengkong.core.console import DATE, Stages, console, progress_bar

from .generator import generate
from .load import load_demo


@click.group(invoke_without_command=True)
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
    with progress_bar() as bar:
        result = load_demo(customers=customers, years=years, seed=seed, progress=Stages(bar))
    console.print(result.summary())
    for line in result.logins(f"http://127.0.0.1:{port}"):
        console.print(line)
    if not no_serve:
        ctx.invoke(ctx.parent.command.get_command(ctx.parent, "serve"), port=port)


@demo.command("generate")
@click.option("--customers", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--as-of", "as_of", type=DATE, help="Book date (default today).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def demo_generate(customers: int, years: int, seed: int, as_of, out_dir: Path) -> None:
    """Write the demo company as ERP export files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with progress_bar() as bar:
        summary = generate(out_dir, customers=customers, years=years, seed=seed,
                           as_of=as_of.date() if as_of else None, progress=Stages(bar))
    console.print(f"Wrote the demo company to {out_dir}: {summary}")
