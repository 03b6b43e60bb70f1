"""Guarantees, collateral and credit insurance on file for a customer (§3), kept in the admin.

A guarantee is an input of the assessment (its coverage of the exposure, the secured part of the limit,
what grade C requires), so adding, changing or removing one re-assesses its customer once the change
commits. Not durable: the admin's change form calls these inside its own transaction.

A guarantee's value and eligible share are under dual review (fengkong.reviews, docs/dual-review.md): a
change of them waits for a second person (`guarantee.held_change`), the rest is saved at once. A new
guarantee is taken as entered: it raises no limit by itself, a limit changes only through a proposal that
another person approves (actions.limits), and that approver sees the guarantees on file.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from fengkong.core.audit import record, snapshot
from fengkong.core.permissions import require
from fengkong.reviews.actions import request_change, withhold
from fengkong.reviews.exceptions import ChangeInvalid
from fengkong.reviews.targets import Reviewed

from ..choices import Trigger
from ..models import Guarantee
from ..queries import require_customer
from . import assessments

FIELDS = tuple(f.attname for f in Guarantee._meta.concrete_fields if not f.primary_key)


def save_guarantee(*, actor, guarantee: Guarantee, via: str = "") -> Guarantee:
    """Add `guarantee` (not saved yet) or save the changes made to it; needs `credit.add_guarantee` or
    `credit.change_guarantee` and its customer in the actor's portfolio (before and after the change).
    A change of its value or eligible share waits for review (`guarantee.held_change`)."""
    adding = guarantee._state.adding
    require(actor, "credit.add_guarantee" if adding else "credit.change_guarantee")
    require_customer(actor, guarantee.customer)
    guarantee.full_clean()
    guarantee.held_change = None
    with transaction.atomic():
        if adding:
            guarantee.created_by, stored = actor, None
        else:
            stored = Guarantee.objects.select_for_update().select_related("customer").get(pk=guarantee.pk)
            require_customer(actor, stored.customer)
        held = withhold(GUARANTEE_REVIEW, guarantee, stored) if stored is not None else {}
        _write(actor, guarantee, stored)
        guarantee.held_change = request_change(actor=actor, reviewed=GUARANTEE_REVIEW, row=guarantee, changes=held,
                                               via=via)
    return guarantee


def apply_guarantee_change(*, actor, row: Guarantee, values: dict) -> None:
    """Write a confirmed change of a guarantee's value or share (reviews.actions.confirm_change), audited
    and re-assessing its customer like any change."""
    with transaction.atomic(savepoint=False):
        stored = Guarantee.objects.select_for_update().get(pk=row.pk)
        for field, value in values.items():
            setattr(row, field, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ChangeInvalid("; ".join(exc.messages)) from exc
        _write(actor, row, stored)


GUARANTEE_REVIEW = Reviewed("guarantee", Guarantee, Guarantee.SENSITIVE_FIELDS, apply_guarantee_change)


def _write(actor, guarantee: Guarantee, stored: Guarantee | None) -> None:
    """Save with the audit event and the re-assessment; nothing when nothing changed."""
    before = snapshot(stored, FIELDS) if stored is not None else None
    if before is not None and snapshot(guarantee, FIELDS) == before:
        return  # nothing changed: nothing to record or re-assess
    customers = {guarantee.customer_id} | ({stored.customer_id} if stored is not None else set())
    guarantee.save()
    record(actor, f"guarantee.{'created' if stored is None else 'changed'}", "guarantee", guarantee.pk,
           before=before, after=snapshot(guarantee, FIELDS))
    assessments.reassess_later(customers, Trigger.GUARANTEE, actor=actor)


def delete_guarantee(*, actor, guarantee: Guarantee) -> None:
    """Remove a guarantee from file (it has ended or was entered by mistake); needs `credit.delete_guarantee`."""
    require(actor, "credit.delete_guarantee")
    require_customer(actor, guarantee.customer)
    with transaction.atomic():
        before, pk = snapshot(guarantee, FIELDS), guarantee.pk
        guarantee.delete()
        record(actor, "guarantee.deleted", "guarantee", pk, before=before)
        assessments.reassess_later([guarantee.customer_id], Trigger.GUARANTEE, actor=actor)
