"""`fengkong legal cases|calendar|limitations|court-fee|open-referrals|preservation|end-engagement`: the legal
worklist, the deadline calendar, the limitation periods ending, the court-fee scale, cases opened for the
referrals waiting, the signs for preservation, and the end of a law firm's engagement."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

import click
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rich.table import Table

from fengkong.core.console import console, refuse, user_or_system
from fengkong.engine import court_fees
from fengkong.monitoring.choices import ActionKind
from fengkong.monitoring.models import ActionItem

from . import actions, firms, queries
from .exceptions import LegalError, StageDetailsInvalid
from .limitations import visible_limitations
from .models import Engagement

FEES = {"acceptance": court_fees.acceptance_fee, "payment-order": court_fees.payment_order_fee,
        "preservation": court_fees.preservation_fee, "enforcement": court_fees.enforcement_fee}
USER = click.option("--user", "username", required=True, help="Whose cases (their role and portfolios apply).")


@click.group()
def legal() -> None:
    """Legal recovery: cases, deadlines, limitation periods, court fees."""


@legal.command("cases")
@USER
def cases_cmd(username: str) -> None:
    """The open cases, the largest amount at risk first, then the nearest deadline."""
    table = Table("case", "customer", "stage", "at risk", "next deadline")
    rows = queries.worklist(user_or_system(username))
    for case in rows:
        table.add_row(case.number, case.customer.code, case.get_stage_display(), f"{case.at_risk:,.2f}",
                      str(case.next_deadline or "—"))
    console.print(table)
    console.print(f"{rows.count()} open cases.")


@legal.command("calendar")
@USER
def calendar_cmd(username: str) -> None:
    """Every legal date not done yet, soonest first."""
    table = Table("due", "what", "case", "customer")
    for deadline in queries.calendar(user_or_system(username))[:500]:
        table.add_row(str(deadline.due_on), deadline.get_kind_display(), deadline.case.number,
                      deadline.case.customer.code)
    console.print(table)


@legal.command("limitations")
@USER
@click.option("--within", default=180, show_default=True, type=click.IntRange(0, 3650),
              help="Periods ending within this many days (or ended).")
def limitations_cmd(username: str, within: int) -> None:
    """The limitation period of every open receivable ending soon (民法典 §188, interrupted per §195)."""
    found = visible_limitations(user_or_system(username), timezone.localdate(), within=within)
    table = Table("ends", "days left", "invoice", "customer", "open amount", "running since")
    for row in found:
        table.add_row(str(row.ends), str(row.days_left), row.invoice, row.customer_code, f"{row.open_amount:,.2f}",
                      str(row.started))
    console.print(table)
    console.print(f"{len(found)} receivables whose limitation period ends within {within} days or has ended.")


@legal.command("court-fee")
@click.argument("amount")
@click.option("--kind", type=click.Choice(list(FEES)), default="acceptance", show_default=True)
@click.option("--summary", is_flag=True, help="Summary procedure: half the acceptance fee (art. 16).")
def court_fee_cmd(amount: str, kind: str, summary: bool) -> None:
    """The court fee of AMOUNT yuan by 诉讼费用交纳办法, band by band."""
    try:
        yuan = Decimal(amount)
    except InvalidOperation:
        refuse(f"AMOUNT must be yuan such as 1000000.00, not {amount!r}")
    if not yuan.is_finite() or yuan < 0 or yuan.as_tuple().exponent < -2:
        refuse(f"AMOUNT must be yuan with at most two decimals, at least 0, not {amount!r}")
    fee = court_fees.acceptance_fee(int(yuan * 100), summary=True) if summary and kind == "acceptance" else \
        FEES[kind](int(yuan * 100))
    for line in fee.lines:
        upper = f"{line.upper_fen / 100:,.2f}" if line.upper_fen is not None else "…"
        rate = f"{line.basis_points / 100:g}%" if line.basis_points else "flat"
        console.print(f"  {line.lower_fen / 100:>16,.2f} – {upper:>16}  {rate:>6}  {line.fee_fen / 100:>12,.2f}")
    console.print(f"{kind} fee of {yuan:,.2f} yuan: [bold]{fee.fee_fen / 100:,.2f}[/bold] yuan {fee.note}")


@legal.command("open-referrals")
@USER
def open_referrals_cmd(username: str) -> None:
    """Open a case for every legal-referral task waiting, with the customer's overdue amount as principal."""
    actor = user_or_system(username)
    waiting = ActionItem.objects.for_user(actor).open().filter(kind=ActionKind.LEGAL_REFERRAL, legal_case__isnull=True)
    opened, refused = 0, []
    for referral in waiting.select_related("customer"):
        try:
            actions.open_case(actor=actor, customer=referral.customer, claim=actions.open_referral_claim(referral),
                              referral=referral)
            opened += 1
        except (LegalError, PermissionDenied) as exc:
            refused.append(f"{referral.customer.code}: {exc}")
    for line in refused:
        console.print(f"[yellow]skipped[/yellow] {line}", highlight=False)
    console.print(f"Opened {opened} cases from referrals; {len(refused)} skipped.")


@legal.command("preservation")
@USER
def preservation_cmd(username: str) -> None:
    """The open cases and the danger-zone customers without a case, the strongest signs for property
    preservation now first, with the newest decision."""
    user = user_or_system(username)
    rows = sorted(queries.ranked_cases(user) + queries.danger_zone_without_case(user), key=queries.order_key)
    table = Table("score", "customer", "case", "signs", "decision")
    for row in rows:
        decision = row.decision
        table.add_row(str(row.signs.score), row.customer.code, row.case.number if row.case else "—",
                      ", ".join(s.kind for s in row.signs.present) or "—",
                      f"{decision.decision} {decision.decided_at:%Y-%m-%d} {decision.decided_by}" if decision else "—")
    console.print(table)
    console.print(f"{len(rows)} cases and danger-zone customers; {sum(1 for r in rows if r.signs.score)} with signs.")


@legal.command("end-engagement")
@click.argument("number")
@click.option("--on", "ended_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day it ends (YYYY-MM-DD; default today): not before it started, not in the future.")
@click.option("--reason", required=True, help="Why it ends (kept with the engagement).")
@USER
def end_engagement_cmd(number: str, ended_on: datetime | None, reason: str, username: str) -> None:
    """End the law firm's engagement NUMBER (WT-2026-0001) on every case it covers: its users no longer see them."""
    actor = user_or_system(username)
    engagement = Engagement.objects.filter(number=number).first()
    if engagement is None or queries.visible_engagement(actor, engagement.pk) is None:
        refuse(f"no engagement {number} of a case in your portfolio")
    day = ended_on.date() if ended_on else timezone.localdate()
    try:
        ended = firms.end_engagement(actor=actor, engagement=engagement, ended_on=day, reason=reason)
    except StageDetailsInvalid as exc:
        refuse("; ".join(exc.problems))
    except (LegalError, PermissionDenied) as exc:
        refuse(str(exc) or "your role does not allow ending an engagement")
    cases = ", ".join(c.number for c in ended.cases.order_by("number"))
    console.print(f"Ended {ended.number} of {ended.firm.name} on {ended.ended_on} ({cases}).", highlight=False)
