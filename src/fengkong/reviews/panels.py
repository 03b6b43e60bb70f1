"""Dual review's banner on the customer page (customers.detail): the changes of this customer waiting."""

from __future__ import annotations

from fengkong.core.panels import panel

from .queries import CONFIRM, waiting_of


@panel("customers.detail", "pending_changes", order=8, template="reviews/_banner.html", slot="banner")
def pending_banner(request, *, customer, **_objects) -> dict | None:
    """None for a role that does not read the queue, or when nothing waits. Values a confirmer needs in
    full (a bank account) are masked for everybody else."""
    user = request.user
    if not user.has_perm("reviews.view_pendingchange"):
        return None
    changes = waiting_of(customer, user)
    if not changes:
        return None
    masked = not user.has_perm(CONFIRM)
    return {"changes": [(change, change.rows(masked=masked)) for change in changes]}
