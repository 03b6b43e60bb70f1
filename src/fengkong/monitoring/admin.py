"""Admin pages: the policy (published as new versions, never edited), and read-only views of the rest.

Alerts, actions and stop-supply flags change through the actions (actions.py) from the monitoring pages;
here they are for looking up, scoped like the web UI.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengkong.core.admin import ReadOnlyAdmin as CoreReadOnlyAdmin

from . import policy as policy_module
from .actions import publish_policy
from .exceptions import PolicyInvalid
from .models import (
    ActionItem,
    Alert,
    BookSnapshot,
    CustomerSnapshot,
    MonitoringDay,
    MonitoringPolicy,
    StopSupply,
)


class ReadOnlyAdmin(CoreReadOnlyAdmin):
    customer_path = "customer"


class PolicyForm(forms.ModelForm):
    config = forms.CharField(label=_("settings (JSON)"), widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
                             help_text=_("Settings left out take the article's defaults."))

    class Meta:
        model = MonitoringPolicy
        fields = ["config", "note"]

    def clean_config(self):
        try:
            config = json.loads(self.cleaned_data["config"])
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s"), params={"error": exc}) from None
        try:
            policy_module.parse(config)
        except PolicyInvalid as exc:
            raise ValidationError(exc.problems) from None
        return config


@admin.register(MonitoringPolicy)
class MonitoringPolicyAdmin(admin.ModelAdmin):
    list_display = ("version", "created_at", "created_by", "note")
    form = PolicyForm

    def get_changeform_initial_data(self, request):
        return {"config": json.dumps(MonitoringPolicy.current().config, indent=2, ensure_ascii=False)}

    def get_readonly_fields(self, request, obj=None):
        return ["version", "config", "created_at", "created_by", "note"] if obj else []

    def get_fields(self, request, obj=None):
        return ["version", "config", "created_at", "created_by", "note"] if obj else ["config", "note"]

    def has_add_permission(self, request):
        return request.user.has_perm("monitoring.publish_policy")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = publish_policy(actor=request.user, config=form.cleaned_data["config"],
                                   note=form.cleaned_data.get("note", ""))
        obj.pk, obj.version = published.pk, published.version
        messages.info(request, _("Published as version %(version)s.") % {"version": published.version})


@admin.register(MonitoringDay)
class MonitoringDayAdmin(ReadOnlyAdmin):
    customer_path = None
    list_display = ("as_of", "policy_version", "edges", "completed_at")
    date_hierarchy = "as_of"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "kind", "level", "customer", "status", "title")
    list_filter = ("status", "kind", "level")
    search_fields = ("customer__code", "customer__name", "title", "dedup_key")
    date_hierarchy = "as_of"
    list_select_related = ("customer",)


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("due_date", "kind", "customer", "assigned_to", "status", "document")
    list_filter = ("status", "kind")
    search_fields = ("customer__code", "customer__name")
    list_select_related = ("customer", "assigned_to")


@admin.register(StopSupply)
class StopSupplyAdmin(ReadOnlyAdmin):
    list_display = ("customer", "active", "since", "reason", "lifted_at", "lifted_by")
    list_filter = ("active",)
    search_fields = ("customer__code", "customer__name")
    list_select_related = ("customer",)


@admin.register(CustomerSnapshot)
class CustomerSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "customer", "open_amount", "overdue_amount", "max_days_overdue", "zone", "exposure")
    list_filter = ("zone",)
    search_fields = ("customer__code",)
    date_hierarchy = "as_of"
    list_select_related = ("customer",)


@admin.register(BookSnapshot)
class BookSnapshotAdmin(ReadOnlyAdmin):
    customer_path = None
    list_display = ("as_of", "dimension", "key", "open_amount", "overdue_amount", "zone_danger", "customers")
    list_filter = ("dimension",)
    date_hierarchy = "as_of"
