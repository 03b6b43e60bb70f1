"""`fengkong provisions …`: compute the month-end provision (and propose it as a finance user), set an
individual provision, publish a provision policy version; request, decide and recover write-offs."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from django.core.exceptions import PermissionDenied, ValidationError

from fengkong.core.console import DATE, Stages, console, progress_bar, refuse, user_or_system
from fengkong.core.money import from_fen
from fengkong.customers.models import Customer
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import Invoice

from . import actions, write_offs
from .choices import WriteOffGround
from .exceptions import PolicyInvalid, ProvisionError
from .models import WriteOffRequest
from .queries import bucket_labels


def _as_json(computed: actions.Computed, run=None) -> dict:
    result, m = computed.result, computed.result.matrix
    labels = bucket_labels(m.edges)
    return {"as_of": computed.as_of.isoformat(), "policy_version": computed.policy.version,
            "months": len(computed.months), "gross_amount": str(from_fen(result.gross_fen)),
            "provision": str(from_fen(result.total_fen)), "multiplier": m.multiplier,
            "recovery_rate": m.recovery_rate, "recovery_source": computed.recovery.source,
            "recovery_cases": computed.recovery.cases,
            "buckets": [{"label": labels[i], "balance": str(from_fen(result.balance_fen[i])),
                         "roll_rate": m.roll_rates[i] if i < len(m.roll_rates) else None,
                         "loss_rate": m.loss_rates[i], "adjusted_rate": m.adjusted_rates[i],
                         "provision": str(from_fen(result.provision_fen[i]))} for i in range(len(labels))],
            "run": None if run is None else {"id": run.pk, "status": run.status, "closing": str(run.closing)}}


@click.group()
def provisions() -> None:
    """Bad-debt provisions: the month-end provision matrix (CAS 22 / IFRS 9)."""


@provisions.command("compute")
@click.option("--as-of", "as_of", type=DATE, required=True, help="The month-end (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the matrix and the provision as JSON on stdout.")
@click.option("--propose", is_flag=True, help="Store it as a proposal awaiting another person's approval.")
@click.option("--user", "username", default=None, help="The finance user who proposes (with --propose).")
@click.option("--note", default="", help="A note for the approver (with --propose).")
def compute_cmd(as_of, as_json: bool, propose: bool, username: str | None, note: str) -> None:
    """Compute the provision at a month-end from the ledger as it stood at each month-end of the look-back."""
    day = as_of.date()
    if propose and not username:
        raise click.UsageError("--propose needs --user: the finance user who proposes")
    try:
        with progress_bar() as bar:
            computed = actions.compute(day, progress=Stages(bar))
            run = (actions.propose_run(actor=user_or_system(username), as_of=day, note=note, computed=computed)
                   if propose else None)
    except (ProvisionError, MissingRate, PermissionDenied) as exc:
        refuse(str(exc))
    if as_json:
        click.echo(json.dumps(_as_json(computed, run), ensure_ascii=False, indent=2))
    result = computed.result
    what = f"; proposed as run {run.pk}, awaiting approval" if run else ""
    console.print(f"Provision at {day}: {from_fen(result.total_fen):,} on {from_fen(result.gross_fen):,} "
                  f"receivable ({len(result.lines):,} customer lines, {len(computed.months)} month-ends){what}.")


@provisions.command("individual")
@click.option("--customer", "code", required=True, help="The customer's code.")
@click.option("--rate", type=str, default=None, help="Share of the customer's balance, 0 to 1 (e.g. 1 for all).")
@click.option("--amount", type=str, default=None, help="An amount in the functional currency instead of a rate.")
@click.option("--reason", required=True, help="Why (litigation, bankruptcy filed, …).")
@click.option("--user", "username", required=True, help="The finance user who sets it.")
def individual_cmd(code: str, rate: str | None, amount: str | None, reason: str, username: str) -> None:
    """Give a customer an individual provision that replaces the matrix for it (ends any earlier one)."""
    customer = Customer.objects.filter(code=code).first()
    if customer is None:
        raise click.BadParameter(f"no customer {code}", param_hint="--customer")
    try:
        made = actions.set_individual_provision(actor=user_or_system(username), customer=customer, reason=reason,
                                                rate=_decimal(rate, "--rate"), amount=_decimal(amount, "--amount"))
    except (ValidationError, PermissionDenied) as exc:
        refuse("; ".join(getattr(exc, "messages", [str(exc)])))
    what = f"rate {made.rate}" if made.rate is not None else f"amount {made.amount:,}"
    console.print(f"Individual provision for {customer.code}: {what} ({made.reason}).")


@provisions.command("publish-policy")
@click.argument("config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="Why the policy changes.")
@click.option("--user", "username", required=True, help="The finance user who publishes it.")
def publish_policy_cmd(config_file: Path, note: str, username: str) -> None:
    """Publish a new provision policy version from a JSON file of settings (left-out settings take the defaults)."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        refuse(f"{config_file} is not JSON: {exc}")
    try:
        published = actions.publish_policy(actor=user_or_system(username), config=config, note=note)
    except PolicyInvalid as exc:
        refuse("the policy has problems: " + "; ".join(exc.problems))
    except PermissionDenied as exc:
        refuse(f"not allowed: {exc}")
    console.print(f"Provision policy v{published.version} published.")


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"not a number: {text!r}", param_hint=option) from None
    if not value.is_finite():
        raise click.BadParameter(f"not a number: {text!r}", param_hint=option)
    return value


