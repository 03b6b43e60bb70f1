"""Reads other apps and pages need from collections, always through the scoping querysets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import polars as pl
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR as WEEKDAYS

from fengkong.core import dates
from fengkong.engine import contact_times

from .choices import REACHED_OUTCOMES, SETTLING_BILL, Channel
from .models import BillAllocation, CollectionCase, Contact, DisputeItem, PromiseToPay

CHUNK = 5000
LOOKBACK_DAYS = 365  # the contacts the best contact time learns from: a year, so habits that changed fade


def customers_with_pending_promises(customer_ids: list[int]) -> set[int]:
    """Of `customer_ids`, those with a promise to pay not yet judged (their dunning waits: monitoring)."""
    out: set[int] = set()
    for start in range(0, len(customer_ids), CHUNK):
        out |= set(PromiseToPay.objects.pending().filter(customer_id__in=customer_ids[start:start + CHUNK])
                   .values_list("customer_id", flat=True))
    return out


def open_case_of(customer, user) -> CollectionCase | None:
    """The customer's open case, if `user` may see it."""
    return CollectionCase.objects.for_user(user).open().filter(customer=customer).select_related("owner").first()


def visible_case(user, pk: int) -> CollectionCase | None:
    return CollectionCase.objects.for_user(user).select_related("customer", "customer__portfolio", "owner") \
        .filter(pk=pk).first()


def disputed_on(invoice_ids) -> dict[int, object]:
    """What open disputes hold on each invoice (invoice id -> amount)."""
    rows = (DisputeItem.objects.filter(invoice_id__in=list(invoice_ids), dispute__status="open")
            .values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total"))
    return dict(rows)


def billed_on(invoice_ids) -> dict[int, object]:
    """What acceptance bills held, presented or paid settle of each invoice (invoice id -> amount)."""
    rows = (BillAllocation.objects.filter(invoice_id__in=list(invoice_ids), bill__status__in=SETTLING_BILL)
            .values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total"))
    return dict(rows)


def promise_reliability(customer) -> dict:
    """How the customer kept its promises: counts of kept, partially kept and broken (shown on the page,
    and a feature the credit models may read). A plan's instalments count as promises; those cancelled with
    their plan do not count."""
    rows = dict(PromiseToPay.objects.filter(customer=customer).exclude(state__in=["pending", "cancelled"])
                .values("state").annotate(n=Count("pk")).values_list("state", "n"))
    judged = sum(rows.values())
    return {"kept": rows.get("kept", 0), "partially_kept": rows.get("partially_kept", 0),
            "broken": rows.get("broken", 0), "judged": judged,
            "rate": (rows.get("kept", 0) / judged) if judged else None}



@dataclass(frozen=True)
class BestContact:
    """The learned best slot to reach a customer (engine.contact_times): the customer's own evidence in it
    (`reached` of `tried`), the smoothed rate and its segment's rate in that slot."""

    channel: str
    weekday_from: int
    weekday_to: int
    hour_from: int
    hour_to: int
    rate: float
    reached: int
    tried: int
    segment_rate: float

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    @property
    def segment_percent(self) -> int:
        return round(self.segment_rate * 100)

    @property
    def weekdays(self) -> str:
        """Mon, Tue–Thu, Sat–Sun."""
        first, last = str(WEEKDAYS[self.weekday_from]), str(WEEKDAYS[self.weekday_to])
        return first if first == last else f"{first}–{last}"

    @property
    def hours(self) -> str:
        """9–11, 17–24."""
        return f"{self.hour_from}–{self.hour_to}"


def best_contacts(user, customers) -> dict[int, BestContact]:
    """The best slot of each of `customers` (customer id -> BestContact), learned from the contacts `user`
    may see of the customers in their segments (a customer's segment is its industry) over the last
    `LOOKBACK_DAYS`; none without the right to read contacts. One aggregated query over the contact log, by
    customer, channel, local weekday and hour; callers pass only customers `user` may see."""
    segments = {c.pk: c.industry or "" for c in customers}
    if not segments or not user.has_perm("collections.view_contact"):
        return {}
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(dates.business_today() - timedelta(days=LOOKBACK_DAYS), time.min))
    rows = list(Contact.objects.for_user(user).filter(customer__industry__in=set(segments.values()),
                                                      at__gte=since)
                .annotate(weekday=ExtractIsoWeekDay("at", tzinfo=zone), hour=ExtractHour("at", tzinfo=zone))
                .values("customer_id", "customer__industry", "channel", "weekday", "hour")
                .annotate(tried=Count("pk"), reached=Count("pk", filter=Q(outcome__in=sorted(REACHED_OUTCOMES))))
                .order_by())
    if not rows:
        return {}
    contacts = pl.DataFrame({"customer": [r["customer_id"] for r in rows], "channel": [r["channel"] for r in rows],
                             "weekday": [r["weekday"] - 1 for r in rows], "hour": [r["hour"] for r in rows],
                             "reached": [r["reached"] for r in rows], "tried": [r["tried"] for r in rows]},
                            schema=contact_times.CONTACT_SCHEMA)
    everyone = {r["customer_id"]: r["customer__industry"] or "" for r in rows} | segments
    frame = pl.DataFrame({"customer": list(everyone), "segment": list(everyone.values())},
                         schema=contact_times.SEGMENT_SCHEMA)
    best = contact_times.best_contacts(contacts, frame)
    return {row.pop("customer"): BestContact(**row) for row in best.iter_rows(named=True) if row["customer"] in segments}
