"""Credit's section of the customer page (customers.detail): grade, limit, flags, the latest assessment."""

from __future__ import annotations

from fengkong.core.panels import panel

from .views.profile import credit_context


@panel("customers.detail", "credit", order=10, template="credit/profile_section.html")
def credit_section(request, *, customer, **_objects) -> dict | None:
    """None for a role without the credit view; the page loads credit's stylesheet and plotly for it."""
    credit = credit_context(customer, request.user)
    if credit is None:
        return None
    return {"credit": credit, "customer": customer, "stylesheet": "credit/credit.css", "charts": True}
