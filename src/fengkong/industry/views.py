"""Industry pages: the indicator library, one indicator with its chart and observations, the release
upload, the outlooks with their history. Reads need the view permission (queries.require_reader: industry
data belongs to no portfolio); every write is an action, which checks its own permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core import industries
from fengkong.core.permissions import require

from . import actions, queries
from .choices import OUTLOOK_COLOURS
from .exceptions import ImportInvalid, IndicatorInvalid, IndustryError
from .forms import IndicatorForm, ObservationForm, OutlookForm, ReleaseForm, form_problems
from .importing import import_observations

HISTORY_ROWS = 100


def _indicator_in(data: dict) -> actions.IndicatorIn:
    return actions.IndicatorIn(**{name: data.get(name) for name in actions.INDICATOR_FIELDS})


def _initial(indicator) -> dict:
    return {name: getattr(indicator, name) for name in actions.INDICATOR_FIELDS}


@login_required
def indicator_list(request):
    section = request.GET.get("industry") or None
    if section not in industries.SECTIONS:
        section = None
    rows = list(queries.indicators(request.user, section))
    latest = queries.latest_values([r.pk for r in rows])
    return render(request, "industry/indicators.html", {
        "rows": [{"indicator": r, "latest": latest.get(r.pk), "where": queries.describe(r),
                  "breach": r.breach(latest[r.pk].value) if r.pk in latest else None} for r in rows],
        "sections": industries.choices(), "section": section, "form": IndicatorForm(),
        "can_add": request.user.has_perm("industry.add_indicator"),
        "can_import": request.user.has_perm("industry.add_observation")})


@require_POST
@login_required
def indicator_new(request):
    require(request.user, "industry.add_indicator")
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            made = actions.save_indicator(actor=request.user, data=_indicator_in(form.cleaned_data))
        except IndicatorInvalid as exc:
            for field, why in exc.problems.items():
                form.add_error(field if field in form.fields else None, why)
        else:
            messages.success(request, _("Indicator %(code)s is in the library.") % {"code": made.code})
            return redirect("industry-indicator", code=made.code)
    messages.error(request, form_problems(form))
    return redirect("industry-indicators")


def _detail_context(request, indicator, form=None, entry=None) -> dict:
    rows = list(queries.observations(indicator))
    user = request.user
    return {"indicator": indicator, "where": queries.describe(indicator), "figure": queries.indicator_figure(indicator, rows),
            "observations": [{"obs": o, "breach": indicator.breach(o.value)} for o in reversed(rows)],
            "form": form or IndicatorForm(initial=_initial(indicator)), "entry": entry or ObservationForm(),
            "can_edit": user.has_perm("industry.change_indicator"), "can_enter": user.has_perm("industry.add_observation")}


@login_required
def indicator_detail(request, code: str):
    indicator = queries.indicator_for(request.user, code)
    return render(request, "industry/indicator.html", _detail_context(request, indicator))


@require_POST
@login_required
def indicator_edit(request, code: str):
    require(request.user, "industry.change_indicator")
    indicator = queries.indicator_for(request.user, code)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            saved = actions.save_indicator(actor=request.user, data=_indicator_in(form.cleaned_data), indicator=indicator)
        except IndicatorInvalid as exc:
            for field, why in exc.problems.items():
                form.add_error(field if field in form.fields else None, why)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect("industry-indicator", code=saved.code)
    return render(request, "industry/indicator.html", _detail_context(request, indicator, form=form), status=400)


@require_POST
@login_required
def observation_add(request, code: str):
    require(request.user, "industry.add_observation")
    indicator = queries.indicator_for(request.user, code)
    entry = ObservationForm(request.POST)
    if entry.is_valid():
        try:
            actions.record_observation(actor=request.user, indicator=indicator, period=entry.cleaned_data["period"],
                                       value=entry.cleaned_data["value"])
        except IndustryError as exc:
            entry.add_error("period", str(exc))
        else:
            messages.success(request, _("The observation is recorded."))
            return redirect("industry-indicator", code=code)
    return render(request, "industry/indicator.html", _detail_context(request, indicator, entry=entry), status=400)


@login_required
def release_import(request):
    require(request.user, "industry.add_observation")
    form, problems, done = ReleaseForm(), [], None
    if request.method == "POST":
        form = ReleaseForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                done = import_observations(actor=request.user, data=upload.read(), file_name=upload.name)
            except ImportInvalid as exc:
                problems = exc.problems
    status = 400 if (request.method == "POST" and done is None) else 200
    return render(request, "industry/import.html", {"form": form, "problems": problems, "done": done}, status=status)


@login_required
def outlook_list(request):
    rows = list(queries.outlooks(request.user))
    history = list(queries.outlook_history(request.user)[:HISTORY_ROWS]) \
        if request.user.has_perm("industry.view_outlookchange") else []
    return render(request, "industry/outlooks.html", {
        "rows": [{"row": r, "label": industries.label(r.industry), "colour": OUTLOOK_COLOURS.get(r.outlook)} for r in rows],
        "history": [{"change": c, "label": industries.label(c.industry)} for c in history],
        "form": OutlookForm(), "can_set": request.user.has_perm("industry.change_industryoutlook")})


@require_POST
@login_required
def outlook_set(request):
    require(request.user, "industry.change_industryoutlook")
    form = OutlookForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problems(form))
        return redirect("industry-outlooks")
    data = form.cleaned_data
    try:
        actions.set_outlook(actor=request.user, industry=data["industry"], outlook=data["outlook"],
                            alarm=data["alarm"], note=data["note"])
    except (IndustryError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The outlook of %(industry)s is set.") % {"industry": industries.label(data["industry"])})
    return redirect("industry-outlooks")
