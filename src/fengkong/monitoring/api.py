"""Monitoring endpoints of /api/v1: aging (book, grouped, one customer's history), alerts with their
acknowledge and resolve actions, and stop-supply flags.

As everywhere in the API, rows come from the `for_user` querysets (core.permissions.scope) and nothing
else: a collector's aging covers their portfolio, and an alert outside it is a 404 like one that does
not exist. State changes call the monitoring actions, which check the permission (403) and audit.
"""

from __future__ import annotations

from typing import Annotated

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from ninja import Path, Query, Router
from ninja.errors import HttpError

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller, page
from fengkong.customers.api import CustomerCode, visible_customer
from fengkong.engine.aging import bucket_bounds

from . import actions, exports
from .choices import OPEN_ALERT_STATUSES
from .exceptions import AlertStateError, MonitoringError
from .models import ActionItem, Alert, CustomerSnapshot, StopSupply
from .schemas import (
    AgingFilters,
    AgingOut,
    AlertDetailOut,
    AlertFilters,
    AlertOut,
    AlertPage,
    CustomerAgingOut,
    HistoryFilters,
    ResolveIn,
    StopSupplyFilters,
    StopSupplyPage,
)

router = Router(tags=["monitoring"])

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The alert's id")]


def _buckets(edges) -> list[dict]:
    labels = exports.bucket_labels(edges)
    return [{"label": label, "low": low, "high": high}
            for label, (low, high) in zip(labels, bucket_bounds(edges), strict=False)]


def _row_dict(row: exports.AgingRow) -> dict:
    return row.__dict__


@router.get("/aging", response=answers(AgingOut, 403, 404, 422), url_name="aging")
def aging(request, filters: Query[AgingFilters]):
    """Aging by bucket from the risk cycle of `as_of` (default the latest): the book total, or one row per
    customer, portfolio, industry or region (province), over the customers you may see."""
    user = caller(request)
    require(user, "monitoring.view_customersnapshot")
    as_of = exports.report_date(filters.as_of)
    if filters.as_of and as_of is None:
        raise Http404(f"No risk cycle completed on {filters.as_of}.")
    snapshots = CustomerSnapshot.objects.for_user(user)
    day = snapshots.filter(as_of=as_of) if as_of else snapshots.none()
    total = exports.book_total(day)
    result = {"as_of": as_of, "group": filters.group, "buckets": _buckets(exports.edges_of(as_of)),
              "total": _row_dict(total), "limit": filters.limit, "offset": filters.offset}
    if filters.group == "book":
        return {**result, "count": 1, "items": [_row_dict(total)]}
    if filters.group == "customer":
        customers = (day.select_related("customer").order_by("-overdue_amount", "customer__code"))
        chunk = list(customers[filters.offset:filters.offset + filters.limit])
        items = [{"key": s.customer.code, "label": s.customer.name, "customers": 1, "buckets": s.buckets(),
                  "open_amount": s.open_amount, "overdue_amount": s.overdue_amount, "open_orders": s.open_orders,
                  "exposure": s.exposure, "zone": s.zone, "max_days_overdue": s.max_days_overdue} for s in chunk]
        return {**result, "count": day.count(), "items": items}
    rows = exports.grouped(day, filters.group)
    return {**result, "count": len(rows),
            "items": [_row_dict(r) for r in rows[filters.offset:filters.offset + filters.limit]]}


@router.get("/customers/{key:code}/aging", response=answers(CustomerAgingOut, 403, 404, 422),
            url_name="customer_aging")
def customer_aging(request, code: CustomerCode, filters: Query[HistoryFilters]):
    """One customer's aging snapshots, oldest first: the history the trend chart draws."""
    user = caller(request)
    customer = visible_customer(user, code)
    require(user, "monitoring.view_customersnapshot")
    history = CustomerSnapshot.objects.for_user(user).filter(customer=customer)
    if filters.date_from:
        history = history.filter(as_of__gte=filters.date_from)
    if filters.date_to:
        history = history.filter(as_of__lte=filters.date_to)
    result = page(history.order_by("as_of"), filters.limit, filters.offset)
    latest = result["items"][-1].as_of if result["items"] else exports.report_date()
    return {**result, "customer": customer.code, "customer_name": customer.name,
            "buckets": _buckets(exports.edges_of(latest))}


