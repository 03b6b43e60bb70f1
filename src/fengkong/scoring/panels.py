"""The credit models' section of the customer page (customers.detail), below credit's: each model's score
beside the expert grade, and the open invoices' predicted payment."""

from __future__ import annotations

from fengkong.core.panels import panel
from fengkong.credit.models import CreditProfile

from .context import model_context


@panel("customers.detail", "models", order=20, template="scoring/customer_section.html")
def models_section(request, *, customer, **_objects) -> dict | None:
    models = model_context(customer, request.user, expert_grade(customer, request.user))
    return None if models is None else {"models": models, "customer": customer}


def expert_grade(customer, user) -> str | None:
    """The customer's grade from its credit profile, for a user who may see credit profiles (else None,
    and the section compares nothing); "" when the customer has not been assessed."""
    if not user.has_perm("credit.view_creditprofile"):
        return None
    return CreditProfile.objects.filter(customer=customer).values_list("grade", flat=True).first() or ""
