"""The credit models' panels on other apps' pages: the cash forecast above the collectors' worklist."""

from __future__ import annotations

from fengkong.core.panels import panel

from .charts import forecast_figure
from .forecasts import forecast_for


@panel("monitoring.worklist", "forecast", order=10, template="scoring/_worklist_forecast.html")
def worklist_forecast(request, **_objects) -> dict | None:
    """The cash the worklist is expected to bring in over 13 weeks (the user's portfolio, or the company's)."""
    if not request.user.has_perm("scoring.view_cashforecast"):
        return None
    forecast = forecast_for(request.user)
    if forecast is None:
        return None
    return {"forecast": forecast, "forecast_chart": forecast_figure(forecast.weeks, height=220)}
