"""Risk feedback from sales (§7): what a salesperson saw at a customer, in the credit analysts' inbox.

Submitting tells every credit analyst who may see the customer (the users holding
`credit.change_riskfeedback`, scoped by portfolio); reviewing is claimed with a conditional UPDATE, so
two analysts reviewing the same feedback at once record one review.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fengkong.core.audit import record
from fengkong.core.permissions import require
from fengkong.customers.queries import visible_customers
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from .choices import FeedbackCategory, FeedbackStatus
from .exceptions import Conflict, CreditError
from .models import RiskFeedback

MAX_TEXT = 4000
MAX_NOTE = 2000


def analysts_for(customer) -> list:
    """Active users who review risk feedback and may see `customer`."""
    perm = Permission.objects.get(content_type__app_label="credit", codename="change_riskfeedback")
    see_all = Permission.objects.get(content_type__app_label="customers", codename="view_all_customers")
    reviewers = (get_user_model().objects.filter(is_active=True)
                 .filter(Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True)))
    can_see = Q(groups__permissions=see_all) | Q(user_permissions=see_all) | Q(is_superuser=True)
    if customer.portfolio_id:
        can_see |= Q(portfolios=customer.portfolio_id)
    ids = reviewers.values("pk")
    return list(get_user_model().objects.filter(pk__in=ids).filter(can_see).distinct().order_by("pk"))


def submit_feedback(*, actor, customer, category: str, text: str) -> RiskFeedback:
    require(actor, "credit.submit_feedback")
    if not visible_customers(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied("this customer is not in your portfolio")
    text = (text or "").strip()
    if category not in FeedbackCategory.values:
        raise CreditError(f"unknown category {category!r}: one of {', '.join(FeedbackCategory.values)}")
    if not text:
        raise CreditError("say what you saw")
    if len(text) > MAX_TEXT:
        raise CreditError(f"the text is {len(text)} characters long; at most {MAX_TEXT}")
    with transaction.atomic():
        feedback = RiskFeedback.objects.create(customer=customer, category=category, text=text, author=actor)
        record(actor, "risk_feedback.submitted", "riskfeedback", feedback.pk,
               after={"customer": customer.pk, "category": category, "text": text})
        label = FeedbackCategory(category).label
        tell(analysts_for(customer), template=Template.RISK_FEEDBACK,
             title=format_lazy(_("Risk feedback on {customer}: {category}"), customer=customer.name,
                               category=label),
             body=format_lazy(_("{author} reported on {customer} ({code}): {text}"),
                              author=actor.get_full_name() or actor.get_username(), customer=customer.name,
                              code=customer.code, text=text),
             link=f"{reverse('credit-feedback')}#feedback-{feedback.pk}", level="warning")
    return feedback


def review_feedback(*, actor, feedback: RiskFeedback, note: str = "") -> RiskFeedback:
    """Mark feedback reviewed, with what the analyst did about it."""
    require(actor, "credit.change_riskfeedback")
    if not visible_customers(actor).filter(pk=feedback.customer_id).exists():
        raise PermissionDenied("this customer is not in your portfolio")
    note = (note or "").strip()[:MAX_NOTE]
    with transaction.atomic():
        if not RiskFeedback.objects.filter(pk=feedback.pk, status=FeedbackStatus.NEW).update(
                status=FeedbackStatus.REVIEWED, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note):
            raise Conflict("this feedback has already been reviewed")
        record(actor, "risk_feedback.reviewed", "riskfeedback", feedback.pk,
               before={"status": FeedbackStatus.NEW}, after={"status": FeedbackStatus.REVIEWED, "note": note})
    feedback.refresh_from_db()
    return feedback
