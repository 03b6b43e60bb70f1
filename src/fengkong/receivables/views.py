"""The ledger's own pages (docs/currencies.md, docs/reconciliation.md): parse, call an action or a query, render.

- The exchange-rate page: every rate, newest first, filtered by currency; finance adds or corrects one with
  the form beside it (receivables.actions.save_fx_rate).
- The AR reconciliation page and its downloads: rows and totals come from queries.reconciliation for the
  signed-in user, so a user limited to some portfolios sees, and downloads, only their customers' differences
  and sums.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengkong.core.currencies import functional_currency
from fengkong.core.files import written_download
from fengkong.core.permissions import require

from .actions import save_fx_rate
from .exports import write_reconciliation_csv, write_reconciliation_workbook
from .forms import FxRateForm
from .models import FxRate
from .queries import reconciliation

PAGE_SIZE = 50
PERM = "receivables.view_reconciliation"
SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



@login_required
@permission_required("receivables.view_fxrate", raise_exception=True)
def fx_rates(request):
    form = FxRateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request.user, "receivables.manage_fxrate")
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_fx_rate(actor=request.user, day=data["date"], currency=data["currency"], rate=data["rate"],
                             source=data["source"])
                return redirect(f"{request.path}?currency={data['currency'].strip().upper()}")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        status = 400
    currency = (request.GET.get("currency") or "").strip().upper()[:3]
    rates = FxRate.objects.order_by("-date", "currency")
    if currency:
        rates = rates.filter(currency=currency)
    page = Paginator(rates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "receivables/fx_rates.html", {
        "page": page, "form": form, "currency": currency, "functional": functional_currency(),
        "currencies": FxRate.objects.order_by("currency").values_list("currency", flat=True).distinct(),
        "can_manage": request.user.has_perm("receivables.manage_fxrate"), "title": _("Exchange rates")},
        status=status)



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


def _download(request, write, suffix: str, content_type: str):
    try:
        report = _report(request)
    except BadDate as exc:
        return HttpResponseBadRequest(str(exc))
    return written_download(lambda path: write(report, path), filename=f"reconciliation-{report.as_of}.{suffix}",
                            content_type=content_type)


@login_required
@permission_required(PERM, raise_exception=True)
def reconciliation_csv(request):
    return _download(request, write_reconciliation_csv, "csv", "text/csv; charset=utf-8")


@login_required
@permission_required(PERM, raise_exception=True)
def reconciliation_xlsx(request):
    return _download(request, write_reconciliation_workbook, "xlsx", XLSX)
