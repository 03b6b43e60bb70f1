"""Monitoring sections of the customer page: the stop-supply banner, aging history and alert history.

Inclusion tags, so the customer page (web) shows them without its view knowing about monitoring; each
reads through the `for_user` querysets, so they show exactly what the user may see.
"""

from __future__ import annotations

from django import template

from fengkong.monitoring import exports
from fengkong.monitoring.choices import LEVEL_COLOURS
from fengkong.monitoring.models import Alert, CustomerSnapshot, StopSupply

register = template.Library()
HISTORY_DAYS = 90
ALERT_ROWS = 20


@register.inclusion_tag("monitoring/_stop_banner.html", takes_context=True)
def stop_supply_banner(context, customer):
    user = context["request"].user
    stop = StopSupply.objects.for_user(user).active().filter(customer=customer).first()
    return {"stop": stop, "perms": context.get("perms")}


@register.inclusion_tag("monitoring/_customer.html", takes_context=True)
def customer_monitoring(context, customer):
    from fengkong.monitoring.views import stacked_aging_figure

    user = context["request"].user
    rows = list(CustomerSnapshot.objects.for_user(user).filter(customer=customer).order_by("-as_of")
                .values("as_of", *exports.BUCKET_FIELDS, "overdue_amount", "open_amount", "zone")[:HISTORY_DAYS])[::-1]
    alerts = Alert.objects.for_user(user).filter(customer=customer).select_related("invoice")
    latest_as_of = rows[-1]["as_of"] if rows else None
    return {
        "perms": context.get("perms"),
        "shows_history": user.has_perm("monitoring.view_customersnapshot"),
        "shows_alerts": user.has_perm("monitoring.view_alert"),
        "history": rows,
        "history_chart": stacked_aging_figure(rows, exports.bucket_labels(exports.edges_of(latest_as_of)),
                                              height=260) if rows else None,
        "alerts": list(alerts.order_by("-as_of", "-pk")[:ALERT_ROWS]),
        "alert_count": alerts.count(),
        "open_alerts": alerts.open().count(),
        "customer": customer,
        "level_colours": LEVEL_COLOURS,
    }
