"""Monitoring's steps of the night (core.nightly): age the whole book, keep snapshots, find zone
transitions, raise and act on alerts, then mark the day monitored.

Each step runs in its own transaction(s) that first check the run is still this worker's, and each is
idempotent, so a run killed after any step is completed by the next one without duplicates:
  load         — the book in bulk (store), aged and zoned by the engine (zoning.zone_book);
  snapshots    — a day's customer and book snapshots are deleted and rewritten;
  transitions  — items entering a higher zone (compared with ItemZone) raise zone alerts, and ItemZone is
                 replaced, in the same transaction: either both happen or neither;
  resolutions  — open zone alerts of customers now below that zone are resolved by the system;
  rules        — large new overdue amounts since the last monitored day;
  escalations  — alerts not acknowledged within N days escalate to the risk managers, claimed by a
                 conditional UPDATE of `escalated_at`;
  messages     — handed to the background worker after commit (or sent now), see dispatch.py;
  close_day    — the day is recorded as monitored (MonitoringDay): pages read it from then on.
Alerts raised by these steps (and by other apps' steps between them, such as credit's limit utilisation)
get their records (tasks, stop-supply flags, audit events) in the transaction that raised them; their
messages follow in the messages step, each alert claimed once (dispatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db import transaction
from django.utils import timezone

from fengkong.core.later import later
from fengkong.core.nightly import Night, nightly_step
from fengkong.receivables.fx import rates_on

from . import alerts, store
from .dispatch import People, messages_pending, send_pending_messages
from .models import MonitoringDay, MonitoringPolicy
from .policy import Policy
from .zoning import ZonedBook, zone_book

SHARED_KEY = "monitoring"


@dataclass
class Monitored:
    """What monitoring's steps share within one run: the policy in force and the aged, zoned book."""

    policy: Policy
    book: ZonedBook
    people: People | None = None

    def recipients(self) -> People:
        if self.people is None:
            self.people = People.load()
        return self.people


def monitored(night: Night) -> Monitored:
    """The policy and the zoned book of this night (left by the load step; read now if it did not run).
    Public: other apps' steps read the day's exposure and zones from it."""
    if SHARED_KEY not in night.shared:
        policy = MonitoringPolicy.current().parsed()
        rates = rates_on(night.as_of)   # MissingRate stops the night, naming the currency and the date
        night.shared[SHARED_KEY] = Monitored(policy, zone_book(store.open_items(night.as_of, rates),
                                                               store.open_orders(night.as_of, rates),
                                                               store.customers(), policy, night.as_of))
    return night.shared[SHARED_KEY]


def dispatch(night: Night) -> dict[str, int]:
    """Write the records of the alerts raised so far in this night (messages wait for the messages step)."""
    m = monitored(night)
    return alerts.dispatch_pending(m.policy, night.as_of, night.actor, m.recipients())


@nightly_step("monitoring.load", order=10)
def load(night: Night) -> None:
    night.shared.pop(SHARED_KEY, None)  # a resumed or forced run reads the book again
    book = monitored(night).book
    with transaction.atomic():
        night.checkpoint({"open_items": book.items.height, "customers": book.customers.height})


@nightly_step("monitoring.snapshots", order=20)
def snapshots(night: Night) -> None:
    book = monitored(night).book
    with transaction.atomic():
        night.checkpoint({"customer_snapshots": book.customers.height, "book_snapshots": book.book.height})
        store.write_customer_snapshots(night.as_of, book.customers)
        store.write_book_snapshots(night.as_of, book.book)


@nightly_step("monitoring.transitions", order=30)
def transitions(night: Night) -> None:
    m = monitored(night)
    items = m.book.items.filter(pl.col("zone") > 0)
    with transaction.atomic():
        before = store.item_zones()
        joined = items.join(before, on="invoice_id", how="left")
        entered = joined.filter(pl.col("zone_before").is_null() | (pl.col("zone") > pl.col("zone_before")))
        store.insert_alerts(alerts.zone_alerts(entered, m.policy, night.as_of))
        store.replace_item_zones(joined.select(
            "invoice_id", "customer_id", "zone", "days_overdue",
            pl.when(pl.col("zone") == pl.col("zone_before")).then(pl.col("since_before"))
            .otherwise(pl.lit(night.as_of)).alias("since")))
        raised = dispatch(night)
        night.checkpoint({"items_in_zones": items.height}, added={"transitions": entered.height, **raised})


@nightly_step("monitoring.resolutions", order=40)
def resolutions(night: Night) -> None:
    m = monitored(night)
    with transaction.atomic():
        night.checkpoint()
        resolved = alerts.resolve_cleared(m.book.customers.select("customer_id", "zone", "raw_zone"), m.policy,
                                          night.actor)
        night.checkpoint(added={"alerts_resolved": resolved})


@nightly_step("monitoring.rules", order=50)
def rules(night: Night) -> None:
    m = monitored(night)
    previous = MonitoringDay.objects.before(night.as_of)
    window = (night.as_of - previous.as_of).days if previous else 1
    with transaction.atomic():
        night.checkpoint()
        store.insert_alerts(alerts.large_overdue_alerts(m.book.items, m.policy, night.as_of, window))
        night.checkpoint(added=dispatch(night))


@nightly_step("monitoring.escalations", order=60)
def escalations(night: Night) -> None:
    m = monitored(night)
    with transaction.atomic():
        night.checkpoint()
        escalated = alerts.raise_escalations(m.policy, night.as_of)
        night.checkpoint(added={"escalations": escalated, **dispatch(night)})


@nightly_step("monitoring.messages", order=80)
def messages(night: Night) -> None:
    with transaction.atomic():
        night.checkpoint()
        if not night.send_now:
            pending = messages_pending()
            if pending:
                later("monitoring.send_alert_messages")
            night.checkpoint({"messages_queued_for_worker": pending})
            return
    queued = send_pending_messages()
    with transaction.atomic():
        night.checkpoint(added={"notifications": queued})


@nightly_step("monitoring.close_day", order=90)
def close_day(night: Night) -> None:
    policy = monitored(night).policy
    with transaction.atomic():
        night.checkpoint()
        MonitoringDay.objects.update_or_create(as_of=night.as_of, defaults={
            "policy_version": policy.version, "edges": list(policy.report_edges), "completed_at": timezone.now()})
