"""Plotly figures as plain JSON-ready dicts.

The page embeds the figure with `json_script` (a `<script type="application/json">` block, which the
Content-Security-Policy allows because it is data, not code) and static/web/app.js draws it with the
locally served plotly.min.js. Amounts are exact integer fen up to here; only the bar heights handed
to the chart are yuan as floats, and the hover text is the exact formatted amount.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengkong.core.money import format_amount, from_fen
from fengkong.engine.aging import AgingBucket, AgingProfile

ZONE_COLOURS = ["#2f855a", "#b7791f", "#dd6b20", "#c05621", "#c53030", "#9b2c2c", "#63171b"]
# The CJK fonts first: a chart's Chinese labels must not fall back to boxes (fonts-noto-cjk is installed).
FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
CONFIG = {"displayModeBar": False, "responsive": True}


def layout(height: int, **extra) -> dict:
    """Every chart's layout: its height, narrow margins, the CJK font, a transparent background; `extra` adds."""
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "font": {"family": FONT, "size": 12},
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", **extra}


def figure(data: list[dict], figure_layout: dict) -> dict:
    return {"data": data, "layout": figure_layout, "config": CONFIG}


def bucket_label(bucket: AgingBucket) -> str:
    if bucket.is_current:
        return _("Not yet due")
    if bucket.low is None:
        return _("Up to %(high)d days") % {"high": bucket.high}
    if bucket.high is None:
        return _("Over %(days)d days") % {"days": bucket.low - 1}
    return _("%(low)d–%(high)d days") % {"low": bucket.low, "high": bucket.high}


def aging_rows(profile: AgingProfile) -> list[dict]:
    """The same buckets as a table (for the accessible text version beside the chart)."""
    return [{"label": bucket_label(b), "amount": from_fen(b.amount_fen), "items": b.items}
            for b in profile.buckets]


def aging_figure(profile: AgingProfile, height: int = 280) -> dict:
    labels = [bucket_label(b) for b in profile.buckets]
    return figure([{
        "type": "bar",
        "x": labels,
        "y": [b.amount_fen / 100 for b in profile.buckets],
        "text": [format_amount(from_fen(b.amount_fen)) for b in profile.buckets],
        "hovertemplate": "%{x}<br>%{text}<extra></extra>",
        "textposition": "none",
        "marker": {"color": [ZONE_COLOURS[min(i, len(ZONE_COLOURS) - 1)] for i in range(len(labels))]},
    }], layout(height,
               yaxis={"title": {"text": _("Open amount (CNY)")}, "tickformat": ",.0f", "rangemode": "tozero",
                      "automargin": True},
               xaxis={"title": {"text": _("Days overdue")}, "automargin": True}))
