"""`fengkong collections …`: import a call centre's call records, print a collector's worklist, publish a
collections policy version. Thin verbs: they parse, call an action or a query and print a one-line summary.
Every verb acts as a named user (`--user`): what a collector may see and do is what the command may."""

from __future__ import annotations

import json
from pathlib import Path

import click
from django.core.exceptions import PermissionDenied

from fengkong.core.console import console, refuse, user_or_system
from fengkong.integrations.exceptions import FileRejected

from .actions import publish_policy
from .call_records import import_call_records
from .exceptions import CollectionsError, ImportInvalid, PolicyInvalid
from .models import CollectionCase, CollectionsPolicy
from .strategies import current_step, set_behaviour

USER = click.option("--user", "username", required=True, help="Act as this user (their role and portfolio).")


@click.group("collections")
def collections() -> None:
    """Collections: cases, contacts, promises to pay, disputes (article §4, §5)."""


@collections.command("import-calls")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@USER
def import_calls(path: Path, username: str) -> None:
    """Log each call of a call-record CSV/XLSX (customer, time, outcome; channel, duration, person, notes,
    record_id, next_follow_up) as a contact. Any bad row: every problem listed, nothing written."""
    actor = user_or_system(username)
    try:
        done = import_call_records(actor=actor, data=path.read_bytes(), file_name=path.name)
    except ImportInvalid as exc:
        for problem in exc.errors[:200]:
            console.print(problem, highlight=False, markup=False)
        refuse(f"{len(exc.errors)} problem(s) in {path.name}; nothing was imported")
    except (FileRejected, PermissionDenied) as exc:
        refuse(str(exc) or "your role may not log contacts")
    console.print(f"{path.name}: {done.rows:,} row(s), {done.imported:,} contact(s) logged, "
                  f"{done.skipped:,} imported before.")


@collections.command("worklist")
@USER
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--mine", is_flag=True, help="Only the cases this user owns.")
def worklist(username: str, limit: int, mine: bool) -> None:
    """The open cases this user may see, by priority: expected loss, zone, broken promises, next action."""
    actor = user_or_system(username)
    cases = CollectionCase.objects.for_user(actor).open().select_related("customer", "owner")
    if mine:
        cases = cases.filter(owner=actor)
    for case in cases.by_priority()[:limit]:
        console.print(f"{case.customer.code}\t{case.customer.name}\tloss {case.expected_loss}\tzone {case.zone}\t"
                      f"overdue {case.overdue_amount}\tdisputed {case.disputed_amount}\t{case.promise_status}\t"
                      f"next {case.next_action_on or '-'}\t{case.owner.get_username() if case.owner else '-'}",
                      highlight=False, markup=False)
    console.print(f"{cases.count():,} open case(s).")


@collections.command("publish-policy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@USER
@click.option("--note", default="", help="Why this version.")
def publish_policy_cmd(path: Path, username: str, note: str) -> None:
    """Publish a JSON file of collections settings (left-out settings keep their defaults) as a new version."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        published = publish_policy(actor=user_or_system(username), config=config, note=note)
    except (ValueError, PolicyInvalid, CollectionsError, PermissionDenied) as exc:
        refuse(str(exc) or "your role may not publish a collections policy")
    console.print(f"Collections policy v{published.version} published.")


@collections.command("set-behaviour")
@click.argument("customer")
@click.argument("behaviour", type=click.Choice(["unknown", "short_of_cash", "wilful"]))
@click.option("--reason", required=True, help="Why (kept with the behaviour, in the audit trail).")
@USER
def set_behaviour_cmd(customer: str, behaviour: str, reason: str, username: str) -> None:
    """Set why CUSTOMER's open case does not pay; its strategy is chosen again from its segment."""
    actor = user_or_system(username)
    case = CollectionCase.objects.for_user(actor).open().filter(customer__code=customer).first()
    if case is None:
        refuse(f"{customer} has no open collection case you may see")
    try:
        done = set_behaviour(actor=actor, case=case, behaviour=behaviour, reason=reason)
    except (CollectionsError, PermissionDenied) as exc:
        refuse(str(exc) or "your role may not set a case's behaviour")
    step = current_step(CollectionsPolicy.current().parsed(), done)
    console.print(f"{customer}: {behaviour}; strategy {done.strategy}, step {step['number']} of {step['of']} "
                  f"({step['action']}).", highlight=False, markup=False)


@collections.command("strategies")
def strategies_cmd() -> None:
    """The current policy's strategies, their steps, and the segments that choose them."""
    policy = CollectionsPolicy.current().parsed()
    for name, steps in policy.strategies.items():
        mark = " (default)" if name == policy.default_strategy else ""
        console.print(f"{name}{mark}: " + " -> ".join(f"{s.action}/{s.owner}/{s.wait_days}d" for s in steps),
                      highlight=False, markup=False)
    for i, seg in enumerate(policy.segments):
        parts = [f"{k}={','.join(map(str, v))}" for k, v in (("grades", seg.grades), ("zones", seg.zones),
                 ("amount_bands", seg.amount_bands), ("behaviours", seg.behaviours)) if v]
        console.print(f"segment {i + 1}: {' '.join(parts) or 'any case'} -> {seg.strategy}", highlight=False,
                      markup=False)
