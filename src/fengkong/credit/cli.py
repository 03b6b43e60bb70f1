"""`fengkong credit …`: assess customers, run the review of those due, try a policy on the book.

Thin verbs: they parse, call the assessment actions (credit.actions.assessments) or the what-if
(credit.grading.preview) and print a one-line summary.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from fengkong.core import dates
from fengkong.core.console import DATE, Stages, console, progress_bar, user_or_system
from fengkong.customers.models import Customer

from .actions.assessments import assess_customers, review_due
from .choices import Trigger
from .exceptions import PolicyInvalid
from .grading import preview


def _summary(counts: dict) -> str:
    grades = ", ".join(f"{g} {n:,}" for g, n in counts["grades"].items())
    return (f"{counts['customers']:,} customer(s) assessed ({grades}); {counts['downgrades']:,} downgraded, "
            f"{counts['upgrades']:,} upgraded; {counts['alerts']:,} alert(s), {counts['proposals']:,} "
            f"limit proposal(s) in {counts['seconds'].get('total', 0):.1f} s.")


@click.group()
def credit() -> None:
    """Credit assessment: grades, limits and terms (article §2, §3)."""


@credit.command("assess")
@click.option("--customer", "codes", multiple=True, help="Customer code (repeatable); default: the whole book.")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Business date (default: today in TIME_ZONE).")
@click.option("--trigger", default="manual", show_default=True, help="Why: manual, quarterly, initial, …")
@click.option("--user", "username", default=None, help="Record the assessment as this user.")
@click.option("--no-proposals", is_flag=True, help="Assess only; propose no limit changes.")
def assess_cmd(codes: tuple[str, ...], as_of, trigger: str, username: str | None, no_proposals: bool) -> None:
    """Assess customers now: scores, grades, reasons; proposals where the policy's limit moved."""
    if trigger not in Trigger.values:
        raise click.BadParameter(f"use one of {', '.join(Trigger.values)}", param_hint="--trigger")
    ids = None
    if codes:
        found = dict(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise click.BadParameter(f"no customer {', '.join(unknown)}", param_hint="--customer")
        ids = list(found.values())
    day = as_of.date() if as_of else dates.business_today()
    with progress_bar() as bar:
        counts = assess_customers(ids, as_of=day, trigger=trigger, actor=user_or_system(username),
                                  propose=not no_proposals, progress=Stages(bar))
    console.print(_summary(counts))


@credit.command("review-due")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Business date (default: today in TIME_ZONE).")
def review_due_cmd(as_of) -> None:
    """The quarterly review now: customers whose review is due and those never assessed."""
    day = as_of.date() if as_of else dates.business_today()
    with progress_bar() as bar:
        result = review_due(day, progress=Stages(bar))
    if not result:
        console.print(f"No customer due for review on {day}.")
    for trigger, counts in result.items():
        console.print(f"{trigger}: {_summary(counts)}")


@credit.command("preview")
@click.argument("policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def preview_cmd(policy_file: Path) -> None:
    """Try a policy (JSON settings) on the whole book: grade moves and limit change; writes nothing."""
    try:
        config = json.loads(policy_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="POLICY_FILE") from None
    try:
        result = preview(config)
    except PolicyInvalid as exc:
        console.print("[red]The policy has problems:[/red]")
        for problem in exc.problems:
            console.print(f"  - {problem}")
        sys.exit(1)
    click.echo(f"{result['customers']:,} customers as of {result['as_of']} (rows: grade now, columns: grade "
               "under this policy)")
    click.echo("      " + "".join(f"{g:>10}" for g in result["grade_moves"]))
    for grade, row in result["grade_moves"].items():
        click.echo(f"{grade:>6}" + "".join(f"{n:>10,}" for n in row.values()))
    click.echo(f"Total limit the policy allows: {result['limit_before']} → {result['limit_after']} "
               f"({result['raised']:,} raised, {result['lowered']:,} lowered)")
