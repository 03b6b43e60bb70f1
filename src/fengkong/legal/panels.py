"""Legal's section of the customer page (customers.detail): when to act — the signs that argue for property
preservation now, each with its evidence, and the decisions made (legal.preservation). Shown to those who may
read the decisions, for a customer in the danger zone, with an open legal case or with a decision already."""

from __future__ import annotations

from django.urls import reverse

from fengkong.core.panels import panel

from . import queries
from .choices import SignKind
from .forms import PreservationDecisionForm
from .models import LegalCase, PreservationDecision
from .preservation import signs_of


@panel("customers.detail", "legal_preservation", order=22, template="legal/_customer.html", slot="main")
def customer_preservation(request, *, customer, **_objects) -> dict | None:
    user = request.user
    if not user.has_perm("legal.view_preservationdecision"):
        return None
    signs = signs_of([customer], user)[customer.pk]
    case = queries.visible_cases(user).open().filter(customer=customer).order_by("-opened_at", "-pk").first()
    in_danger = any(s.present for s in signs.signs if s.kind == SignKind.DANGER_ZONE)
    decided = PreservationDecision.objects.for_user(user).filter(customer=customer).exists()
    if not (in_danger or case or decided or LegalCase.objects.for_user(user).filter(customer=customer).exists()):
        return None
    return {"customer": customer, "signs": signs, "open_case": case,
            "decisions": queries.decisions_of(user, customer=customer),
            "decides": user.has_perm("legal.decide_preservation"), "decision_form": PreservationDecisionForm(),
            "decide_url": reverse("legal-preservation-customer", kwargs={"code": customer.code})}
