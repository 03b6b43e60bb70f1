"""What an alert sets going: the actions of its rule (article §4), inside the transaction that raised it.

Design decisions:
- An alert's side effects are claimed once: `claim_pending` sets `dispatched_at` with a conditional
  UPDATE (rows locked with SKIP LOCKED on PostgreSQL), and only claimed alerts are dispatched, so a
  second run or a second worker never repeats them. Everything is written in the caller's transaction:
  if it rolls back, the claim does too and the next run dispatches again.
- Messages go through `fengkong.notifications.outbox.notify`, which only writes pending deliveries
  (deduplicated per alert, channel, recipient and template) and sends after commit.
- Recipients are resolved for the whole batch in a handful of queries. Collectors and sales staff are
  those who work the customer's portfolio; a customer without one (or a portfolio nobody works) goes to
  the risk managers, so that no alert reaches nobody.
- Reminder letters (DOCX) are written by a background task after commit (tasks.write_reminder_letters),
  "in parallel" with the phone call as the article has it, and so the cycle does not wait on them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from fengkong.accounts.choices import Role
from fengkong.accounts.models import Portfolio
from fengkong.core.audit import Change
from fengkong.core.money import from_fen
from fengkong.customers.models import Contact, Customer
from fengkong.receivables.models import Invoice

from .choices import KIND_ZONE, ActionKind, AlertKind
from .models import ActionItem, Alert, StopSupply
from .policy import Policy

log = logging.getLogger(__name__)
CHUNK = 5000
LISTED_INVOICES = 50  # a reminder lists at most this many invoices (the oldest first)

TEMPLATES = {
    AlertKind.ZONE_ATTENTION: "collector_notice", AlertKind.ZONE_WARNING: "phone_task",
    AlertKind.ZONE_DANGER: "legal_referral", AlertKind.LARGE_OVERDUE: "large_overdue",
    AlertKind.UTILISATION_90: "limit_utilisation", AlertKind.UTILISATION_100: "limit_utilisation",
    AlertKind.GRADE_DOWNGRADE: "escalation", AlertKind.ESCALATION: "escalation",
}
ACTION_DAYS = {ActionKind.PHONE_CALL: 2, ActionKind.REMINDER_LETTER: 3, ActionKind.LEGAL_REFERRAL: 5}


def notify(**kwargs) -> int:
    """Queue messages for an alert through the notifications app (0 when it is not installed)."""
    if not apps.is_installed("fengkong.notifications"):
        return 0
    from fengkong.notifications.outbox import notify as queue

    return queue(**kwargs)


def claim_pending() -> list[Alert]:
    """Claim every alert whose actions have not been started; the caller dispatches them in its transaction."""
    pending = Alert.objects.filter(dispatched_at__isnull=True).order_by("pk")
    if connection.vendor == "postgresql":
        pending = pending.select_for_update(skip_locked=True)
    ids = list(pending.values_list("pk", flat=True))
    claimed = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        Alert.objects.filter(pk__in=chunk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
        claimed += list(Alert.objects.filter(pk__in=chunk).select_related("customer"))
    return claimed


@dataclass
class People:
    """Who receives what: collectors and sales per portfolio, legal officers, risk managers."""

    collectors: dict[int, list] = field(default_factory=dict)
    sales: dict[int, list] = field(default_factory=dict)
    legal: list = field(default_factory=list)
    managers: list = field(default_factory=list)

    @classmethod
    def load(cls) -> People:
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        by_role = {role: list(users.filter(groups__name=role).distinct())
                   for role in (Role.COLLECTOR, Role.SALES, Role.LEGAL_OFFICER, Role.RISK_MANAGER)}
        members = defaultdict(set)
        for portfolio_id, user_id in Portfolio.members.through.objects.values_list("portfolio_id", "user_id"):
            members[portfolio_id].add(user_id)
        return cls(_by_portfolio(by_role[Role.COLLECTOR], members), _by_portfolio(by_role[Role.SALES], members),
                   by_role[Role.LEGAL_OFFICER], by_role[Role.RISK_MANAGER])

    def collectors_of(self, customer: Customer) -> list:
        return self.collectors.get(customer.portfolio_id) or self.managers

    def sales_of(self, customer: Customer) -> list:
        return self.sales.get(customer.portfolio_id) or self.managers


def _by_portfolio(users: list, members: dict[int, set]) -> dict[int, list]:
    return {pid: [u for u in users if u.pk in ids] for pid, ids in members.items()}


@dataclass
class Outcome:
    notifications: int = 0
    action_items: int = 0
    stop_supply: int = 0
    letters: int = 0
    audit: list[Change] = field(default_factory=list)


class Dispatcher:
    """Runs the actions of each claimed alert's rule. Build once per batch, call `run(alerts)`."""

    def __init__(self, policy: Policy, as_of: date, people: People | None = None):
        self.policy, self.as_of = policy, as_of
        self.people = people or People.load()

    def run(self, alerts: list[Alert]) -> Outcome:
        outcome = Outcome()
        if not alerts:
            return outcome
        customer_ids = sorted({a.customer_id for a in alerts})
        self.contacts = _primary_contacts(customer_ids)
        self.overdue = _overdue_invoices(customer_ids, self.as_of)
        self.stops = {s.customer_id: s for s in _in_chunks(StopSupply.objects, "customer_id", customer_ids)}
        items: list[ActionItem] = []
        for alert in alerts:
            rule = self.policy.rule(alert.kind)
            for action in rule.actions if rule.enabled else ():
                getattr(self, f"_{action}")(alert, items, outcome)
            outcome.audit.append(Change("alert.raised", "alert", str(alert.pk), after={
                "kind": alert.kind, "customer": alert.customer_id, "invoice": alert.invoice_id,
                "as_of": alert.as_of, "title": alert.title}))
        ActionItem.objects.bulk_create(items, batch_size=2000, ignore_conflicts=True)
        outcome.action_items += len(items)
        if outcome.letters:
            from .tasks import write_reminder_letters

            transaction.on_commit(lambda: write_reminder_letters())
        return outcome

    # --- context ----------------------------------------------------------------------------------

    def context(self, alert: Alert) -> dict:
        invoices = self.overdue.get(alert.customer_id, [])
        threshold = self._threshold(alert)
        listed = [i for i in invoices if i["days_overdue"] >= threshold] or invoices
        contact = self.contacts.get(alert.customer_id)
        details = alert.details or {}
        return {
            "customer": alert.customer, "contact": contact, "as_of": alert.as_of, "alert": alert,
            "invoices": listed[:LISTED_INVOICES], "days_overdue": threshold or None,
            "amount": Decimal(details["amount"]) if "amount" in details else sum(
                (i["open_amount"] for i in listed), Decimal("0.00")),
            "exposure": details.get("exposure"), "limit": details.get("limit"),
            "utilisation": details.get("utilisation"), "days": details.get("days"),
        }

    def _threshold(self, alert: Alert) -> int:
        zone = KIND_ZONE.get(alert.kind)
        return {1: self.policy.attention_days, 2: self.policy.warning_days,
                3: self.policy.danger_days}.get(zone, 1)

    def _send(self, alert: Alert, audience: str, template: str, outcome: Outcome, users: Iterable = (),
              contact=None) -> None:
        outcome.notifications += notify(alert=alert, audience=audience, template=template, users=list(users),
                                        customer_contact=contact, context=self.context(alert))

    def _task(self, alert: Alert, kind: str, assignee, items: list[ActionItem]) -> None:
        items.append(ActionItem(kind=kind, customer_id=alert.customer_id, alert=alert, assigned_to=assignee,
                                due_date=self.as_of + timedelta(days=ACTION_DAYS[kind])))

    # --- actions (names as in policy.ACTIONS) -----------------------------------------------------

    def _customer_reminder(self, alert, items, outcome) -> None:
        contact = self.contacts.get(alert.customer_id)
        if contact is None:
            log.info("no primary contact for customer %s: no reminder sent", alert.customer_id)
            return
        self._send(alert, "customer", "overdue_reminder", outcome, contact=contact)

    def _collector_notice(self, alert, items, outcome) -> None:
        self._send(alert, "collector", "collector_notice", outcome, self.people.collectors_of(alert.customer))

    def _phone_call(self, alert, items, outcome) -> None:
        collectors = self.people.collectors_of(alert.customer)
        self._task(alert, ActionKind.PHONE_CALL, collectors[0] if collectors else None, items)
        self._send(alert, "collector", "phone_task", outcome, collectors)

    def _reminder_letter(self, alert, items, outcome) -> None:
        collectors = self.people.collectors_of(alert.customer)
        self._task(alert, ActionKind.REMINDER_LETTER, collectors[0] if collectors else None, items)
        outcome.letters += 1

    def _legal_referral(self, alert, items, outcome) -> None:
        legal = self.people.legal or self.people.managers
        self._task(alert, ActionKind.LEGAL_REFERRAL, legal[0] if legal else None, items)
        self._send(alert, "legal", "legal_referral", outcome, legal)

    def _stop_supply(self, alert, items, outcome) -> None:
        stop = self.stops.get(alert.customer_id)
        reason = alert.title[:200]
        if stop is None:
            stop = StopSupply.objects.create(customer_id=alert.customer_id, since=self.as_of, reason=reason,
                                             alert=alert)
            self.stops[alert.customer_id] = stop
        elif not stop.active:
            claimed = StopSupply.objects.filter(pk=stop.pk, active=False).update(
                active=True, since=self.as_of, reason=reason, alert=alert, flagged_at=timezone.now(),
                lifted_at=None, lifted_by=None, lift_reason="")
            if not claimed:
                return
            stop.active = True
        else:
            return
        outcome.stop_supply += 1
        outcome.audit.append(Change("stop_supply.flagged", "stopsupply", str(stop.pk), after={
            "customer": alert.customer_id, "since": self.as_of, "alert": alert.pk, "reason": reason}))
        self._send(alert, "sales", "stop_supply", outcome, self.people.sales_of(alert.customer))

    def _notify_sales(self, alert, items, outcome) -> None:
        self._send(alert, "sales", TEMPLATES[alert.kind], outcome, self.people.sales_of(alert.customer))

    def _notify_legal(self, alert, items, outcome) -> None:
        self._send(alert, "legal", TEMPLATES[alert.kind], outcome, self.people.legal or self.people.managers)

    def _notify_manager(self, alert, items, outcome) -> None:
        self._send(alert, "manager", TEMPLATES[alert.kind], outcome, self.people.managers)


