"""The limitation period of every open receivable (民法典 §188), interrupted (§195) by what Fengkong knows
of demands, acknowledgements and filings, with warnings at 180, 90 and 30 days before it ends.

What counts as an interruption of a customer's claims, taken automatically:
- a done reminder-letter or phone-call task of monitoring (a demand for payment), on the day it was done;
- evidence of a demand or an acknowledgement kept in the evidence store (a letter, an e-mail, a call
  recording, a chat export, meeting minutes), on the day it took place (`occurred_on`) — the collection
  cases' contacts and promises land there;
- a legal case's demand letter, payment order, preservation, suit, appeal, enforcement, mediation or
  bankruptcy claim, on its date.
Each counts for every open receivable of the customer: a demand names the debt as a whole. The arithmetic
is the engine's (engine.legal_periods.limitation); this module reads the book in bulk and calls it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from fengkong.core.permissions import scope
from fengkong.engine import legal_periods as periods
from fengkong.evidence.choices import EvidenceSource
from fengkong.evidence.models import EvidenceItem
from fengkong.monitoring.choices import ActionKind, ActionStatus
from fengkong.monitoring.models import ActionItem
from fengkong.receivables.models import Invoice

from .choices import Stage
from .models import StageRecord

DEMAND_SOURCES = [EvidenceSource.LETTER, EvidenceSource.EMAIL, EvidenceSource.CALL_RECORDING, EvidenceSource.CHAT,
                  EvidenceSource.MEETING_MINUTES]
INTERRUPTING_STAGES = [Stage.DEMAND_LETTER, Stage.PAYMENT_ORDER, Stage.PRESERVATION, Stage.LITIGATION, Stage.APPEAL,
                       Stage.ENFORCEMENT, Stage.MEDIATION, Stage.BANKRUPTCY]


@dataclass(frozen=True)
class InvoiceLimitation:
    customer_code: str
    customer_name: str
    invoice: str
    due_date: date
    open_amount: Decimal
    started: date
    ends: date
    days_left: int
    warning: int | None  # 180, 90, 30; 0 once expired; None when no warning yet


def interruptions(customer_ids: list[int], as_of: date) -> dict[int, list[date]]:
    """The days each customer's claims were interrupted, up to `as_of`."""
    found: dict[int, list[date]] = defaultdict(list)
    tasks = (ActionItem.objects.filter(customer_id__in=customer_ids, status=ActionStatus.DONE,
                                       kind__in=[ActionKind.REMINDER_LETTER, ActionKind.PHONE_CALL],
                                       done_at__isnull=False)
             .annotate(day=TruncDate("done_at")).values_list("customer_id", "day"))
    evidence = EvidenceItem.objects.filter(customer_id__in=customer_ids, source__in=DEMAND_SOURCES,
                                           occurred_on__isnull=False).values_list("customer_id", "occurred_on")
    stages = StageRecord.objects.filter(case__customer_id__in=customer_ids, stage__in=INTERRUPTING_STAGES) \
        .values_list("case__customer_id", "entered_on")
    for rows in (tasks, evidence, stages):
        for customer, day in rows:
            if day and day <= as_of:
                found[customer].append(day)
    return found


def limitations(invoices: QuerySet, as_of: date, *, within: int | None = periods.WARNINGS[0]) -> list[InvoiceLimitation]:
    """The limitation period of each open receivable of `invoices` (already scoped), soonest end first;
    only those ending within `within` days (or already ended) unless `within` is None."""
    rows = list(invoices.filter(open_amount__gt=0, due_date__lt=as_of)
                .values_list("customer_id", "customer__code", "customer__name", "number", "due_date", "open_amount"))
    breaks = interruptions(sorted({r[0] for r in rows}), as_of)
    found = []
    for customer, code, name, number, due, amount in rows:
        period = periods.limitation(due, breaks.get(customer, ()), as_of)
        if within is None or period.days_left <= within:
            found.append(InvoiceLimitation(code, name, number, due, amount, period.started, period.ends,
                                           period.days_left, period.warning))
    return sorted(found, key=lambda f: (f.ends, f.customer_code, f.invoice))


def visible_limitations(user, as_of: date, *, within: int | None = periods.WARNINGS[0]) -> list[InvoiceLimitation]:
    """`limitations` of the invoices `user` may see (core.permissions.scope)."""
    return limitations(scope(Invoice.objects.all(), user), as_of, within=within)
