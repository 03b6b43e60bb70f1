"""Provision pages: the month-end runs, one run's matrix with its chart, the movement, the lines of the
largest provisions, the decision (maker-checker) and the downloads (journal, disclosure, lines).

Only users who see the whole book read them (queries.require_reader); proposing and deciding are actions,
which check their own permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core.money import from_fen
from fengkong.core.permissions import require
from fengkong.receivables.models import Invoice

from . import actions, exports, queries, write_offs
from .choices import STATUS_COLOURS, WRITE_OFF_COLOURS, RunStatus, WriteOffStatus
from .exceptions import ProvisionError, WriteOffInvalid
from .forms import DecideForm, ProposeForm, RecoveryForm, WriteOffDecideForm, WriteOffForm
from .models import IndividualProvision, ProvisionPolicy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def run_list(request):
    runs = queries.runs(request.user)[:60]
    form = ProposeForm(initial={"as_of": actions.previous_month_end(timezone.localdate())})
    return render(request, "provisions/runs.html", {
        "runs": runs, "colours": STATUS_COLOURS, "form": form, "policy": ProvisionPolicy.current(),
        "can_propose": request.user.has_perm("provisions.propose_provisionrun"),
        "individuals": IndividualProvision.objects.active().select_related("customer", "created_by")})


@require_POST
@login_required
def run_propose(request):
    require(request.user, "provisions.propose_provisionrun")
    queries.require_reader(request.user)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the month-end as a date."))
        return redirect("provisions-runs")
    try:
        run = actions.propose_run(actor=request.user, as_of=form.cleaned_data["as_of"],
                                  note=form.cleaned_data["note"])
    except ProvisionError as exc:
        messages.error(request, str(exc))
        return redirect("provisions-runs")
    messages.success(request, _("The provision of %(day)s is proposed; another person approves it.")
                     % {"day": run.as_of.isoformat()})
    return redirect("provisions-run", pk=run.pk)


def _context(request, run, form=None) -> dict:
    user = request.user
    return {"run": run, "rows": queries.matrix_rows(run), "figure": queries.matrix_figure(run),
            "journal": queries.journal_rows(run), "lines": queries.top_lines(run), "colours": STATUS_COLOURS,
            "own": run.proposed_by_id == user.pk, "form": form or DecideForm(),
            "can_decide": (run.status == RunStatus.PROPOSED and run.proposed_by_id != user.pk
                           and user.has_perm("provisions.approve_provisionrun"))}


@login_required
def run_detail(request, pk: int):
    run = queries.run_for(request.user, pk)
    return render(request, "provisions/run.html", _context(request, run))


@require_POST
@login_required
def run_decide(request, pk: int):
    require(request.user, "provisions.approve_provisionrun")
    run = queries.run_for(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            actions.decide_run(actor=request.user, run=run, approve=approve, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProvisionError as exc:
            messages.error(request, str(exc))
            return redirect("provisions-run", pk=pk)
        else:
            messages.success(request, _("The provision is approved and the period locked.") if approve
                             else _("The provision is rejected."))
            return redirect("provisions-run", pk=pk)
    return render(request, "provisions/run.html", _context(request, run, form), status=400)


@login_required
def run_download(request, pk: int, what: str, fmt: str):
    run = queries.run_for(request.user, pk)
    if what not in exports.FRAMES or fmt not in ("csv", "xlsx"):
        raise Http404
    frame = exports.FRAMES[what](run)
    name = f"provision-{run.as_of:%Y-%m-%d}-{what}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(frame), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.as_xlsx(frame, what), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- write-offs -------------------------------------------------------------------------------------

def _write_off_list(request, form=None, status: int = 200):
    requests_ = queries.write_off_requests(request.user)
    wanted = request.GET.get("status", "")
    if wanted in WriteOffStatus.values:
        requests_ = requests_.filter(status=wanted)
    return render(request, "provisions/write_offs.html", {
        "requests": requests_[:100], "form": form or WriteOffForm(), "colours": WRITE_OFF_COLOURS,
        "statuses": WriteOffStatus.choices, "wanted": wanted,
        "levels": [{"up_to": None if level.up_to_fen is None else from_fen(level.up_to_fen),
                    "approvers": level.approvers} for level in ProvisionPolicy.current().parsed().write_off_levels],
        "can_request": request.user.has_perm("provisions.propose_writeoffrequest")}, status=status)


@login_required
def write_off_list(request):
    return _write_off_list(request)


@require_POST
@login_required
def write_off_create(request):
    require(request.user, "provisions.propose_writeoffrequest")
    queries.require_reader(request.user)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return _write_off_list(request, form, 400)
    data = form.cleaned_data
    invoice = Invoice.objects.filter(number=data["invoice"].strip()).first()
    if invoice is None:
        form.add_error("invoice", _("No invoice %(number)s.") % {"number": data["invoice"]})
        return _write_off_list(request, form, 400)
    try:
        made = write_offs.request_write_off(actor=request.user, invoice=invoice, amount=data["amount"],
                                            ground=data["ground"], statement=data["statement"],
                                            evidence_ids=data["evidence"])
    except WriteOffInvalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _write_off_list(request, form, 400)
    except ProvisionError as exc:
        form.add_error(None, str(exc))
        return _write_off_list(request, form, 409)
    messages.success(request, _("Write-off %(ref)s is requested; it needs %(n)d approval(s) by others.")
                     % {"ref": made.reference, "n": made.approvers_needed})
    return redirect("provisions-write-off", pk=made.pk)


def _write_off_context(request, item, form=None, recovery_form=None) -> dict:
    user = request.user
    approved = {a.approver_id for a in item.approvals.all()}
    return {"item": item, "colours": WRITE_OFF_COLOURS, "evidence": item.evidence.all(),
            "recoveries": item.recoveries.select_related("recorded_by"), "recovered": write_offs.recovered(item),
            "form": form or WriteOffDecideForm(), "recovery_form": recovery_form or RecoveryForm(),
            "own": item.proposed_by_id == user.pk, "approved_by_me": user.pk in approved,
            "can_decide": (item.status == WriteOffStatus.PROPOSED and item.proposed_by_id != user.pk
                           and user.pk not in approved and user.has_perm("provisions.approve_writeoffrequest")),
            "can_recover": item.status == WriteOffStatus.POSTED and user.has_perm("provisions.add_recovery")}


@login_required
def write_off_detail(request, pk: int):
    item = queries.write_off_for(request.user, pk)
    return render(request, "provisions/write_off.html", _write_off_context(request, item))


@require_POST
@login_required
def write_off_decide(request, pk: int):
    require(request.user, "provisions.approve_writeoffrequest")
    item = queries.write_off_for(request.user, pk)
    form = WriteOffDecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            decided = write_offs.decide_write_off(actor=request.user, request=item, approve=approve,
                                                  note=form.cleaned_data["note"])
        except WriteOffInvalid as exc:
            form.add_error("note" if exc.field == "note" else None, str(exc))
        except ProvisionError as exc:
            messages.error(request, str(exc))
            return redirect("provisions-write-off", pk=pk)
        else:
            messages.success(request, _("Written off.") if decided.status == WriteOffStatus.POSTED
                             else _("Your approval is recorded.") if approve else _("The write-off is rejected."))
            return redirect("provisions-write-off", pk=pk)
    return render(request, "provisions/write_off.html", _write_off_context(request, item, form), status=400)


@require_POST
@login_required
def write_off_recovery(request, pk: int):
    require(request.user, "provisions.add_recovery")
    item = queries.write_off_for(request.user, pk)
    form = RecoveryForm(request.POST)
    if form.is_valid():
        try:
            write_offs.record_recovery(actor=request.user, request=item, amount=form.cleaned_data["amount"],
                                       received_on=form.cleaned_data["received_on"], note=form.cleaned_data["note"])
        except WriteOffInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except ProvisionError as exc:
            messages.error(request, str(exc))
            return redirect("provisions-write-off", pk=pk)
        else:
            messages.success(request, _("The recovery is recorded."))
            return redirect("provisions-write-off", pk=pk)
    return render(request, "provisions/write_off.html", _write_off_context(request, item, recovery_form=form),
                  status=400)
