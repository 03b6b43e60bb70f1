"""Monitoring pages: the dashboard, the alert inbox and an alert's page, action items, stop-supply, the
Excel aging report.

Design decisions:
- Every query starts from a `for_user` queryset (core.permissions.scope), so a collector's dashboard is
  computed from their own customers' snapshots. Only a user who sees the whole book gets the book-wide
  BookSnapshot trend and the cycle's book-wide counts; both are the same sums, read faster.
- An alert, task or flag outside the user's portfolio is "not found" (404), like one that does not
  exist; an action the role does not include is 403 (raised by the actions themselves).
- Buttons post forms (with the CSRF token); the inbox's bulk acknowledge also works through htmx, which
  swaps in the refreshed list.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.db.models.functions import Substr
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.files import resolve_inside, written_download
from fengkong.core.panels import render_panels
from fengkong.core.permissions import require, scope, sees_all
from fengkong.notifications.models import Delivery
from fengkong.receivables.models import Invoice

from . import actions, exports
from .charts import heatmap_figure, stacked_aging_figure, zone_figure
from .choices import (
    ACTION_STATUS_COLOURS,
    ALERT_STATUS_COLOURS,
    LEVEL_COLOURS,
    ZONE_COLOURS,
    AlertLevel,
    Zone,
)
from .exceptions import MonitoringError
from .forms import ActionDoneForm, AlertFilterForm, LiftStopForm, ResolveForm, filter_alerts, selected_ids
from .models import BUCKET_FIELDS, ActionItem, Alert, BookSnapshot, CustomerSnapshot, StopSupply
from .worklist import ordered_worklist

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_DATES = 30
TOP_CUSTOMERS = 10


# --- the dashboard ------------------------------------------------------------------------------------

def trend_rows(user, until: date | None) -> list[dict]:
    if until is None:
        return []
    if sees_all(user) and user.has_perm("monitoring.view_booksnapshot"):
        rows = BookSnapshot.objects.trend().filter(as_of__lte=until).order_by("-as_of").values("as_of", *BUCKET_FIELDS)
        return list(rows[:TREND_DATES])[::-1]
    return exports.trend(CustomerSnapshot.objects.for_user(user), until, TREND_DATES)


def alerts_by_level(user, as_of: date | None) -> list[dict]:
    """New alerts per level raised over the last 7 and 30 days up to `as_of`."""
    alerts = Alert.objects.for_user(user)
    if as_of is None or not user.has_perm("monitoring.view_alert"):
        return []
    counts = {}
    for days in (7, 30):
        rows = alerts.filter(as_of__gt=as_of - timedelta(days=days), as_of__lte=as_of).by_level()
        counts[days] = {r["level"]: r["n"] for r in rows}
    return [{"level": level, "label": label, "colour": LEVEL_COLOURS[level],
             "week": counts[7].get(level, 0), "month": counts[30].get(level, 0)}
            for level, label in reversed(AlertLevel.choices)]


def heatmap_cells(snapshots) -> list[dict]:
    return list(snapshots.filter(overdue_amount__gt=0).order_by()
                .annotate(province=Substr("customer__region", 1, 2))
                .values("province", industry=F("customer__industry"))
                .annotate(overdue=Sum("overdue_amount"), customers=Count("pk")))


@login_required
@permission_required("monitoring.view_customersnapshot", raise_exception=True)
def dashboard(request):
    user = request.user
    as_of = CustomerSnapshot.objects.latest_as_of()
    latest = CustomerSnapshot.objects.for_user(user).filter(as_of=as_of) if as_of else CustomerSnapshot.objects.none()
    labels = exports.bucket_labels(exports.edges_of(as_of))
    zones = exports.latest_customer_zone_money(latest)
    total = exports.book_total(latest)
    trend = trend_rows(user, as_of)
    heat = heatmap_figure(heatmap_cells(latest))
    return render(request, "monitoring/dashboard.html", {
        "as_of": as_of,
        "total": total,
        "zones": [{"zone": z, "label": label, "colour": ZONE_COLOURS[z], **zones[z]} for z, label in Zone.choices],
        "trend_chart": stacked_aging_figure(trend, labels) if trend else None,
        "zone_chart": zone_figure(zones),
        "heatmap_chart": heat,
        "levels": alerts_by_level(user, as_of),
        "top": list(latest.filter(overdue_amount__gt=0).select_related("customer")
                    .order_by("-overdue_amount", "customer__code")[:TOP_CUSTOMERS]),
        "panels": render_panels("monitoring.dashboard", request),
        "sees_all": sees_all(user),
    })


# --- the alert inbox ----------------------------------------------------------------------------------

def _inbox_context(request, query: QueryDict) -> dict:
    form = AlertFilterForm(query, user=request.user)
    alerts = filter_alerts(Alert.objects.for_user(request.user), form.filters())
    alerts = alerts.select_related("customer", "customer__portfolio", "invoice", "acknowledged_by")
    page = Paginator(alerts, PAGE_SIZE).get_page(query.get("page"))
    keep = query.copy()
    keep.pop("page", None)
    return {"form": form, "page": page, "query": keep.urlencode(),
            "can_acknowledge": request.user.has_perm("monitoring.acknowledge_alert"),
            "status_colours": ALERT_STATUS_COLOURS, "level_colours": LEVEL_COLOURS}


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_list(request):
    context = _inbox_context(request, request.GET)
    partial = request.htmx and not request.htmx.boosted
    return render(request, "monitoring/_alert_results.html" if partial else "monitoring/alerts.html", context)


@require_POST
@login_required
@permission_required("monitoring.acknowledge_alert", raise_exception=True)
def alert_bulk_acknowledge(request):
    """Acknowledge the ticked alerts the user may see; ids outside their portfolio are ignored."""
    ids = selected_ids(request.POST.getlist("alert"))
    chosen = list(Alert.objects.for_user(request.user).filter(pk__in=ids))
    done = actions.acknowledge_alerts(actor=request.user, alerts=chosen) if chosen else 0
    note = ngettext("%(count)d alert acknowledged.", "%(count)d alerts acknowledged.", done) % {"count": done}
    query = QueryDict(request.POST.get("query", "")[:2000])
    if request.htmx:
        context = _inbox_context(request, query)
        context["notice"] = note
        return render(request, "monitoring/_alert_results.html", context)
    messages.success(request, note)
    return redirect(f"{_url('monitoring-alerts')}?{query.urlencode()}")


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _visible_alert(request, pk: int) -> Alert:
    return get_object_or_404(Alert.objects.for_user(request.user).select_related(
        "customer", "customer__portfolio", "invoice", "acknowledged_by", "resolved_by"), pk=pk)


def _alert_context(request, alert: Alert, resolve_form: ResolveForm | None = None) -> dict:
    user = request.user
    invoices = None
    if user.has_perm("receivables.view_invoice"):
        invoices = list(scope(Invoice.objects.filter(customer=alert.customer), user)
                        .filter(due_date__lt=alert.as_of).filter(open_amount__gt=0)
                        .order_by("due_date", "number")[:100])
        for invoice in invoices:
            invoice.days_then = (alert.as_of - invoice.due_date).days
    items = (list(ActionItem.objects.for_user(user).filter(alert=alert).select_related("assigned_to", "done_by"))
             if user.has_perm("monitoring.view_actionitem") else None)
    return {
        "alert": alert, "today": dates.business_today(), "invoices": invoices, "items": items, "deliveries": _deliveries(alert),
        "resolve_form": resolve_form or ResolveForm(),
        "can_acknowledge": user.has_perm("monitoring.acknowledge_alert") and alert.status == "new",
        "can_resolve": user.has_perm("monitoring.resolve_alert") and alert.is_open,
        "status_colours": ALERT_STATUS_COLOURS, "level_colours": LEVEL_COLOURS,
        "action_colours": ACTION_STATUS_COLOURS,
        "escalated_alert": _escalated(user, alert),
    }


def _escalated(user, alert: Alert) -> Alert | None:
    pk = (alert.details or {}).get("escalated_alert")
    return Alert.objects.for_user(user).filter(pk=pk).first() if isinstance(pk, int) else None


def _deliveries(alert: Alert) -> list | None:
    """How the alert's messages went out (the notifications app's delivery log), """
    deliveries = list(Delivery.objects.filter(alert=alert).order_by("created_at", "pk")[:100])
    ids = {int(d.recipient[5:]) for d in deliveries if d.recipient.startswith("user:") and d.recipient[5:].isdigit()}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    for d in deliveries:  # the inbox recipient "user:<id>" shown by name
        user_id = d.recipient[5:]
        d.recipient_label = names.get(int(user_id), d.recipient) if d.recipient.startswith("user:") \
            and user_id.isdigit() else d.recipient
    return deliveries


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_detail(request, pk: int):
    alert = _visible_alert(request, pk)
    return render(request, "monitoring/alert.html", _alert_context(request, alert))


@require_POST
@login_required
def alert_acknowledge(request, pk: int):
    alert = _visible_alert(request, pk)
    try:
        actions.acknowledge_alert(actor=request.user, alert=alert)
        messages.success(request, _("Alert acknowledged."))
    except MonitoringError as exc:
        messages.error(request, str(exc))
    return redirect("monitoring-alert", pk=alert.pk)


@require_POST
@login_required
def alert_resolve(request, pk: int):
    alert = _visible_alert(request, pk)
    form = ResolveForm(request.POST)
    require(request.user, "monitoring.resolve_alert")
    if not form.is_valid():
        return render(request, "monitoring/alert.html", _alert_context(request, alert, form), status=400)
    try:
        actions.resolve_alert(actor=request.user, alert=alert, resolution=form.cleaned_data["resolution"])
        messages.success(request, _("Alert resolved."))
    except MonitoringError as exc:
        messages.error(request, str(exc))
    return redirect("monitoring-alert", pk=alert.pk)


# --- action items -------------------------------------------------------------------------------------

SHOW_CHOICES = ("mine", "open", "all")


@login_required
@permission_required("monitoring.view_actionitem", raise_exception=True)
def action_list(request):
    user = request.user
    show = request.GET.get("show")
    items = ActionItem.objects.for_user(user)
    if show not in SHOW_CHOICES:
        show = "mine" if items.open().assigned_to(user).exists() else "open"
    if show == "mine":
        items = items.open().assigned_to(user)
    elif show == "open":
        items = items.open()
    ordered = ordered_worklist(items.select_related("customer", "alert", "assigned_to", "done_by"),
                               request.GET.get("order"), user)
    page = Paginator(ordered.items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/actions.html", {
        "page": page, "show": show, "order": ordered.order, "ranking": ordered.ranking, "form": ActionDoneForm(),
        "can_complete": user.has_perm("monitoring.change_actionitem"), "action_colours": ACTION_STATUS_COLOURS,
        "panels": render_panels("monitoring.worklist", request),
    })


def _visible_item(request, pk: int) -> ActionItem:
    return get_object_or_404(ActionItem.objects.for_user(request.user).select_related("customer"), pk=pk)


@require_POST
@login_required
def action_done(request, pk: int):
    item = _visible_item(request, pk)
    form = ActionDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.complete_action_item(actor=request.user, item=item, note=note)
        messages.success(request, _("Task marked done."))
    except MonitoringError as exc:
        messages.error(request, str(exc))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/monitoring/") and "//" not in back else "monitoring-actions")


@login_required
@permission_required("monitoring.view_actionitem", raise_exception=True)
def action_document(request, pk: int):
    """The task's generated document (the DOCX reminder letter), only from inside the letters folder."""
    item = _visible_item(request, pk)
    if not item.document:
        raise Http404("this task has no document")
    media = Path(settings.MEDIA_ROOT)
    path = resolve_inside(media / actions.LETTER_DIR, item.document, base=media)
    if path is None:
        raise Http404("the document is missing")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- stop-supply --------------------------------------------------------------------------------------

