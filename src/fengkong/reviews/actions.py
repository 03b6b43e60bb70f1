"""Dual review's state changes: a change held for review, confirmed, rejected or withdrawn.

Design decisions:
- The owners' save actions (customers.actions, credit.actions.guarantees) hold sensitive fields with
  `withhold` (the row is saved without them) and then `request_change` in their own transaction; the
  importer holds a file's changes with `request_changes`, in bulk, inside the import's transaction.
- Asking again for exactly what is already waiting (a re-imported file) adds nothing. A new request for a
  field that already has a change waiting supersedes the older one: the queue holds the latest wish.
- `confirm_change` needs `reviews.confirm_change`, the customer in the confirmer's portfolio and a
  confirmer who is not the requester (OwnChange; the database refuses it too). It checks that what the
  change replaces is still what is stored; if not, the change is marked superseded (and stays so) and
  ChangeStale says which field moved. The owner's `apply` writes the row with its usual audit event
  (`customer.changed` …, by the confirmer); `change.confirmed` names both people.
- `reject_change` (a reason is required) by a confirmer who is not the requester; `withdraw_change` by the
  requester only. Every step is audited under the object type `pending_change`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import Change, jsonable, record, record_many
from fengkong.core.permissions import require, scope

from .choices import MAX_NOTE, ChangeStatus
from .exceptions import ChangeStale, NotPending, OwnChange
from .models import PendingChange
from .targets import Reviewed

CONFIRM = "reviews.confirm_change"
OBJECT_TYPE = "pending_change"
Changes = dict[str, tuple[Any, Any]]  # field -> (value stored, value wished), as JSON values


@dataclass(frozen=True)
class Wish:
    """One row's held change, as the importer hands them over in bulk."""

    object_id: int
    customer_id: int
    old: dict[str, Any]
    new: dict[str, Any]


# --- holding ----------------------------------------------------------------------------------------

def withhold(reviewed: Reviewed, row: models.Model, stored: models.Model | None) -> Changes:
    """The sensitive fields `row` changes against `stored` (None: a new row, whose `held_on_create` fields
    count), set back on `row` to what is stored (a new row's to empty), so saving it changes none of them."""
    fields = reviewed.fields if stored is not None else reviewed.held_on_create
    held: Changes = {}
    for name in fields:
        wished = jsonable(getattr(row, name))
        kept = jsonable(getattr(stored, name)) if stored is not None else None
        if wished in (None, "") and stored is None:
            continue  # nothing entered on a new row: nothing to review
        if wished != kept:
            held[name] = (kept, wished)
            empty = None if reviewed.model_field(name).null else ""
            setattr(row, name, getattr(stored, name) if stored is not None else empty)
    return held


@transaction.atomic(savepoint=False)
def request_change(*, actor, reviewed: Reviewed, row: models.Model, changes: Changes, via: str = "",
                   note: str = "") -> PendingChange | None:
    """Hold `changes` of the saved `row` for a second person; None when there is nothing to hold."""
    if not changes:
        return None
    wish = Wish(row.pk, reviewed.customer_id_of(row), {f: old for f, (old, _new) in changes.items()},
                {f: new for f, (_old, new) in changes.items()})
    return request_changes(actor=actor, reviewed=reviewed, wishes=[wish], via=via, note=note)[0]


@transaction.atomic(savepoint=False)
def request_changes(*, actor, reviewed: Reviewed, wishes: list[Wish], via: str = "",
                    note: str = "") -> list[PendingChange]:
    """Hold many rows' changes at once (an import): one query for what already waits, one insert, one
    audit write. Returns the change waiting for each wish, in order (an identical one already waiting
    is returned as it is)."""
    if not wishes:
        return []
    waiting: dict[int, list[PendingChange]] = {}
    ids = [w.object_id for w in wishes]
    for change in (PendingChange.objects.pending().select_for_update()
                   .filter(kind=reviewed.kind, object_id__in=ids).order_by("pk")):
        waiting.setdefault(change.object_id, []).append(change)
    out: list[PendingChange | None] = []
    superseded: list[PendingChange] = []
    made: list[PendingChange] = []
    for wish in wishes:
        old, new = jsonable(wish.old), jsonable(wish.new)
        same = next((c for c in waiting.get(wish.object_id, []) if c.old == old and c.new == new
                     and c.requested_by_id == actor.pk), None)
        if same is not None:
            out.append(same)
            continue
        superseded += [c for c in waiting.get(wish.object_id, []) if set(c.new) & set(new)]
        change = PendingChange(kind=reviewed.kind, object_id=wish.object_id, customer_id=wish.customer_id, old=old,
                               new=new, requested_by=actor, via=via[:80], note=note[:MAX_NOTE])
        made.append(change)
        out.append(change)
    _supersede(actor, superseded, _("A newer change of the same field was asked for."))
    PendingChange.objects.bulk_create(made)
    record_many(actor, [Change("change.requested", OBJECT_TYPE, str(c.pk), None, _requested(c)) for c in made])
    return out


def _requested(change: PendingChange) -> dict:
    return {"kind": change.kind, "object_id": change.object_id, "customer_id": change.customer_id, "old": change.old,
            "new": change.new, "requested_by": _name(change.requested_by), "via": change.via, "note": change.note}


