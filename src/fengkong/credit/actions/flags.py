"""Setting and lifting a customer's blacklist and litigation flags (§6, §17).

A flag change is a credit event: it is audited with its reason, and a new litigation flag asks for a
re-assessment of the customer at once (the review cycle runs it after the commit).
"""

from __future__ import annotations

from django.db import transaction

from fengkong.core.audit import record
from fengkong.core.permissions import require

from ..choices import Trigger
from ..exceptions import CreditError
from ..models import CreditProfile
from ..queries import require_customer
from . import assessments
from .limits import withdraw_contradicted

FIELDS = ("blacklisted", "blacklist_reason", "litigation", "litigation_note")


def set_flags(*, actor, customer, blacklisted: bool, litigation: bool, reason: str) -> CreditProfile:
    """Set or lift the customer's blacklist and litigation flags; `reason` says why (required)."""
    require(actor, "credit.flag_customer")
    require_customer(actor, customer)
    reason = (reason or "").strip()
    if not reason:
        raise CreditError("say why the flags change")
    with transaction.atomic(durable=True):
        profile, _created = CreditProfile.objects.select_for_update().get_or_create(customer=customer)
        before = {f: getattr(profile, f) for f in FIELDS}
        if before["blacklisted"] == blacklisted and before["litigation"] == litigation:
            raise CreditError("the flags are already set that way")
        if blacklisted != profile.blacklisted:  # an unchanged flag keeps its own reason
            profile.blacklisted, profile.blacklist_reason = blacklisted, reason[:300] if blacklisted else ""
        if litigation != profile.litigation:
            profile.litigation, profile.litigation_note = litigation, reason[:300] if litigation else ""
        profile.save(update_fields=[*FIELDS, "updated_at"])
        record(actor, "credit_flags.changed", "creditprofile", profile.pk,
               before={"customer": customer.pk, **before},
               after={"customer": customer.pk, **{f: getattr(profile, f) for f in FIELDS}, "reason": reason[:300]})
        if litigation and not before["litigation"]:
            assessments.reassess_later([customer.pk], Trigger.LITIGATION, actor=actor)
        if (litigation and not before["litigation"]) or (blacklisted and not before["blacklisted"]):
            withdraw_contradicted([customer.pk], actor=actor)  # a knock-out: no pending grant of credit
    return profile
