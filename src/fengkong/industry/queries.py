"""Reads of the industry app for its pages, the API and the apps above (credit reads the outlooks here).

Industry data is not portfolio data: an indicator or an outlook belongs to no customer, so every reader with
the view permission sees all of it (no portfolio scope), and a reader without it gets 403.
"""

from __future__ import annotations

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fengkong.core import industries, regions
from fengkong.core.charts import CONFIG, layout

from .choices import Direction
from .models import Indicator, IndustryOutlook, Observation, OutlookChange
from .periods import period_label

LINE_COLOUR, WARNING_COLOUR, ALARM_COLOUR = "#2b6cb0", "#dd6b20", "#c53030"


def outlook_frame() -> pl.DataFrame:
    """Every industry's outlook in force as columns industry, industry_outlook, alarm (credit's assessment input)."""
    rows = list(IndustryOutlook.objects.order_by("industry").values_list("industry", "outlook", "alarm"))
    return pl.DataFrame(rows, schema={"industry": pl.String, "industry_outlook": pl.String, "alarm": pl.Boolean},
                        orient="row")


def require_reader(user, perm: str = "industry.view_indicator") -> None:
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise PermissionDenied(perm)


def indicators(user, industry: str | None = None):
    """The library with each indicator's count of observations and latest period."""
    require_reader(user)
    rows = Indicator.objects.annotate(observed=Count("observations"), latest=Max("observations__period"))
    return rows.filter(industry=industry) if industry else rows


def indicator_for(user, code: str) -> Indicator:
    require_reader(user)
    return get_object_or_404(Indicator, code=code)


def observations(indicator: Indicator):
    return Observation.objects.filter(indicator=indicator).select_related("entered_by").order_by("period")


def latest_values(indicator_ids: list[int]) -> dict[int, Observation]:
    """The latest observation of each indicator."""
    latest: dict[int, Observation] = {}
    for obs in Observation.objects.filter(indicator_id__in=indicator_ids).order_by("indicator_id", "period"):
        latest[obs.indicator_id] = obs
    return latest


def outlooks(user):
    require_reader(user, "industry.view_industryoutlook")
    return IndustryOutlook.objects.select_related("updated_by")


def outlook_history(user, industry: str | None = None):
    require_reader(user, "industry.view_outlookchange")
    rows = OutlookChange.objects.select_related("changed_by")
    return rows.filter(industry=industry) if industry else rows


def describe(indicator: Indicator) -> str:
    """"E · 重庆市 · 万吨": the industry, the region (or the country) and the unit, for lists."""
    where = regions.label(indicator.region) if indicator.region else _("whole country")
    return f"{industries.label(indicator.industry)} · {where} · {indicator.unit}"


def indicator_figure(indicator: Indicator, rows: list[Observation], height: int = 320) -> dict | None:
    """The indicator over time as a line, its warning and alarm thresholds as dashed lines."""
    if not rows:
        return None
    days = [o.period.isoformat() for o in rows]
    text = [f"{period_label(o.period, indicator.frequency)}: {o.value.normalize():f} {indicator.unit}" for o in rows]
    data = [{"type": "scatter", "mode": "lines+markers", "name": indicator.name, "x": days,
             "y": [float(o.value) for o in rows], "text": text, "hovertemplate": "%{text}<extra></extra>",
             "line": {"color": LINE_COLOUR}}]
    for level, name, colour in ((indicator.warning_level, _("Warning threshold"), WARNING_COLOUR),
                                (indicator.alarm_level, _("Alarm threshold"), ALARM_COLOUR)):
        if level is not None:
            data.append({"type": "scatter", "mode": "lines", "name": name, "x": [days[0], days[-1]],
                         "y": [float(level)] * 2, "hovertemplate": f"{name}: {level.normalize():f}<extra></extra>",
                         "line": {"color": colour, "dash": "dash", "width": 1.5}})
    side = _("lower is riskier") if indicator.direction == Direction.LOWER_IS_RISKIER else _("higher is riskier")
    return {"config": CONFIG, "data": data, "layout": layout(
        height, legend={"orientation": "h", "y": -0.2}, xaxis={"type": "date", "automargin": True},
        yaxis={"title": {"text": f"{indicator.unit} ({side})"}, "automargin": True})}
