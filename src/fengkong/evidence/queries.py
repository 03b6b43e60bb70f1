"""Reads of the evidence other apps and pages need, always through core.permissions.scope."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import EvidenceAnchor, EvidenceItem


def visible_items(user) -> QuerySet:
    """The evidence items of the customers `user` may see."""
    return EvidenceItem.objects.for_user(user).select_related("file", "customer", "created_by", "entry")


def items_of(user, subject) -> QuerySet:
    """The evidence attached to one object of another app (a legal case), that `user` may see."""
    return visible_items(user).of_subject(subject)


def last_anchor() -> EvidenceAnchor | None:
    return EvidenceAnchor.objects.order_by("-signed_at", "-pk").first()
