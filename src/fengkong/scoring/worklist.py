"""The worklist ranked by the payment-delay champion: the customer with the largest expected loss on its
open invoices first (registered with monitoring.worklist at start-up, scoring.apps)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from fengkong.monitoring.worklist import Ranking

from .models import InvoicePrediction


def with_expected_loss(items: QuerySet) -> QuerySet:
    """Each task's `rank_value`: the expected loss on its customer's open invoices (None before any prediction)."""
    loss = (InvoicePrediction.objects.filter(customer=OuterRef("customer_id")).order_by().values("customer")
            .annotate(total=Sum("expected_loss")).values("total"))
    return items.annotate(rank_value=Subquery(loss))


EXPECTED_LOSS = Ranking(
    name="loss", label=_("Largest expected loss first"),
    hint=_("The customer with the largest expected loss on its open invoices first (payment-delay model)"),
    column=_("Expected loss"), allowed=lambda user: user.has_perm("scoring.view_invoiceprediction"),
    annotate=with_expected_loss, preferred=lambda: InvoicePrediction.objects.exists())
