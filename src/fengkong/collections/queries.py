"""Reads other apps and pages need from collections, always through the scoping querysets."""

from __future__ import annotations

from django.db.models import Count, Sum

from .choices import SETTLING_BILL
from .models import BillAllocation, CollectionCase, DisputeItem, PromiseToPay

CHUNK = 5000


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