# --- write-offs -------------------------------------------------------------------------------------

def _write_off_line(item) -> str:
    return (f"{item.reference} {item.invoice.number} {item.amount:,} {item.get_ground_display()}: "
            f"{item.get_status_display()} ({item.approvals.count()}/{item.approvers_needed} approvals)")


@provisions.command("write-off")
@click.option("--invoice", "number", required=True, help="The invoice number.")
@click.option("--amount", required=True, help="All or part of its open amount, such as 12345.67.")
@click.option("--ground", required=True, type=click.Choice(WriteOffGround.values),
              help="court, bankruptcy, deregistration or overdue_3y (国家税务总局公告2011年第25号).")
@click.option("--evidence", required=True, help="Evidence item ids, comma-separated (e.g. 12,15).")
@click.option("--statement", required=True, help="What happened and what was done to collect.")
@click.option("--user", "username", required=True, help="The finance user who requests it.")
def write_off_cmd(number: str, amount: str, ground: str, evidence: str, statement: str, username: str) -> None:
    """Request a write-off of an invoice's open amount; other people approve it."""
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        raise click.BadParameter(f"no invoice {number}", param_hint="--invoice")
    try:
        ids = [int(p) for p in evidence.replace("#", "").split(",") if p.strip()]
    except ValueError:
        raise click.BadParameter(f"not a list of evidence ids: {evidence!r}", param_hint="--evidence") from None
    try:
        made = write_offs.request_write_off(actor=user_or_system(username), invoice=invoice, amount=amount,
                                            ground=ground, statement=statement, evidence_ids=ids)
    except (ProvisionError, PermissionDenied) as exc:
        refuse(str(exc))
    console.print(f"Requested: {_write_off_line(made)}.")


@provisions.command("write-off-decide")
@click.argument("request_id", type=int)
@click.option("--approve/--reject", required=True, help="Approve, or reject (with --note).")
@click.option("--note", default="", help="Why (needed to reject).")
@click.option("--user", "username", required=True, help="The finance user who decides (not the requester).")
def write_off_decide_cmd(request_id: int, approve: bool, note: str, username: str) -> None:
    """Approve or reject a write-off request; the last approval needed posts it."""
    item = WriteOffRequest.objects.filter(pk=request_id).first()
    if item is None:
        raise click.BadParameter(f"no write-off request {request_id}", param_hint="REQUEST_ID")
    try:
        decided = write_offs.decide_write_off(actor=user_or_system(username), request=item, approve=approve,
                                              note=note)
    except (ProvisionError, PermissionDenied) as exc:
        refuse(str(exc))
    console.print(f"{_write_off_line(decided)}.")


@provisions.command("recovery")
@click.argument("request_id", type=int)
@click.option("--amount", required=True, help="The amount received, such as 1000.00.")
@click.option("--on", "received_on", type=DATE, required=True, help="The day it was received (YYYY-MM-DD).")
@click.option("--note", default="", help="A note (the receipt, the court's distribution …).")
@click.option("--user", "username", required=True, help="The finance user who records it.")
def recovery_cmd(request_id: int, amount: str, received_on, note: str, username: str) -> None:
    """Record money received on a written-off amount."""
    item = WriteOffRequest.objects.filter(pk=request_id).first()
    if item is None:
        raise click.BadParameter(f"no write-off request {request_id}", param_hint="REQUEST_ID")
    try:
        made = write_offs.record_recovery(actor=user_or_system(username), request=item, amount=amount,
                                          received_on=received_on.date(), note=note)
    except (ProvisionError, PermissionDenied) as exc:
        refuse(str(exc))
    console.print(f"Recovered {made.amount:,} on {item.reference} ({made.received_on}).")
