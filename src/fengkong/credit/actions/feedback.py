"""Risk feedback from sales (§7): what a salesperson saw at a customer, in the credit analysts' inbox.

Submitting tells every credit analyst who may see the customer (the users holding
`credit.change_riskfeedback`, scoped by portfolio: queries.analysts_for); reviewing is claimed with a conditional UPDATE, so
two analysts reviewing the same feedback at once record one review.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fengkong.core.audit import record
from fengkong.core.permissions import require
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from ..choices import FeedbackCategory, FeedbackStatus
from ..exceptions import Conflict, CreditError
from ..models import RiskFeedback
from ..queries import analysts_for, require_customer

MAX_TEXT = 4000
MAX_NOTE = 2000


def submit_feedback(*, actor, customer, category: str, text: str) -> RiskFeedback:
    """What a salesperson saw at a customer of their portfolio, for the credit analysts to read."""
    require(actor, "credit.submit_feedback")
    require_customer(actor, customer)
    text = (text or "").strip()
    if category not in FeedbackCategory.values:
        raise CreditError(f"unknown category {category!r}: one of {', '.join(FeedbackCategory.values)}")
    if not text:
        raise CreditError("say what you saw")
    if len(text) > MAX_TEXT:
        raise CreditError(f"the text is {len(text)} characters long; at most {MAX_TEXT}")
    with transaction.atomic(durable=True):
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
    require_customer(actor, feedback.customer)
    note = (note or "").strip()[:MAX_NOTE]
    with transaction.atomic(durable=True):
        if not RiskFeedback.objects.filter(pk=feedback.pk, status=FeedbackStatus.NEW).update(
                status=FeedbackStatus.REVIEWED, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note):
            raise Conflict("this feedback has already been reviewed")
        record(actor, "risk_feedback.reviewed", "riskfeedback", feedback.pk,
               before={"status": FeedbackStatus.NEW}, after={"status": FeedbackStatus.REVIEWED, "note": note})
    feedback.refresh_from_db()
    return feedback
