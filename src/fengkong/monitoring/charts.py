"""Monitoring's plotly figures as JSON-ready dicts (drawn by web/static/web/app.js, see core/charts.py):
the aging history as stacked bars, the book by zone, overdue money by province × industry."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengkong.core import industries, regions
from fengkong.core.charts import CONFIG, layout
from fengkong.core.money import format_amount

from . import exports
from .choices import ZONE_COLOURS, Zone
from .models import BUCKET_FIELDS


def stacked_aging_figure(rows: list[dict], labels: list[str], height: int = 320) -> dict:
    """Bucket sums per snapshot date as stacked bars (one trace per bucket)."""
    days = [row["as_of"].isoformat() for row in rows]
    traces = []
    for i, (name, label) in enumerate(zip(BUCKET_FIELDS, labels, strict=False)):
        traces.append({
            "type": "bar", "name": label, "x": days, "y": [float(row[name]) for row in rows],
            "text": [format_amount(row[name]) for row in rows], "textposition": "none",
            "hovertemplate": "%{x}<br>" + label + ": %{text}<extra></extra>",
            "marker": {"color": exports.BUCKET_COLOURS[i]},
        })
    return {"data": traces, "config": CONFIG, "layout": layout(
        height, barmode="stack", legend={"orientation": "h", "y": -0.25},
        xaxis={"type": "category", "automargin": True},
        yaxis={"title": {"text": _("Open amount (CNY)")}, "tickformat": ",.0f", "automargin": True})}


def zone_figure(zones: dict[int, dict], height: int = 240) -> dict:
    names = [str(label) for _value, label in Zone.choices]
    amounts = [zones[z]["amount"] for z in Zone.values]
    return {"config": CONFIG, "data": [{
        "type": "bar", "orientation": "h", "y": names, "x": [float(a) for a in amounts],
        "text": [format_amount(a) for a in amounts], "textposition": "auto",
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "marker": {"color": [ZONE_COLOURS[z] for z in Zone.values]},
    }], "layout": layout(height, yaxis={"autorange": "reversed", "automargin": True},
                          xaxis={"tickformat": ",.0f", "rangemode": "tozero", "automargin": True})}


def heatmap_figure(cells: list[dict], height: int = 340) -> dict | None:
    """Overdue money by province (rows) × industry (columns)."""
    if not cells:
        return None
    by_province: dict[str, float] = {}
    by_industry: dict[str, float] = {}
    for c in cells:
        by_province[c["province"]] = by_province.get(c["province"], 0) + float(c["overdue"])
        by_industry[c["industry"]] = by_industry.get(c["industry"], 0) + float(c["overdue"])
    provinces = sorted(by_province, key=lambda p: -by_province[p])[:15]
    sections = sorted(by_industry, key=lambda s: -by_industry[s])[:12]
    grid = {(c["province"], c["industry"]): c["overdue"] for c in cells}
    z = [[float(grid[(p, s)]) if (p, s) in grid else None for s in sections] for p in provinces]
    text = [[format_amount(grid[(p, s)]) if (p, s) in grid else "—" for s in sections] for p in provinces]
    return {"config": CONFIG, "data": [{
        "type": "heatmap", "z": z, "text": text,
        "x": [industries.label(s) if s else "—" for s in sections],
        "y": [regions.label(p + "0000") if p else "—" for p in provinces],
        "colorscale": [[0, "#fdf3e1"], [0.5, "#dd6b20"], [1, "#9b2c2c"]],
        "hovertemplate": "%{y} · %{x}<br>%{text}<extra></extra>", "xgap": 2, "ygap": 2,
        "colorbar": {"tickformat": ",.0f", "thickness": 10},
    }], "layout": layout(max(height, 90 + 34 * len(provinces)),
                          xaxis={"automargin": True, "tickangle": -30}, yaxis={"automargin": True})}
