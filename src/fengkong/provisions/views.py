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

from fengkong.core.permissions import require

from . import actions, exports, queries
from .choices import STATUS_COLOURS, RunStatus
from .exceptions import ProvisionError
from .forms import DecideForm, ProposeForm
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