def _in_chunks(queryset, field_name: str, ids: list[int]) -> list:
    out = []
    for start in range(0, len(ids), CHUNK):
        out += list(queryset.filter(**{f"{field_name}__in": ids[start:start + CHUNK]}))
    return out


def _primary_contacts(customer_ids: list[int]) -> dict[int, Contact]:
    return {c.customer_id: c for c in _in_chunks(Contact.objects.filter(is_primary=True), "customer_id",
                                                  customer_ids)}


def _overdue_invoices(customer_ids: list[int], as_of: date) -> dict[int, list[dict]]:
    """Each customer's overdue invoices, oldest first, as the dicts the notification templates list."""
    out: dict[int, list[dict]] = defaultdict(list)
    for start in range(0, len(customer_ids), CHUNK):
        rows = (Invoice.objects.overdue(as_of).filter(customer_id__in=customer_ids[start:start + CHUNK])
                .order_by("customer_id", "due_date", "number")
                .values_list("customer_id", "id", "number", "due_date", "open_amount", "currency"))
        for customer_id, pk, number, due, open_amount, currency in rows:
            out[customer_id].append({"id": pk, "number": number, "due_date": due, "open_amount": open_amount,
                                     "currency": currency, "days_overdue": (as_of - due).days})
    return out


def amount_text(fen: int) -> str:
    return str(from_fen(fen))
