"""Credit's section of the customer page (customers.detail): grade, limit, flags, the latest assessment."""

from __future__ import annotations

from django.utils import timezone

from fengkong.core.panels import panel

from . import figures
from .views.profile import credit_context


@panel("customers.detail", "credit_block", order=6, template="credit/_block_banner.html", slot="banner")
def credit_block_banner(request, *, customer, **_objects) -> dict | None:
    """A knock-out applies: no credit available, said above everything (the customer's master-data status,
    e.g. Active, is the ERP's and stays as it is)."""
    if not request.user.has_perm("credit.view_creditprofile"):
        return None
    live = figures.standing(customer, timezone.localdate())
    return {"live": live} if live.blocked else None


@panel("customers.detail", "credit", order=10, template="credit/profile_section.html")
def credit_section(request, *, customer, **_objects) -> dict | None:
    """None for a role without the credit view; the page loads credit's stylesheet and plotly for it."""
    credit = credit_context(customer, request.user)
    if credit is None:
        return None
    return {"credit": credit, "customer": customer, "stylesheet": "credit/credit.css", "charts": True}
