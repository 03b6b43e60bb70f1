"""Dual review in /api/v1: the queue of pending changes, and confirming, rejecting or withdrawing one.

Changes come from `queries.queue` only (core.permissions.scope): a change of a customer outside the
caller's portfolio is a 404 like one that does not exist. The actions check the role (403), refuse a
reviewer deciding their own change (403) and a step on a change no longer waiting, stale or refused by
the row (409), and audit.
"""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import Path, Query, Router
from ninja.errors import HttpError

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller, page

from . import actions, queries
from .exceptions import OwnChange, ReviewError
from .models import PendingChange
from .schemas import (
    PendingChangeFilters,
    PendingChangeOut,
    PendingChangePage,
    ReviewDecisionIn,
    ReviewRejectIn,
)

router = Router(tags=["dual review"])

ChangeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The pending change's id")]


@router.get("/pending-changes", response=answers(PendingChangePage, 403, 422), url_name="pending_change_list")
def list_changes(request, filters: Query[PendingChangeFilters]):
    """Changes of sensitive master data you may see, newest first (default: those waiting for review)."""
    user = caller(request)
    require(user, "reviews.view_pendingchange")
    changes = queries.queue(user)
    if filters.status:
        changes = changes.filter(status=filters.status)
    if filters.kind:
        changes = changes.filter(kind=filters.kind)
    if filters.customer:
        changes = changes.filter(customer__code=filters.customer)
    return page(changes, filters.limit, filters.offset)


@router.get("/pending-changes/{change_id}", response=answers(PendingChangeOut, 403, 404, 422),
            url_name="pending_change_detail")
def get_change(request, change_id: ChangeId):
    """One change: the fields before and after, who asked, who decided."""
    return _visible(caller(request), change_id)


@router.post("/pending-changes/{change_id}/confirm",
             response=answers(PendingChangeOut, 400, 403, 404, 409, 422), url_name="pending_change_confirm")
def confirm(request, change_id: ChangeId, body: ReviewDecisionIn):
    """Confirm another person's change: it takes effect. 403: your own change or not your role; 409: no
    longer waiting, or what it replaces has changed since (it is then superseded)."""
    user = caller(request)
    require(user, "reviews.confirm_change")
    return _step(user, change_id, lambda change: actions.confirm_change(actor=user, change=change, note=body.note))


@router.post("/pending-changes/{change_id}/reject",
             response=answers(PendingChangeOut, 400, 403, 404, 409, 422), url_name="pending_change_reject")
def reject(request, change_id: ChangeId, body: ReviewRejectIn):
    """Reject another person's change (say why in `note`): the stored values stay."""
    user = caller(request)
    require(user, "reviews.confirm_change")
    return _step(user, change_id, lambda change: actions.reject_change(actor=user, change=change, note=body.note))


@router.post("/pending-changes/{change_id}/withdraw",
             response=answers(PendingChangeOut, 400, 403, 404, 409, 422), url_name="pending_change_withdraw")
def withdraw(request, change_id: ChangeId, body: ReviewDecisionIn):
    """Withdraw your own change while it waits."""
    user = caller(request)
    require(user, "reviews.view_pendingchange")
    return _step(user, change_id, lambda change: actions.withdraw_change(actor=user, change=change, note=body.note))


def _visible(user, change_id: int) -> PendingChange:
    require(user, "reviews.view_pendingchange")
    change = queries.queue(user).filter(pk=change_id).first()
    if change is None:
        raise Http404(f"No pending change {change_id} in your portfolio.")
    return change


def _step(user, change_id: int, step) -> PendingChange:
    change = _visible(user, change_id)
    try:
        step(change)
    except OwnChange as exc:
        raise HttpError(403, str(exc)) from exc
    except ReviewError as exc:
        raise HttpError(409, str(exc)) from exc
    return _visible(user, change_id)
