"""Reads of credit state for other apps and pages."""

from __future__ import annotations

from fengkong.monitoring.dispatch import in_chunks

from .models import CreditProfile


def limit_owners(customer_ids: list[int]) -> dict[int, list]:
    """The accountable owner of each customer's credit limit (§16: the approver receives its follow-ups)."""
    profiles = CreditProfile.objects.filter(owner__isnull=False, owner__is_active=True).select_related("owner")
    return {p.customer_id: [p.owner] for p in in_chunks(profiles, "customer_id", customer_ids)}
