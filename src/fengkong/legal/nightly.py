"""Legal recovery's step of the night: reminders of the legal dates coming, to each case's owner.

A date not done is reminded 30, 7 and 1 days before it and on the day (REMIND_BEFORE), in the owner's inbox
(notifications.outbox.tell). The day's reminder is claimed with a conditional UPDATE on `reminded_on`, so a
second run of the same night sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengkong.core.nightly import Night, nightly_step
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from .models import LegalDeadline

REMIND_BEFORE = (30, 7, 1, 0)


@nightly_step("legal.deadline_reminders", order=85)
def remind_deadlines(night: Night) -> None:
    days = [night.as_of + timedelta(days=n) for n in REMIND_BEFORE]
    with transaction.atomic():
        night.checkpoint()
        due = list(LegalDeadline.objects.pending().filter(due_on__in=days, case__owner__isnull=False)
                   .exclude(reminded_on=night.as_of).select_related("case__owner", "case__customer"))
        sent = 0
        for deadline in due:
            if not LegalDeadline.objects.filter(pk=deadline.pk).exclude(reminded_on=night.as_of).update(
                    reminded_on=night.as_of):
                continue
            case = deadline.case
            left = (deadline.due_on - night.as_of).days
            sent += tell([case.owner], template=Template.LEGAL_DEADLINE,
                         title=_("%(case)s: %(what)s on %(day)s") % {"case": case.number, "what": deadline.get_kind_display(),
                                                                   "day": deadline.due_on.isoformat()},
                         body=_("%(customer)s — %(days)d days left. %(note)s") % {
                             "customer": case.customer.name, "days": left, "note": deadline.note},
                         link=reverse("legal-case", args=[case.pk]), level="warning" if left <= 7 else "info")
        night.checkpoint(added={"legal_reminders": sent})
