"""Monitoring's sections of the customer page (customers.detail): the stop-supply banner above everything,
and the aging and alert history after the open invoices.

Each reads through the `for_user` querysets, so it shows exactly what the user may see; a section with
nothing the user may see is not shown at all.
"""

from __future__ import annotations

from fengkong.core.panels import panel

from . import exports
from .charts import stacked_aging_figure
from .choices import LEVEL_COLOURS
from .models import Alert, CustomerSnapshot, StopSupply

HISTORY_DAYS = 90
ALERT_ROWS = 20


@panel("customers.detail", "stop_supply", order=5, template="monitoring/_stop_banner.html", slot="banner")
def stop_supply_banner(request, *, customer, **_objects) -> dict | None:
    stop = StopSupply.objects.for_user(request.user).active().filter(customer=customer).first()
    return {"stop": stop} if stop else None


@panel("customers.detail", "monitoring", order=30, template="monitoring/_customer.html", slot="after_invoices")
def customer_monitoring(request, *, customer, **_objects) -> dict | None:
    user = request.user
    shows_history = user.has_perm("monitoring.view_customersnapshot")
    shows_alerts = user.has_perm("monitoring.view_alert")
    if not (shows_history or shows_alerts):
        return None
    rows = list(CustomerSnapshot.objects.for_user(user).filter(customer=customer).order_by("-as_of")
                .values("as_of", *exports.BUCKET_FIELDS, "overdue_amount", "open_amount", "zone")[:HISTORY_DAYS])[::-1]
    alerts = Alert.objects.for_user(user).filter(customer=customer).select_related("invoice")
    latest_as_of = rows[-1]["as_of"] if rows else None
    return {
        "shows_history": shows_history,
        "shows_alerts": shows_alerts,
        "history": rows,
        "history_chart": stacked_aging_figure(rows, exports.bucket_labels(exports.edges_of(latest_as_of)),
                                              height=260) if rows else None,
        "alerts": list(alerts.order_by("-as_of", "-pk")[:ALERT_ROWS]),
        "alert_count": alerts.count(),
        "open_alerts": alerts.open().count(),
        "customer": customer,
        "level_colours": LEVEL_COLOURS,
        "charts": bool(rows),
    }
