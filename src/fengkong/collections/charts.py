"""Plotly figures of the collections pages, as JSON-ready dicts (drawn by static/web/app.js, see core/charts.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengkong.core import charts
from fengkong.core.money import format_amount

COLLECTED, CEI, KEPT = "#2b6cb0", "#2f855a", "#b7791f"


def _percent_trace(name: str, x: list[str], values: list[float | None], colour: str) -> dict:
    return {"type": "scatter", "mode": "markers", "name": name, "x": x, "y": values, "yaxis": "y2",
            "marker": {"color": colour, "size": 10},
            "hovertemplate": "%{x}<br>%{y:.1f}%<extra>" + name + "</extra>"}


def performance_figure(lines: list, currency: str, height: int = 320) -> dict:
    """Each collector's money collected as a bar, their CEI and kept rate as points on a percent axis."""
    x = [line.label for line in lines]
    return charts.figure([
        {"type": "bar", "name": _("Collected"), "x": x, "y": [float(line.collected) for line in lines],
         "text": [format_amount(line.collected) for line in lines], "textposition": "none",
         "hovertemplate": "%{x}<br>%{text}<extra></extra>", "marker": {"color": COLLECTED}},
        _percent_trace(_("CEI"), x, [line.cei for line in lines], CEI),
        _percent_trace(_("Promises kept"), x,
                       [None if line.kept_rate is None else line.kept_rate * 100 for line in lines], KEPT),
    ], charts.layout(height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                     legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                     xaxis={"type": "category", "automargin": True},
                     yaxis={"title": {"text": _("Collected (%(currency)s)") % {"currency": currency}}, "rangemode": "tozero", "tickformat": ",.0f",
                            "automargin": True},
                     yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False,
                             "ticksuffix": "%", "automargin": True}))
