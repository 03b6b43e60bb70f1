"""The exchange-rate page (docs/currencies.md): every rate, newest first, filtered by currency; finance
adds or corrects one with the form beside it (receivables.actions.save_fx_rate)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengkong.core.currencies import functional_currency
from fengkong.core.permissions import require

from .actions import save_fx_rate
from .forms import FxRateForm
from .models import FxRate

PAGE_SIZE = 50


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
