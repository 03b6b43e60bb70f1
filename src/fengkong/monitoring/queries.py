"""Reads of monitoring state for other apps (credit's steps of the night, pages)."""

from __future__ import annotations

from datetime import date

from .models import ItemZone


def customers_entering_zone(as_of: date, zone: int) -> list[int]:
    """Customers with an open item that entered `zone` (or a higher one) on `as_of`, by the night's zones."""
    return sorted(set(ItemZone.objects.filter(since=as_of, zone__gte=zone).values_list("customer_id", flat=True)))
