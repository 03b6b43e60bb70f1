"""Provision endpoints of /api/v1/provisions: the month-end runs, one run with its matrix, proposing one
(finance) and deciding it (another person); write-off requests, their decisions and recoveries. Reads are
for those who see the whole book (queries)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from fengkong.core.schemas import answers, caller, page
from fengkong.receivables.models import Invoice

from . import actions, queries, write_offs
from .choices import WriteOffStatus
from .exceptions import Conflict, ProvisionError, SelfApproval, WriteOffInvalid
from .schemas import (
    DecideIn,
    ProposeIn,
    RecoveryIn,
    RunDetailOut,
    RunOut,
    RunPage,
    WriteOffDecideIn,
    WriteOffDetailOut,
    WriteOffIn,
    WriteOffPage,
)

router = Router(tags=["provisions"])
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The provision run's id")]


def _detail(run) -> dict:
    return {**RunOut.from_orm(run).dict(), "multiplier": run.matrix["multiplier"],
            "recovery_rate": run.matrix["recovery_rate"],
            "recovery_source": run.matrix.get("recovery_source", "policy"),
            "recovery_cases": run.matrix.get("recovery_cases", 0), "buckets": queries.matrix_rows(run)}


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


# --- write-offs -------------------------------------------------------------------------------------

WriteOffId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The write-off request's id")]


def _write_off_row(item) -> dict:
    return {"id": item.pk, "reference": item.reference, "invoice": item.invoice.number,
            "customer": item.invoice.customer.code, "currency": item.invoice.currency, "amount": item.amount,
            "ground": item.ground, "status": item.status, "approvers_needed": item.approvers_needed,
            "proposed_by": item.proposed_by.get_username(), "proposed_at": item.proposed_at,
            "written_off_on": item.posted.written_off_on if item.posted else None}


def _write_off(item) -> dict:
    return {**_write_off_row(item), "statement": item.statement, "decision_note": item.decision_note,
            "evidence": sorted(item.evidence.values_list("pk", flat=True)),
            "approvals": [{"approver": a.approver.get_username(), "approved_at": a.approved_at, "note": a.note}
                          for a in item.approvals.all()],
            "recoveries": [{"amount": r.amount, "received_on": r.received_on, "note": r.note}
                           for r in item.recoveries.all()]}


def _write_off_refused(exc: ProvisionError):
    if isinstance(exc, WriteOffInvalid):
        return HttpError(422, str(exc))
    return _refused(exc)


@router.get("/provisions/write-offs", response=answers(WriteOffPage, 403, 422), url_name="write_off_list")
def write_off_list(request, status: WriteOffStatus | None = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Write-off requests, newest first (optionally of one status)."""
    found = queries.write_off_requests(caller(request))
    listed = page(found.filter(status=status) if status else found, limit, offset)
    return {**listed, "items": [_write_off_row(item) for item in listed["items"]]}


@router.get("/provisions/write-offs/{write_off_id}", response=answers(WriteOffDetailOut, 403, 404, 422),
            url_name="write_off_detail")
def write_off_detail(request, write_off_id: WriteOffId):
    """One write-off request with its evidence, approvals and recoveries."""
    return _write_off(queries.write_off_for(caller(request), write_off_id))


@router.post("/provisions/write-offs", response=answers({201: WriteOffDetailOut}, 400, 403, 404, 409, 422),
             url_name="write_off_request")
def write_off_request(request, body: WriteOffIn):
    """Request the write-off of (part of) an invoice's open amount on a ground of 国家税务总局公告2011年第25号."""
    user = caller(request)
    queries.require_reader(user)
    invoice = Invoice.objects.filter(number=body.invoice).first()
    if invoice is None:
        raise HttpError(404, f"no invoice {body.invoice}")
    try:
        made = write_offs.request_write_off(actor=user, invoice=invoice, amount=body.amount, ground=body.ground,
                                            statement=body.statement, evidence_ids=body.evidence)
    except ProvisionError as exc:
        raise _write_off_refused(exc) from None
    return Status(201, _write_off(queries.write_off_for(user, made.pk)))


@router.post("/provisions/write-offs/{write_off_id}/decision",
             response=answers(WriteOffDetailOut, 400, 403, 404, 409, 422), url_name="write_off_decide")
def write_off_decide(request, write_off_id: WriteOffId, body: WriteOffDecideIn):
    """Approve (the last approval needed posts the write-off) or reject a request; not one's own."""
    user = caller(request)
    if not user.has_perm("provisions.approve_writeoffrequest"):
        raise PermissionDenied("provisions.approve_writeoffrequest")
    item = queries.write_off_for(user, write_off_id)
    try:
        write_offs.decide_write_off(actor=user, request=item, approve=body.approve, note=body.note)
    except ProvisionError as exc:
        raise _write_off_refused(exc) from None
    return _write_off(queries.write_off_for(user, write_off_id))


@router.post("/provisions/write-offs/{write_off_id}/recoveries",
             response=answers({201: WriteOffDetailOut}, 400, 403, 404, 409, 422), url_name="write_off_recovery")
def write_off_recovery(request, write_off_id: WriteOffId, body: RecoveryIn):
    """Record money received on a written-off amount (at most what is still written off)."""
    user = caller(request)
    if not user.has_perm("provisions.add_recovery"):
        raise PermissionDenied("provisions.add_recovery")
    item = queries.write_off_for(user, write_off_id)
    try:
        write_offs.record_recovery(actor=user, request=item, amount=body.amount, received_on=body.received_on,
                                   note=body.note)
    except ProvisionError as exc:
        raise _write_off_refused(exc) from None
    return Status(201, _write_off(queries.write_off_for(user, write_off_id)))
