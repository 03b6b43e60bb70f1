"""The AR reconciliation page and its downloads (docs/reconciliation.md): parse, read the query, render.

Rows and totals come from queries.reconciliation for the signed-in user, so a user limited to some
portfolios sees, and downloads, only their customers' differences and sums.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from fengkong.core.files import written_download

from .exports import write_reconciliation_csv, write_reconciliation_workbook
from .queries import reconciliation

PERM = "receivables.view_reconciliation"
SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadDate(ValueError):
    pass


def _as_of(request) -> date | None:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise BadDate(_("as_of must be a date like 2026-11-28")) from None


def _report(request):
    return reconciliation(request.user, _as_of(request))


@login_required
@permission_required(PERM, raise_exception=True)
def reconciliation_page(request):
    try:
        report = _report(request)
    except BadDate as exc:
        return HttpResponseBadRequest(str(exc))
    return render(request, "receivables/reconciliation.html", {
        "report": report, "rows": report.rows[:SHOWN], "more": max(report.count - SHOWN, 0),
        "as_of_param": request.GET.get("as_of", "") and report.as_of.isoformat()})


@login_required
@permission_required(PERM, raise_exception=True)
def reconciliation_csv(request):
    try:
        report = _report(request)
    except BadDate as exc:
        return HttpResponseBadRequest(str(exc))
    return written_download(lambda path: write_reconciliation_csv(report, path),
                            filename=f"reconciliation-{report.as_of}.csv", content_type="text/csv; charset=utf-8")


@login_required
@permission_required(PERM, raise_exception=True)
def reconciliation_xlsx(request):
    try:
        report = _report(request)
    except BadDate as exc:
        return HttpResponseBadRequest(str(exc))
    return written_download(lambda path: write_reconciliation_workbook(report, path),
                            filename=f"reconciliation-{report.as_of}.xlsx", content_type=XLSX)
