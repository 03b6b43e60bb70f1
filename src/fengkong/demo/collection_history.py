"""A quarter of collection history for the demo: after each weekly risk cycle of the last quarter the demo
collector works the top of the worklist through the real actions — up to three tries a case in the week, by
phone, WeCom or email at any hour, each reaching somebody by the customer's hidden reachability pattern
(demo.reachability), a promise to pay when the customer promises, a dispute now and then — and the risk manager answers disputes three weeks old. The next
weekly cycle judges the promises from the demo ledger's own receipts, so kept and broken promises, moved
strategy steps and broken-promise alerts are the product's own outcomes, not drawn.

Deterministic: one random generator per day, seeded by the demo's seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from fengkong.collections import actions
from fengkong.collections.choices import Outcome
from fengkong.collections.exceptions import CollectionsError
from fengkong.collections.models import CollectionCase, Dispute
from fengkong.demo import reachability
from fengkong.receivables.models import Invoice

CASES_PER_WEEK = 12
# what a contact that reached somebody came to (whether it reaches is the customer's hidden pattern's)
OUTCOMES = [Outcome.REACHED, Outcome.PROMISED, Outcome.CALL_BACK, Outcome.DISPUTED, Outcome.REFUSED]
WEIGHTS = [25, 40, 15, 10, 10]
TRIES = 3
ROOT_CAUSES = ["price list not updated after the contract change", "short delivery at the customer's warehouse",
               "invoice sent twice by the ERP", "quality complaint on one batch"]
DISPUTE_DAYS = 21


@dataclass
class Worked:
    contacts: int = 0
    promises: int = 0
    disputes: int = 0
    resolved: int = 0

    def add(self, other: Worked) -> None:
        for name in ("contacts", "promises", "disputes", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def work_the_cases(day: date, seed: int) -> Worked:
    """The demo collector's day `day`: the top cases of their worklist called, promises and disputes taken."""
    users = get_user_model().objects
    collector, manager = users.get(username="collector"), users.get(username="manager")
    owner = users.filter(username="sales").first() or manager
    rng = random.Random(seed * 100_000 + day.toordinal())  # noqa: S311 - demo data, not security  # nosec B311
    out = Worked()
    cases = CollectionCase.objects.open().filter(owner=collector).select_related("customer").by_priority()
    for case in list(cases[:CASES_PER_WEEK]):
        outcome, when = _reach(case.customer, day, seed, collector, rng, out)
        if outcome is None:
            continue
        owed = _owed_on(case.customer, when)
        if not owed:
            continue
        try:
            if outcome == Outcome.PROMISED:
                amount = (sum(i.open_amount for i in owed) * Decimal(rng.choice(["0.3", "0.5", "1"]))).quantize(
                    Decimal("0.01"))
                actions.record_promise(actor=collector, customer=case.customer, amount=max(amount, Decimal("1.00")),
                                       due_date=when + timedelta(days=rng.choice([3, 5, 7])), today=when)
                out.promises += 1
            elif outcome == Outcome.DISPUTED:
                first = owed[0]
                part = (first.open_amount * Decimal("0.3")).quantize(Decimal("0.01"))
                actions.open_dispute(actor=collector, customer=case.customer, reason=rng.choice(
                    ["price", "quantity", "quality", "duplicate_billing"]), team="sales", owner=owner,
                    items=[actions.DisputedInvoice(first, part)], today=when)
                out.disputes += 1
        except CollectionsError:
            continue  # a promise or dispute the ledger no longer allows (all of it paid since): just the call
    out.resolved = _answer_disputes(day, manager, rng)
    return out


def _reach(customer, day: date, seed: int, collector, rng: random.Random, out: Worked
           ) -> tuple[str | None, date]:
    """Up to `TRIES` untargeted tries in the week from `day` (any channel, weekday, hour), each reaching
    somebody by the customer's hidden pattern (demo.reachability); the first that reaches ends the week's
    tries with a drawn outcome. The outcome reached (None if nobody was) and its day."""
    hidden = reachability.pattern(seed, customer.code, customer.industry)
    tries = []
    for _ in range(TRIES):
        channel, weekday, hour = reachability.attempt(rng)
        tries.append((day + timedelta(days=(weekday - day.weekday()) % 7), hour, rng.randrange(60), channel))
    for when, hour, minute, channel in sorted(tries):
        reached = rng.random() < hidden.chance(channel, when.weekday(), hour)
        outcome = rng.choices(OUTCOMES, WEIGHTS)[0] if reached else Outcome.NO_ANSWER
        at = timezone.make_aware(datetime.combine(when, time(hour, minute)))
        data = actions.ContactIn(channel=channel, outcome=outcome, at=at, person="财务" if reached else "",
                                 duration_seconds=rng.randrange(30, 400) if reached else 0)
        actions.log_contact(actor=collector, customer=customer, data=data, today=when)
        out.contacts += 1
        if reached:
            return outcome, when
    return None, day


def _owed_on(customer, day: date) -> list[Invoice]:
    """The customer's invoices overdue and open on `day`, with what each owed then as `open_amount` (the
    demo ledger runs ahead: some were paid since)."""
    overdue = list(Invoice.objects.filter(customer=customer, due_date__lt=day).order_by("due_date", "number"))
    then = actions.open_on(overdue, day)
    for invoice in overdue:
        invoice.open_amount = then[invoice.pk]
    return [i for i in overdue if i.open_amount > 0][:5]


def _answer_disputes(day: date, manager, rng: random.Random) -> int:
    done = 0
    for dispute in Dispute.objects.open().filter(opened_on__lte=day - timedelta(days=DISPUTE_DAYS)).order_by("pk"):
        resolution = rng.choice(["credit_note", "rejected", "rejected", "partial_write_off"])
        actions.resolve_dispute(actor=manager, dispute=dispute, resolution=resolution,
                                root_cause=rng.choice(ROOT_CAUSES), today=day)
        done += 1
    return done