def _supersede(actor, changes: Iterable[PendingChange], why: str) -> None:
    changes = list({c.pk: c for c in changes}.values())
    if not changes:
        return
    now = timezone.now()
    PendingChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        status=ChangeStatus.SUPERSEDED, decided_at=now, decision_note=why)
    for change in changes:
        change.status, change.decided_at, change.decision_note = ChangeStatus.SUPERSEDED, now, why
    record_many(actor, [Change("change.superseded", OBJECT_TYPE, str(c.pk), {"status": ChangeStatus.PENDING},
                               {"status": ChangeStatus.SUPERSEDED, "reason": why}) for c in changes])


# --- deciding ---------------------------------------------------------------------------------------

def confirm_change(*, actor, change: PendingChange, note: str = "") -> PendingChange:
    """Apply a change another person asked for; see the module docstring. Raises ChangeStale (the change
    is superseded, and stays so) when what it replaces has moved since it was asked for."""
    stale = None
    with transaction.atomic(durable=True):
        locked = _decidable(actor, change)
        reviewed, target = locked.reviewed, locked.target()
        stale = _stale(reviewed, locked, target)
        if stale is not None:
            _supersede(actor, [locked], stale)
        else:
            reviewed.apply(actor=actor, row=target, values={f: reviewed.python(f, v) for f, v in locked.new.items()})
            _decide(actor, locked, ChangeStatus.CONFIRMED, note)
            record(actor, "change.confirmed", OBJECT_TYPE, locked.pk, before={"status": ChangeStatus.PENDING},
                   after=_decision(locked))
            _supersede_moved(actor, reviewed, target)
    if stale is not None:
        raise ChangeStale(stale)
    return locked


def reject_change(*, actor, change: PendingChange, note: str) -> PendingChange:
    """Refuse a change another person asked for; the stored values stay. A reason is required."""
    note = _note(note, required=True)
    with transaction.atomic(durable=True):
        locked = _decidable(actor, change)
        _decide(actor, locked, ChangeStatus.REJECTED, note)
        record(actor, "change.rejected", OBJECT_TYPE, locked.pk, before={"status": ChangeStatus.PENDING},
               after=_decision(locked))
    return locked


def withdraw_change(*, actor, change: PendingChange, note: str = "") -> PendingChange:
    """The requester takes back their change while it waits."""
    note = _note(note)
    with transaction.atomic(durable=True):
        locked = _locked(change)
        if not (actor and actor.is_authenticated and locked.requested_by_id == actor.pk):
            raise PermissionDenied(_("Only the person who asked for a change withdraws it."))
        _require_pending(locked)
        _decide(actor, locked, ChangeStatus.WITHDRAWN, note)
        record(actor, "change.withdrawn", OBJECT_TYPE, locked.pk, before={"status": ChangeStatus.PENDING},
               after=_decision(locked))
    return locked


def _locked(change: PendingChange) -> PendingChange:
    return PendingChange.objects.select_for_update().get(pk=change.pk)


def _decidable(actor, change: PendingChange) -> PendingChange:
    require(actor, CONFIRM)
    locked = _locked(change)
    if not scope(PendingChange.objects.filter(pk=locked.pk), actor).exists():
        raise PermissionDenied(_("This customer is not in your portfolio."))
    if locked.requested_by_id == actor.pk:
        raise OwnChange(_("Nobody reviews their own change: another person with the right role must confirm "
                          "or reject it. You may withdraw it."))
    _require_pending(locked)
    return locked


def _require_pending(change: PendingChange) -> None:
    if not change.is_pending:
        raise NotPending(_("This change is %(status)s; only a change waiting for review can be decided.")
                         % {"status": change.get_status_display().lower()})


def _decide(actor, change: PendingChange, status: str, note: str) -> None:
    change.status, change.decided_by, change.decided_at = status, actor, timezone.now()
    change.decision_note = _note(note)
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def _decision(change: PendingChange) -> dict:
    requester = change.requested_by
    return {"status": change.status, "kind": change.kind, "object_id": change.object_id, "old": change.old,
            "new": change.new, "requested_by": _name(requester),
            "requested_by_id": requester.pk if requester else None,
            "requested_at": change.requested_at.isoformat(), "decided_by": _name(change.decided_by),
            "decided_by_id": change.decided_by_id, "reason": change.decision_note}


def _stale(reviewed: Reviewed, change: PendingChange, target) -> str | None:
    """Why the change can no longer be applied as asked (None: what it replaces is still stored)."""
    if target is None:
        return _("The %(kind)s this change is for has been deleted.") % {"kind": reviewed.model._meta.verbose_name}
    for name, old in change.old.items():
        now = jsonable(getattr(target, name))
        if now != old:
            return _("%(field)s has changed since this change was asked for (it was %(old)s when asked, it is "
                     "%(now)s now): the change is superseded; ask again if it is still wanted.") % {
                "field": reviewed.label(name), "old": reviewed.shown(name, old, True),
                "now": reviewed.shown(name, now, True)}
    return None


def _supersede_moved(actor, reviewed: Reviewed, target) -> None:
    """Other changes of the same row whose values before no longer hold after this one."""
    moved = [c for c in PendingChange.objects.pending().select_for_update().of_target(reviewed.kind, target.pk)
             if _stale(reviewed, c, target)]
    _supersede(actor, moved, _("A confirmed change of the same field came first."))


def _note(note: str, required: bool = False) -> str:
    note = (note or "").strip() if isinstance(note, str) else ""
    if required and not note:
        raise ValidationError({"note": _("Say why the change is rejected.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    return note


def _name(user) -> str | None:
    return user.get_username() if user is not None else None
