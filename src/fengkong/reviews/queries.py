"""Reads of the dual-review queue for pages, the API and other apps, always scoped by portfolio."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import PendingChange

CONFIRM = "reviews.confirm_change"


def queue(user) -> QuerySet:
    """The changes `user` may see (their portfolios'), newest first, with who asked and decided."""
    return (PendingChange.objects.for_user(user).select_related("customer", "requested_by", "decided_by")
            .order_by("-requested_at", "-pk"))


def waiting_for(user) -> QuerySet:
    """The changes waiting that `user` may decide: a confirmer's portfolio, asked for by somebody else."""
    if not user.has_perm(CONFIRM):
        return PendingChange.objects.none()
    return queue(user).pending().exclude(requested_by=user)


def waiting_of(customer, user) -> list[PendingChange]:
    """The changes of one customer still waiting, for the customer page's banner."""
    return list(queue(user).pending().filter(customer=customer))


def may_decide(user, change: PendingChange) -> bool:
    return change.is_pending and user.has_perm(CONFIRM) and change.requested_by_id != user.pk


def may_withdraw(user, change: PendingChange) -> bool:
    return change.is_pending and change.requested_by_id == user.pk
