"""Guarantees, collateral and credit insurance on file for a customer (§3), kept in the admin.

A guarantee is an input of the assessment (its coverage of the exposure, the secured part of the limit,
what grade C requires), so adding, changing or removing one re-assesses its customer once the change
commits. Not durable: the admin's change form calls these inside its own transaction.
"""

from __future__ import annotations

from django.db import transaction

from fengkong.core.audit import record, snapshot
from fengkong.core.permissions import require

from ..choices import Trigger
from ..models import Guarantee
from ..queries import require_customer
from . import assessments

FIELDS = tuple(f.attname for f in Guarantee._meta.concrete_fields if not f.primary_key)


def save_guarantee(*, actor, guarantee: Guarantee) -> Guarantee:
    """Add `guarantee` (not saved yet) or save the changes made to it; needs `credit.add_guarantee` or
    `credit.change_guarantee` and its customer in the actor's portfolio (before and after the change)."""
    adding = guarantee._state.adding
    require(actor, "credit.add_guarantee" if adding else "credit.change_guarantee")
    require_customer(actor, guarantee.customer)
    guarantee.full_clean()
    with transaction.atomic():
        if adding:
            guarantee.created_by, before, customers = actor, None, {guarantee.customer_id}
        else:
            stored = Guarantee.objects.select_for_update().select_related("customer").get(pk=guarantee.pk)
            require_customer(actor, stored.customer)
            before, customers = snapshot(stored, FIELDS), {guarantee.customer_id, stored.customer_id}
            if snapshot(guarantee, FIELDS) == before:
                return guarantee  # nothing changed: nothing to record or re-assess
        guarantee.save()
        record(actor, f"guarantee.{'created' if adding else 'changed'}", "guarantee", guarantee.pk,
               before=before, after=snapshot(guarantee, FIELDS))
        assessments.reassess_later(customers, Trigger.GUARANTEE, actor=actor)
    return guarantee

def delete_guarantee(*, actor, guarantee: Guarantee) -> None:
    """Remove a guarantee from file (it has ended or was entered by mistake); needs `credit.delete_guarantee`."""
    require(actor, "credit.delete_guarantee")
    require_customer(actor, guarantee.customer)
    with transaction.atomic():
        before, pk = snapshot(guarantee, FIELDS), guarantee.pk
        guarantee.delete()
        record(actor, "guarantee.deleted", "guarantee", pk, before=before)
        assessments.reassess_later([guarantee.customer_id], Trigger.GUARANTEE, actor=actor)