def _alerts(user):
    require(user, "monitoring.view_alert")
    return Alert.objects.for_user(user).select_related("customer", "customer__portfolio", "invoice",
                                                        "acknowledged_by", "resolved_by")


@router.get("/alerts", response=answers(AlertPage, 403, 422), url_name="alert_list")
def list_alerts(request, filters: Query[AlertFilters]):
    """Alerts you may see, newest first. By default only open ones (new or acknowledged)."""
    alerts = _alerts(caller(request))
    if filters.status == "open":
        alerts = alerts.filter(status__in=OPEN_ALERT_STATUSES)
    elif filters.status != "all":
        alerts = alerts.filter(status=filters.status)
    if filters.level:
        alerts = alerts.filter(level=filters.level)
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.customer:
        alerts = alerts.filter(customer__code=filters.customer)
    if filters.q:
        alerts = alerts.filter(Q(customer__code__icontains=filters.q) | Q(customer__name__icontains=filters.q))
    if filters.portfolio:
        alerts = alerts.filter(customer__portfolio__code=filters.portfolio)
    if filters.date_from:
        alerts = alerts.filter(as_of__gte=filters.date_from)
    if filters.date_to:
        alerts = alerts.filter(as_of__lte=filters.date_to)
    return page(alerts.order_by("-raised_at", "-pk"), filters.limit, filters.offset)


def _visible_alert(user, alert_id: int) -> Alert:
    alert = _alerts(user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404(f"No alert {alert_id} in your portfolio.")
    return alert


def _detail(user, alert: Alert) -> Alert:
    alert.action_items_out = (list(ActionItem.objects.for_user(user).filter(alert=alert).select_related("assigned_to"))
                              if user.has_perm("monitoring.view_actionitem") else None)
    return alert


@router.get("/alerts/{alert_id}", response=answers(AlertDetailOut, 403, 404, 422), url_name="alert_detail")
def get_alert(request, alert_id: AlertId):
    """One alert with its details (invoices, amounts) and the tasks it started."""
    user = caller(request)
    return _detail(user, _visible_alert(user, alert_id))


@router.post("/alerts/{alert_id}/acknowledge", response=answers(AlertOut, 403, 404, 409, 422),
             url_name="alert_acknowledge")
def acknowledge(request, alert_id: AlertId):
    """Acknowledge a new alert: somebody is on it. 409 if it is not new any more."""
    user = caller(request)
    alert = _visible_alert(user, alert_id)
    try:
        return actions.acknowledge_alert(actor=user, alert=alert)
    except AlertStateError as exc:
        raise HttpError(409, str(exc)) from None


@router.post("/alerts/{alert_id}/resolve", response=answers(AlertOut, 400, 403, 404, 409, 422),
             url_name="alert_resolve")
def resolve(request, alert_id: AlertId, body: ResolveIn):
    """Resolve an open alert, saying how (`note`). 409 if it is already resolved."""
    user = caller(request)
    alert = _visible_alert(user, alert_id)
    try:
        return actions.resolve_alert(actor=user, alert=alert, resolution=body.note)
    except AlertStateError as exc:
        raise HttpError(409, str(exc)) from None
    except MonitoringError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/stop-supply", response=answers(StopSupplyPage, 403, 422), url_name="stop_supply_list")
def stop_supply(request, filters: Query[StopSupplyFilters]):
    """Customers not to ship to (danger zone), as your portfolio allows you to see them."""
    user = caller(request)
    require(user, "monitoring.view_stopsupply")
    flags = StopSupply.objects.for_user(user).select_related("customer", "customer__portfolio")
    if filters.active:
        flags = flags.active()
    if filters.customer:
        flags = flags.filter(customer__code=filters.customer)
    flags = flags.annotate(code=Coalesce(F("customer__code"), Value(""))).order_by("-since", "code")
    return page(flags, filters.limit, filters.offset)
