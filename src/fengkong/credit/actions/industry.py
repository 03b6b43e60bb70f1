"""The industry analysts' outlook per industry (§11), and the systemic alarm that tightens credit.

Raising an alarm (it was off, now on) re-assesses every customer of that industry after the commit, so
the policy's alarm cap (e.g. no grade above B) reaches the whole affected book at once. (The outlooks
move to an `industry` app of their own in a later issue.)
"""

from __future__ import annotations

from django.db import transaction

from fengkong.core import industries
from fengkong.core.audit import record
from fengkong.core.permissions import require
from fengkong.customers.models import Customer

from ..choices import Outlook, Trigger
from ..exceptions import CreditError
from ..models import IndustryOutlook
from . import assessments

FIELDS = ("outlook", "alarm", "note")


def set_outlook(*, actor, industry: str, outlook: str, alarm: bool, note: str = "") -> IndustryOutlook:
    """Rate `industry` (a GB/T 4754 section letter) and raise or lift its alarm; needs
    `credit.change_industryoutlook`. Not durable: the admin's change form calls it inside its own transaction."""
    require(actor, "credit.change_industryoutlook")
    if industry not in industries.SECTIONS:
        raise CreditError(f"unknown industry {industry!r}: a GB/T 4754 section letter such as C")
    if outlook not in Outlook.values:
        raise CreditError(f"unknown outlook {outlook!r}: one of {', '.join(Outlook.values)}")
    note = (note or "").strip()[:300]
    with transaction.atomic():
        row, created = IndustryOutlook.objects.select_for_update().get_or_create(industry=industry)
        before = None if created else {f: getattr(row, f) for f in FIELDS}
        raised = bool(alarm) and (created or not row.alarm)
        row.outlook, row.alarm, row.note, row.updated_by = outlook, bool(alarm), note, actor
        row.save()
        record(actor, "industry_outlook.changed", "industryoutlook", row.pk,
               before=before, after={"industry": industry, **{f: getattr(row, f) for f in FIELDS}})
        if raised:
            ids = list(Customer.objects.filter(industry=industry).values_list("pk", flat=True))
            if ids:
                assessments.reassess_later(ids, Trigger.INDUSTRY_ALARM, actor=actor)
    return row
