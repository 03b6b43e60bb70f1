"""Provision endpoints of /api/v1/provisions: the month-end runs, one run with its matrix, proposing one
(finance) and deciding it (another person). Reads are for those who see the whole book (queries)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from fengkong.core.schemas import answers, caller, page

from . import actions, queries
from .exceptions import Conflict, ProvisionError, SelfApproval
from .schemas import DecideIn, ProposeIn, RunDetailOut, RunOut, RunPage

router = Router(tags=["provisions"])
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The provision run's id")]


def _detail(run) -> dict:
    return {**RunOut.from_orm(run).dict(), "multiplier": run.matrix["multiplier"],
            "recovery_rate": run.matrix["recovery_rate"], "buckets": queries.matrix_rows(run)}


def _refused(exc: ProvisionError):
    status = 403 if isinstance(exc, SelfApproval) else 409 if isinstance(exc, Conflict) else 422
    return HttpError(status, str(exc))


@router.get("/provisions/runs", response=answers(RunPage, 403, 422), url_name="provision_run_list")
def provision_run_list(request, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Month-end provisions, newest first."""
    return page(queries.runs(caller(request)), limit, offset)


@router.get("/provisions/runs/{run_id}", response=answers(RunDetailOut, 403, 404, 422),
            url_name="provision_run_detail")
def provision_run_detail(request, run_id: RunId):
    """One month-end provision with its matrix per aging bucket and its movement."""
    return _detail(queries.run_for(caller(request), run_id))


@router.post("/provisions/runs", response=answers({201: RunDetailOut}, 400, 403, 404, 409, 422),
             url_name="provision_run_propose")
def provision_run_propose(request, body: ProposeIn):
    """Compute the provision at a month-end and propose it for another person's approval."""
    user = caller(request)
    queries.require_reader(user)
    try:
        run = actions.propose_run(actor=user, as_of=body.as_of, note=body.note)
    except ProvisionError as exc:
        raise _refused(exc) from None
    return Status(201, _detail(run))


@router.post("/provisions/runs/{run_id}/decision", response=answers(RunDetailOut, 400, 403, 404, 409, 422),
             url_name="provision_run_decide")
def provision_run_decide(request, run_id: RunId, body: DecideIn):
    """Approve (the period is locked) or reject a proposed provision; not one's own."""
    user = caller(request)
    if not user.has_perm("provisions.approve_provisionrun"):
        raise PermissionDenied("provisions.approve_provisionrun")
    run = queries.run_for(user, run_id)
    try:
        decided = actions.decide_run(actor=user, run=run, approve=body.approve, note=body.note)
    except ProvisionError as exc:
        raise _refused(exc) from None
    return _detail(decided)
