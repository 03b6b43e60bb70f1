"""What an alert sets going: the actions of its rule (article §4), in two claimed phases.

Design decisions:
- Phase 1, records (`Dispatcher.run`, inside the cycle's transaction that raised the alerts): action
  items, stop-supply flags and audit events, all written in bulk. Claimed by `dispatched_at`.
- Phase 2, messages (`send_pending_messages`, after commit, by a background task or inline): each
  alert's messages through `fengkong.notifications.outbox.notify`, which writes deduplicated pending
  deliveries and sends after commit. Claimed by `notified_at`, a chunk of alerts per transaction.
  Rendering a message costs milliseconds, so a first run over an existing book (tens of thousands of
  alerts) hands its messages to the worker instead of keeping the cycle waiting.
- Both claims are conditional UPDATEs of a NULL column, with the rows locked SKIP LOCKED on PostgreSQL:
  a second run, or a second worker, never repeats a record or a message. If a transaction rolls back,
  its claim does too and the next run or task takes the alerts again.
- Recipients are resolved for the whole batch in a handful of queries. Collectors and sales staff are
  those who work the customer's portfolio; a customer without one (or a portfolio nobody works) goes to
  the risk managers, so that no alert reaches nobody.
- Reminder letters (DOCX) are written by a background task after commit (tasks.write_reminder_letters),
  "in parallel" with the phone call as the article has it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fengkong.accounts.choices import Role
from fengkong.accounts.models import Portfolio
from fengkong.core.audit import Change
from fengkong.customers.models import Contact
from fengkong.notifications.choices import level_name
from fengkong.notifications.digests import DigestLine
from fengkong.notifications.outbox import notify, send_digests
from fengkong.receivables.models import Invoice

from . import store
from .choices import KIND_ZONE, ActionKind, AlertKind
from .models import ActionItem, Alert, CustomerSnapshot, MonitoringPolicy, StopSupply
from .policy import Policy

log = logging.getLogger(__name__)
CHUNK = 5000
LISTED_INVOICES = 50  # a reminder lists at most this many invoices (the oldest first)

TEMPLATES = {
    AlertKind.ZONE_ATTENTION: "collector_notice", AlertKind.ZONE_WARNING: "phone_task",
    AlertKind.ZONE_DANGER: "legal_referral", AlertKind.LARGE_OVERDUE: "large_overdue",
    AlertKind.UTILISATION_90: "limit_utilisation", AlertKind.UTILISATION_100: "limit_utilisation",
    AlertKind.GRADE_DOWNGRADE: "escalation", AlertKind.ESCALATION: "escalation",
    AlertKind.PROMISE_BROKEN: "promise_broken",
    AlertKind.STRATEGY_STOP_SUPPLY: "stop_supply", AlertKind.STRATEGY_LEGAL: "legal_referral",
}
ACTION_DAYS = {ActionKind.PHONE_CALL: 2, ActionKind.REMINDER_LETTER: 3, ActionKind.LEGAL_REFERRAL: 5}


ACCOUNTABLE: list[Callable[[list[int]], dict[int, list]]] = []


def register_accountable(people_of: Callable[[list[int]], dict[int, list]]) -> Callable:
    """Register a source of the people accountable for customers (customer id -> users), who receive the
    manager's messages about them beside the risk managers: credit registers the owners of credit limits
    (§16, the approver answers for the limit's follow-ups). Called at start-up (an app's apps.ready)."""
    if people_of not in ACCOUNTABLE:
        ACCOUNTABLE.append(people_of)
    return people_of


DUNNING_HOLDS: list[Callable[[list[int]], set[int]]] = []
DUNNING = frozenset({"customer_reminder", "reminder_letter"})


def register_dunning_hold(held: Callable[[list[int]], set[int]]) -> Callable:
    """Register a source of customers whose dunning waits (customer ids -> the held ones): collections
    registers the customers with a pending promise to pay. Their reminders and reminder letters are not
    sent while held; the alert and its other actions go on. Called at start-up (an app's apps.ready)."""
    if held not in DUNNING_HOLDS:
        DUNNING_HOLDS.append(held)
    return held


def dunning_held(customer_ids: list[int]) -> set[int]:
    """The customers among `customer_ids` whose dunning is on hold."""
    out: set[int] = set()
    for held in DUNNING_HOLDS:
        out |= held(customer_ids)
    return out


def accountable_people(customer_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for people_of in ACCOUNTABLE:
        for customer_id, users in people_of(customer_ids).items():
            out[customer_id] += users
    return out


def _claim(column: str, where: str = "", limit: int | None = None) -> list[Alert]:
    """Claim alerts by setting `column` (conditional UPDATE, see store.claim) and load them."""
    ids = store.claim(column, where, limit)
    claimed = []
    for start in range(0, len(ids), CHUNK):
        claimed += list(Alert.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("customer").order_by("pk"))
    return claimed


@dataclass(frozen=True, slots=True)
class AlertRow:
    """What writing an alert's records needs, read without building model objects (first runs raise tens
    of thousands)."""

    pk: int
    kind: str
    customer_id: int
    portfolio_id: int | None
    invoice_id: int | None
    as_of: date
    title: str


def claim_pending() -> list[AlertRow]:
    """Claim every alert whose records (tasks, flags) are not written yet; the caller writes them."""
    ids = store.claim("dispatched_at")
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += [AlertRow(*row) for row in Alert.objects.filter(pk__in=ids[start:start + CHUNK]).order_by("pk")
                 .values_list("pk", "kind", "customer_id", "customer__portfolio_id", "invoice_id", "as_of", "title")]
    return rows


def send_pending_messages(chunk: int = 500, limit: int | None = None) -> int:
    """Send the messages of every alert whose records are written and messages not yet queued.

    One transaction per chunk of alerts (at most `limit` alerts in all); returns how many deliveries
    were queued.
    """
    policy = MonitoringPolicy.current().parsed()
    people, queued, done = None, 0, 0
    while limit is None or done < limit:
        with transaction.atomic():
            size = chunk if limit is None else min(chunk, limit - done)
            alerts = _claim("notified_at", "dispatched_at IS NOT NULL", limit=size)
            if not alerts:
                send_digests()  # every alert of the day is in its digests: write them, one email each
                return queued
            done += len(alerts)
            people = people or People.load()
            queued += Dispatcher(policy, max(a.as_of for a in alerts), people).send(alerts)
    return queued


def messages_pending() -> int:
    return Alert.objects.filter(dispatched_at__isnull=False, notified_at__isnull=True).count()


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

    def collectors_of(self, portfolio_id: int | None) -> list:
        return self.collectors.get(portfolio_id) or self.managers

    def sales_of(self, portfolio_id: int | None) -> list:
        return self.sales.get(portfolio_id) or self.managers


def _by_portfolio(users: list, members: dict[int, set]) -> dict[int, list]:
    return {pid: [u for u in users if u.pk in ids] for pid, ids in members.items()}


@dataclass
class Outcome:
    action_items: int = 0
    stop_supply: int = 0
    letters: int = 0
    audit: list[Change] = field(default_factory=list)


class Dispatcher:
    """Runs the actions of claimed alerts' rules: `run` writes their records, `send` queues their messages."""

    def __init__(self, policy: Policy, as_of: date, people: People | None = None):
        self.policy, self.as_of = policy, as_of
        self.people = people or People.load()
        self.held: set[int] = set()

    def actions(self, alert: Alert) -> tuple[str, ...]:
        rule = self.policy.rule(alert.kind)
        if not rule.enabled:
            return ()
        if alert.customer_id in self.held:
            return tuple(a for a in rule.actions if a not in DUNNING)
        return rule.actions

    def hold_dunning(self, alerts) -> None:
        self.held = dunning_held(sorted({a.customer_id for a in alerts}))

    # --- phase 1: records -------------------------------------------------------------------------

    def run(self, alerts: list[AlertRow]) -> Outcome:
        """Write the records of claimed alerts: tasks, stop-supply flags, and their audit events.

        The alerts themselves get one `alerts.raised` event per batch listing them (id, kind, customer),
        as the importer records one event per file: a first run raises tens of thousands, each already a
        row with its time and policy version; stop-supply flags, which stop sales, get one event each.
        """
        outcome = Outcome()
        if not alerts:
            return outcome
        items: list[ActionItem] = []
        stops: list[AlertRow] = []
        self.hold_dunning(alerts)
        for alert in alerts:
            acts = self.actions(alert)
            for kind in (ActionKind.PHONE_CALL, ActionKind.REMINDER_LETTER, ActionKind.LEGAL_REFERRAL):
                if kind.value in acts:
                    items.append(self._task(alert, kind))
            if "stop_supply" in acts:
                stops.append(alert)
        outcome.audit.append(Change("alerts.raised", "alert", f"{alerts[0].pk}-{alerts[-1].pk}", after={
            "count": len(alerts), "as_of": max(a.as_of for a in alerts),
            "alerts": [[a.pk, a.kind, a.customer_id, a.invoice_id] for a in alerts]}))
        store.insert_action_items(items)
        outcome.action_items = len(items)
        outcome.letters = sum(1 for i in items if i.kind == ActionKind.REMINDER_LETTER)
        self._flag_stop_supply(stops, outcome)
        return outcome

    def _task(self, alert: AlertRow, kind: str) -> ActionItem:
        if kind == ActionKind.LEGAL_REFERRAL:
            people = self.people.legal or self.people.managers
        else:
            people = self.people.collectors_of(alert.portfolio_id)
        return ActionItem(kind=kind, customer_id=alert.customer_id, alert_id=alert.pk,
                          assigned_to=people[0] if people else None,
                          due_date=alert.as_of + timedelta(days=ACTION_DAYS[kind]))

    def _flag_stop_supply(self, alerts: list[AlertRow], outcome: Outcome) -> None:
        """Flag each customer once: create the flag, or reactivate a lifted one (conditional UPDATE)."""
        by_customer = {a.customer_id: a for a in alerts}
        existing = {s.customer_id: s for s in in_chunks(StopSupply.objects, "customer_id", sorted(by_customer))}
        fresh = [StopSupply(customer_id=cid, since=a.as_of, reason=a.title[:200], alert_id=a.pk)
                 for cid, a in by_customer.items() if cid not in existing]
        StopSupply.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
        flagged = [s for s in in_chunks(StopSupply.objects, "customer_id", [f.customer_id for f in fresh])
                   if s.alert_id == by_customer[s.customer_id].pk]
        for cid, stop in existing.items():
            alert = by_customer[cid]
            if not stop.active and StopSupply.objects.filter(pk=stop.pk, active=False).update(
                    active=True, since=alert.as_of, reason=alert.title[:200], alert_id=alert.pk,
                    flagged_at=timezone.now(),
                    lifted_at=None, lifted_by=None, lift_reason=""):
                flagged.append(stop)
        for stop in flagged:
            alert = by_customer[stop.customer_id]
            outcome.audit.append(Change("stop_supply.flagged", "stopsupply", str(stop.pk), after={
                "customer": stop.customer_id, "since": alert.as_of, "alert": alert.pk, "reason": alert.title[:200]}))
        outcome.stop_supply = len(flagged)

    # --- phase 2: messages ------------------------------------------------------------------------

    def send(self, alerts: list[Alert]) -> int:
        """Queue every message of the alerts' rules; returns how many deliveries were new."""
        customer_ids = sorted({a.customer_id for a in alerts})
        self.contacts = _primary_contacts(customer_ids)
        self.overdue = _overdue_invoices(customer_ids, max(a.as_of for a in alerts))
        flagged_by = set(StopSupply.objects.filter(alert__in=alerts, active=True).values_list("alert_id", flat=True))
        self.owners = accountable_people(customer_ids)
        self.standing = _standing(customer_ids, max(a.as_of for a in alerts))
        self.hold_dunning(alerts)
        queued = 0
        for alert in alerts:
            for action in self.actions(alert):
                if action == "stop_supply" and alert.pk not in flagged_by:
                    continue  # the customer was already flagged: sales know
                queued += self._message(alert, action)
        return queued

    def _message(self, alert: Alert, action: str) -> int:
        portfolio = alert.customer.portfolio_id
        template = TEMPLATES[alert.kind]
        if action == "customer_reminder":
            contact = self.contacts.get(alert.customer_id)
            if contact is None:
                log.info("no primary contact for customer %s: no reminder sent", alert.customer_id)
                return 0
            return self._send(alert, "customer", "overdue_reminder", contact=contact)
        routes = {
            "collector_notice": ("collector", "collector_notice", self.people.collectors_of(portfolio)),
            "notify_collector": ("collector", template, self.people.collectors_of(portfolio)),
            "phone_call": ("collector", "phone_task", self.people.collectors_of(portfolio)),
            "legal_referral": ("legal", "legal_referral", self.people.legal or self.people.managers),
            "stop_supply": ("sales", "stop_supply", self.people.sales_of(portfolio)),
            "notify_sales": ("sales", template, self.people.sales_of(portfolio)),
            "notify_legal": ("legal", template, self.people.legal or self.people.managers),
            "notify_manager": ("manager", template, list(dict.fromkeys(
                [*self.people.managers, *self.owners.get(alert.customer_id, [])]))),
        }
        if action not in routes:
            return 0  # reminder_letter: its notice goes with the letter (actions.write_reminder_letter)
        audience, template, users = routes[action]
        return self._send(alert, audience, template, users)

    def _send(self, alert: Alert, audience: str, template: str, users: Iterable = (), contact=None) -> int:
        context = self.context(alert)
        return notify(alert=alert, audience=audience, template=template, users=list(users),
                      customer_contact=contact, context=context,
                      digest=None if contact is not None else self.digest_line(alert, context))

    def digest_line(self, alert: Alert, context: dict) -> DigestLine:
        """What the digest of the alert's day shows of it (notifications.digests): staff get their alerts
        there, with the customer's zone and overdue amount as of the latest snapshot."""
        zone, overdue = self.standing.get(alert.customer_id, (KIND_ZONE.get(alert.kind, 0), Decimal("0.00")))
        return DigestLine(as_of=alert.as_of, customer_id=alert.customer_id, portfolio_id=alert.customer.portfolio_id,
                          title=alert.title, level=level_name(alert.level), escalated=alert.kind == AlertKind.ESCALATION,
                          amount=context["amount"],
                          zone=zone, overdue_amount=overdue)

    def context(self, alert: Alert) -> dict:
        threshold = self._threshold(alert)
        invoices = [{**i, "days_overdue": (alert.as_of - i["due_date"]).days}
                    for i in self.overdue.get(alert.customer_id, []) if i["due_date"] < alert.as_of]
        listed = [i for i in invoices if i["days_overdue"] >= threshold] or invoices
        details = alert.details or {}
        return {
            "customer": alert.customer, "contact": self.contacts.get(alert.customer_id), "as_of": alert.as_of,
            "alert": alert, "invoices": listed[:LISTED_INVOICES], "days_overdue": threshold or None,
            "amount": Decimal(details["amount"]) if "amount" in details else sum(
                (i["open_amount"] for i in listed), Decimal("0.00")),
            "exposure": details.get("exposure"), "limit": details.get("limit"),
            "utilisation": details.get("utilisation"), "days": details.get("days"),
        }

    def _threshold(self, alert: Alert) -> int:
        zone = KIND_ZONE.get(alert.kind)
        return {1: self.policy.attention_days, 2: self.policy.warning_days,
                3: self.policy.danger_days}.get(zone, 1)


def in_chunks(queryset, field_name: str, ids: list[int]) -> list:
    """The rows of `queryset` whose `field_name` is one of `ids`, read CHUNK ids at a time."""
    out = []
    for start in range(0, len(ids), CHUNK):
        out += list(queryset.filter(**{f"{field_name}__in": ids[start:start + CHUNK]}))
    return out


def _standing(customer_ids: list[int], as_of: date) -> dict[int, tuple[int, Decimal]]:
    """Each customer's zone and overdue amount of its latest snapshot up to `as_of`."""
    out: dict[int, tuple[int, Decimal]] = {}
    day = CustomerSnapshot.objects.filter(as_of__lte=as_of).aggregate(day=Max("as_of"))["day"]
    for start in range(0, len(customer_ids) if day else 0, CHUNK):
        rows = (CustomerSnapshot.objects.filter(customer_id__in=customer_ids[start:start + CHUNK], as_of=day)
                .values_list("customer_id", "zone", "overdue_amount"))
        out.update({cid: (zone, amount) for cid, zone, amount in rows})
    return out


def _primary_contacts(customer_ids: list[int]) -> dict[int, Contact]:
    return {c.customer_id: c for c in in_chunks(Contact.objects.filter(is_primary=True), "customer_id",
                                                  customer_ids)}


def _overdue_invoices(customer_ids: list[int], as_of: date) -> dict[int, list[dict]]:
    """Each customer's overdue invoices, oldest first, as the dicts the notification templates list."""
    out: dict[int, list[dict]] = defaultdict(list)
    for start in range(0, len(customer_ids), CHUNK):
        rows = (Invoice.objects.overdue(as_of).filter(customer_id__in=customer_ids[start:start + CHUNK],
                                                       disputed=False)  # a disputed invoice is not chased
                .order_by("customer_id", "due_date", "number")
                .values_list("customer_id", "id", "number", "due_date", "open_amount", "currency"))
        for customer_id, pk, number, due, open_amount, currency in rows:
            out[customer_id].append({"id": pk, "number": number, "due_date": due, "open_amount": open_amount,
                                     "currency": currency, "days_overdue": (as_of - due).days})
    return out

