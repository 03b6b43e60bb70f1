"""`fengkong collections …`: import a call centre's call records, print a collector's worklist, the instalment
plans and the acceptance bills, publish a collections policy version. Thin verbs: they parse, call an action or a query and print a one-line summary.
Every verb acts as a named user (`--user`): what a collector may see and do is what the command may."""

from __future__ import annotations

import json
from pathlib import Path

import click
from django.core.exceptions import PermissionDenied
from rich.table import Table

from fengkong.core.console import DATE, console, refuse, user_or_system
from fengkong.core.spreadsheets import write_frame_csv
from fengkong.customers.queries import visible_customers
from fengkong.integrations.exceptions import FileRejected

from . import dunning
from .actions import publish_policy
from .call_records import import_call_records
from .choices import BillStatus, PlanStatus
from .exceptions import CollectionsError, ImportInvalid, PolicyInvalid
from .models import AcceptanceBill, CollectionCase, CollectionsPolicy, DunningLetter, InstalmentPlan
from .performance import collector_performance
from .queries import best_contacts
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
    shown = list(cases.by_priority()[:limit])
    best = best_contacts(actor, [case.customer for case in shown])
    for case in shown:
        slot = best.get(case.customer_id)
        reach = f"best {slot.channel} {slot.weekdays} {slot.hours} {slot.reached}/{slot.tried}" if slot else "best -"
        console.print(f"{case.customer.code}\t{case.customer.name}\tloss {case.expected_loss}\tzone {case.zone}\t"
                      f"overdue {case.overdue_amount}\tdisputed {case.disputed_amount}\t{case.promise_status}\t"
                      f"next {case.next_action_on or '-'}\t{case.owner.get_username() if case.owner else '-'}\t{reach}",
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

@collections.command("dunning-letter")
@click.argument("customer")
@USER
@click.option("--level", type=click.Choice(["first", "second", "final"]), default=None,
              help="Default: the level after the last letter sent.")
@click.option("--language", type=click.Choice(["zh-hans", "en"]), default=None, help="Default: the customer's.")
@click.option("--email", "recipient", default=None, help="Send it by email to this address (default: don't send).")
@click.option("--ems", "ems_number", default=None, help="Record it as posted by EMS with this number.")
@click.option("--out", type=click.Path(dir_okay=True, file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Write the DOCX and the PDF into this directory.")
def dunning_letter(customer: str, username: str, level: str | None, language: str | None, recipient: str | None,
                   ems_number: str | None, out: Path) -> None:
    """Write CUSTOMER's dunning letter from today's figures (kept as evidence); send it by --email or record it as
    posted with --ems; the DOCX and PDF are written to --out."""
    actor = user_or_system(username)
    found = visible_customers(actor).filter(code=customer).first()
    if found is None:
        refuse(f"no customer {customer} in your portfolio")
    if recipient is not None and ems_number is not None:
        refuse("give --email or --ems, not both")
    channel = "email" if recipient is not None else "post" if ems_number is not None else "download"
    try:
        letter, files = dunning.write_letter(
            actor=actor, customer=found, level=level or dunning.suggested_level(found),
            language=language or dunning.customer_language(found), channel=channel, recipient=recipient or "",
            ems_number=ems_number or "")
    except (CollectionsError, PermissionDenied) as exc:
        refuse(str(exc) or "your role may not send dunning letters")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    letter.refresh_from_db()
    console.print(f"{letter.get_level_display()} to {found.code}: {letter.totals_text()}, "
                  f"{len(letter.items)} invoice(s); {letter.get_status_display()}; files in {out}.",
                  highlight=False, markup=False)


@collections.command("dunning-log")
@USER
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The CSV to write.")
@click.option("--customer", default=None, help="Only this customer's letters.")
def dunning_log(username: str, out: Path, customer: str | None) -> None:
    """Write the dunning log (every letter, how it went, whether it arrived) as a CSV safe to open in a
    spreadsheet."""
    actor = user_or_system(username)
    if not actor.has_perm("collections.view_dunningletter"):
        refuse("your role may not read the dunning log")
    letters = DunningLetter.objects.for_user(actor).select_related("customer", "created_by").order_by("created_at")
    if customer:
        letters = letters.filter(customer__code=customer)
    frame = dunning.log_frame(letters.iterator(chunk_size=2000))
    write_frame_csv(frame, out)
    console.print(f"{frame.height:,} letter(s) written to {out}.", highlight=False, markup=False)


def _rate(value: float | None, scale: float = 100) -> str:
    return "-" if value is None else f"{value * scale:.1f}%"


@collections.command("performance")
@USER
@click.option("--from", "date_from", type=DATE, default=None, help="First day (default: the last full month's).")
@click.option("--to", "date_to", type=DATE, default=None, help="Last day (default: the last full month's).")
def performance(username: str, date_from, date_to) -> None:
    """Collector performance over a period: per collector (only your own line unless you may read the team's),
    per portfolio and the team, over the customers this user may see."""
    try:
        result = collector_performance(user_or_system(username), date_from and date_from.date(),
                                       date_to and date_to.date())
    except (CollectionsError, PermissionDenied) as exc:
        refuse(str(exc) or "your role may not read collector performance")
    table = Table("collector / portfolio", "collected", "taken", "kept/partly/broken", "kept rate", "CEI",
                  "closed", "contacts", "reached", "disputes", "days to resolve")
    lines = [(line.label or "(no owner)", line) for line in result.collectors]
    lines += [(f"portfolio {line.label or '(none)'}", line) for line in result.portfolios]
    for label, line in [*lines, ("team", result.team)]:
        days = line.average_days_to_resolve
        table.add_row(label, f"{line.collected:,.2f}", str(line.promises_taken),
                      f"{line.promises_kept}/{line.promises_partially_kept}/{line.promises_broken}",
                      _rate(line.kept_rate), _rate(line.cei, 1), str(line.cases_closed), str(line.contacts),
                      _rate(line.reached_rate), str(line.disputes_resolved), "-" if days is None else f"{days:.1f}")
    console.print(table)
    console.print(f"{result.date_from} to {result.date_to}: {result.team.collected:,.2f} collected by "
                  f"{len(result.collectors)} collector line(s); CEI "
                  + (f"from the receivables of {result.receivables_from} and {result.receivables_to}."
                     if result.receivables_from else "not available (no monitored day before and in the period)."))


@collections.command("plans")
@USER
@click.option("--status", type=click.Choice([*PlanStatus.values, "all"]), default="all", show_default=True)
@click.option("--customer", default=None, help="Only this customer's plans.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def plans_cmd(username: str, status: str, customer: str | None, limit: int) -> None:
    """The instalment plans this user may see, the latest proposed first: customer, amount, status, who approves
    it, instalments kept of judged."""
    actor = user_or_system(username)
    if not actor.has_perm("collections.view_instalmentplan"):
        refuse("your role may not read instalment plans")
    rows = InstalmentPlan.objects.for_user(actor).select_related("customer").prefetch_related("instalments__promise")
    if status != "all":
        rows = rows.filter(status=status)
    if customer:
        rows = rows.filter(customer__code=customer)
    for plan in rows.order_by("-proposed_on", "-pk")[:limit]:
        states = [i.state for i in plan.instalments.all()]
        judged = [s for s in states if s not in ("scheduled", "pending", "cancelled")]
        console.print(f"{plan.pk}\t{plan.customer.code}\t{plan.amount}\t{plan.status}\t{plan.level}\t"
                      f"{len(states)} instalment(s)\t{judged.count('kept')} of {len(judged)} judged kept\t"
                      f"proposed {plan.proposed_on}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"{rows.count():,} instalment plan(s).")


@collections.command("bills")
@USER
@click.option("--status", type=click.Choice([*BillStatus.values, "all"]), default="all", show_default=True)
@click.option("--customer", default=None, help="Only this customer's bills.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def bills_cmd(username: str, status: str, customer: str | None, limit: int) -> None:
    """The acceptance bills this user may see, the soonest maturing first: number, customer, acceptor, amount,
    maturity, status and the night's flag."""
    actor = user_or_system(username)
    if not actor.has_perm("collections.view_acceptancebill"):
        refuse("your role may not read acceptance bills")
    rows = AcceptanceBill.objects.for_user(actor).select_related("customer")
    if status != "all":
        rows = rows.filter(status=status)
    if customer:
        rows = rows.filter(customer__code=customer)
    for bill in rows.order_by("maturity_date", "pk")[:limit]:
        console.print(f"{bill.pk}\t{bill.number}\t{bill.customer.code}\t{bill.acceptor_name}\t{bill.amount}\t"
                      f"matures {bill.maturity_date}\t{bill.status}" + (f"\t{bill.flag}" if bill.flag else ""),
                      highlight=False, markup=False, soft_wrap=True)
    console.print(f"{rows.count():,} acceptance bill(s).")