@login_required
@permission_required("monitoring.view_stopsupply", raise_exception=True)
def stop_supply_list(request):
    show_lifted = request.GET.get("lifted") == "1"
    flags = StopSupply.objects.for_user(request.user)
    if not show_lifted:
        flags = flags.active()
    flags = flags.select_related("customer", "customer__portfolio", "alert", "lifted_by").order_by(
        "-active", "-since", "customer__code")
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/stop_supply.html", {
        "page": page, "show_lifted": show_lifted, "form": LiftStopForm(),
        "can_lift": request.user.has_perm("monitoring.lift_stopsupply"),
    })


@require_POST
@login_required
def stop_supply_lift(request, pk: int):
    stop = get_object_or_404(StopSupply.objects.for_user(request.user).select_related("customer"), pk=pk)
    form = LiftStopForm(request.POST)
    require(request.user, "monitoring.lift_stopsupply")
    if form.is_valid():
        try:
            actions.lift_stop_supply(actor=request.user, stop=stop, reason=form.cleaned_data["reason"])
            messages.success(request, _("Supply to %(customer)s may resume.") % {"customer": stop.customer.name})
        except MonitoringError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Say why supply may resume."))
    return redirect("monitoring-stop-supply")


# --- the Excel aging report ---------------------------------------------------------------------------

@login_required
@permission_required("monitoring.view_customersnapshot", raise_exception=True)
def aging_xlsx(request):
    as_of = None
    if raw := request.GET.get("as_of"):
        try:
            as_of = date.fromisoformat(raw[:10])
        except ValueError:
            raise Http404("as_of must be a date like 2026-11-28") from None
        if exports.report_date(as_of) is None:
            raise Http404("no risk cycle completed on that day")
    as_of = as_of or exports.report_date()
    return written_download(lambda path: exports.write_aging_workbook(path, user=request.user, as_of=as_of),
                            filename=exports.workbook_name(as_of), content_type=XLSX)
