"""Plotly figures of the models pages, as JSON-ready dicts (drawn by static/web/app.js, see core/charts.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengkong.core import charts
from fengkong.core.money import format_amount, from_fen

from .choices import PSI_ALERT

FORECAST, ACTUAL, REFERENCE, ALERT = "#2b6cb0", "#2f855a", "#a0aec0", "#c53030"


def _layout(height: int, y_title: str, **extra) -> dict:
    # The legend sits above the plot: below it, it would collide with the dates' tick labels on a phone.
    return charts.layout(height, **{
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "automargin": True, "tickformat": ",.0f"},
        **extra})


def _money_trace(kind: str, name: str, x: list, fen: list[int], colour: str, **extra) -> dict:
    return {"type": kind, "name": name, "x": x, "y": [v / 100 for v in fen],
            "text": [format_amount(from_fen(int(v))) for v in fen], "textposition": "none",
            "hovertemplate": "%{x}<br>%{text}<extra>" + name + "</extra>", "marker": {"color": colour}, **extra}


def forecast_figure(weeks: list[dict], height: int = 300) -> dict:
    """The 13 weeks ahead: expected collections per week as bars, the running total as a line."""
    x = [w["start"] for w in weeks]
    expected = [int(w["expected_fen"]) for w in weeks]
    running = [sum(expected[: i + 1]) for i in range(len(expected))]
    return charts.figure([
        _money_trace("bar", _("Expected this week"), x, expected, FORECAST),
        _money_trace("scatter", _("Cumulative"), x, running, "#1a365d", mode="lines+markers", yaxis="y2"),
    ], _layout(height, _("Collections (CNY)"), xaxis={"type": "category", "automargin": True},
               yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False,
                       "tickformat": ",.0f", "automargin": True}))


def backtest_figure(origin: dict, height: int = 280) -> dict:
    """One back-test origin: what the model forecast, what the plain reference rule forecast, what arrived."""
    weeks = origin.get("weeks") or []
    x = [w.get("start") or str(w.get("week")) for w in weeks]
    return charts.figure([
        _money_trace("bar", _("Arrived"), x, [int(w.get("actual_fen") or 0) for w in weeks], ACTUAL),
        _money_trace("scatter", _("Model forecast"), x, [int(w.get("forecast_fen") or 0) for w in weeks], FORECAST,
                     mode="lines+markers"),
        _money_trace("scatter", _("Reference rule"), x, [int(w.get("reference_fen") or 0) for w in weeks], REFERENCE,
                     mode="lines+markers", line={"dash": "dot"}),
    ], _layout(height, _("Collections (CNY)"), xaxis={"type": "category", "automargin": True}))


def drift_figure(monitors: list, height: int = 240) -> dict:
    """Score PSI per day with the alert line at 0.25."""
    monitors = sorted(monitors, key=lambda m: m.as_of)
    x = [m.as_of.isoformat() for m in monitors]
    return charts.figure([
        {"type": "scatter", "mode": "lines+markers", "name": _("Score PSI"), "x": x,
         "y": [round(m.score_psi, 4) for m in monitors], "marker": {"color": FORECAST},
         "hovertemplate": "%{x}: %{y}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": _("Alert above"), "x": x, "y": [PSI_ALERT] * len(x),
         "line": {"color": ALERT, "dash": "dash"}, "hoverinfo": "skip"},
    ], {**_layout(height, _("PSI")), "yaxis": {"title": {"text": _("PSI")}, "rangemode": "tozero",
                                               "automargin": True},
        "xaxis": {"type": "category"}})
