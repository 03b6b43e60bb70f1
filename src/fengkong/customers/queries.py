"""Reads of customers for other apps and pages, always through the one scoping function."""

from __future__ import annotations

from django.db.models import QuerySet

from fengkong.core.permissions import scope

from .models import Customer

CHUNK = 5000


def visible_customers(user) -> QuerySet:
    """The customers `user` may see (core.permissions.scope: the whole book, or their portfolios')."""
    return scope(Customer.objects.all(), user, customer_path="")


def customer_labels(ids: list[int]) -> dict[int, str]:
    """"CODE name" of each customer id, as alert titles and messages name a customer."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        out.update({pk: f"{code} {name}" for pk, code, name in
                    Customer.objects.filter(pk__in=ids[start:start + CHUNK]).values_list("pk", "code", "name")})
    return out
