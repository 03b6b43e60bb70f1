"""The home page: the visible book at a glance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fengkong.core import dates
from fengkong.core.charts import aging_figure, aging_rows
from fengkong.receivables import queries as ledger


@login_required
def home(request):
    as_of = dates.business_today()
    overview = ledger.book_overview(request.user, as_of)
    return render(request, "web/home.html", {
        "as_of": as_of,
        "overview": overview,
        "aging_chart": aging_figure(overview.aging),
        "aging_rows": aging_rows(overview.aging),
    })
