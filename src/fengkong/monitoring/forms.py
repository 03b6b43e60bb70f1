"""Forms of the monitoring pages: alert inbox filters, bulk acknowledge, resolve, task done, lift a stop.

Filter forms never make an error page: invalid values are dropped (as in the customer list).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fengkong.accounts.models import Portfolio
from fengkong.core.permissions import sees_all

from .choices import OPEN_ALERT_STATUSES, AlertKind, AlertLevel, AlertStatus

OPEN = "open"
ALL = "all"
MAX_SELECTED = 500


def _with_blank(choices, blank_label):
    return [("", blank_label), *choices]


class AlertFilterForm(forms.Form):
    q = forms.CharField(label=_("Customer"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Code or name")}))
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    portfolio = forms.ChoiceField(label=_("Portfolio"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", OPEN)  # the inbox opens on what still needs somebody
        super().__init__(data, **kwargs)
        self.fields["level"].choices = _with_blank(AlertLevel.choices, _("All levels"))
        self.fields["kind"].choices = _with_blank(AlertKind.choices, _("All kinds"))
        self.fields["status"].choices = [(OPEN, _("Open (new or acknowledged)")), *AlertStatus.choices,
                                         (ALL, _("All statuses"))]
        portfolios = Portfolio.objects.all() if sees_all(user) else Portfolio.objects.filter(members=user)
        self.fields["portfolio"].choices = _with_blank([(p.code, p.name) for p in portfolios.order_by("code")],
                                                       _("All portfolios"))

    def filters(self) -> dict:
        """The valid, non-empty filter values (invalid fields are ignored)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def filter_alerts(alerts: QuerySet, filters: dict) -> QuerySet:
    """Apply the inbox filters to an (already scoped) alert queryset."""
    if text := filters.get("q", "").strip():
        alerts = alerts.filter(Q(customer__code__icontains=text) | Q(customer__name__icontains=text))
    if level := filters.get("level"):
        alerts = alerts.filter(level=level)
    if kind := filters.get("kind"):
        alerts = alerts.filter(kind=kind)
    status = filters.get("status", OPEN)
    if status == OPEN:
        alerts = alerts.filter(status__in=OPEN_ALERT_STATUSES)
    elif status != ALL:
        alerts = alerts.filter(status=status)
    if portfolio := filters.get("portfolio"):
        alerts = alerts.filter(customer__portfolio__code=portfolio)
    if day := filters.get("date_from"):
        alerts = alerts.filter(as_of__gte=day)
    if day := filters.get("date_to"):
        alerts = alerts.filter(as_of__lte=day)
    return alerts


def selected_ids(values: list[str]) -> list[int]:
    """The alert ids ticked in the inbox: whole positive numbers only, at most MAX_SELECTED."""
    ids = []
    for value in values[:MAX_SELECTED]:
        if value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
            ids.append(int(value))
    return ids


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How was it resolved?"), max_length=200, strip=True,
                                 error_messages={"required": _("Say how the alert was resolved.")},
                                 widget=forms.Textarea(attrs={"rows": 2}))


class ActionDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False, strip=True,
                           widget=forms.TextInput(attrs={"placeholder": _("What was done (optional)")}))


class LiftStopForm(forms.Form):
    reason = forms.CharField(label=_("Why may supply resume?"), max_length=200, strip=True,
                             error_messages={"required": _("Say why supply may resume.")})
