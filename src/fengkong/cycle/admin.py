"""The night's runs in the admin: read-only, for looking up what a run did and why it failed."""

from __future__ import annotations

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import CycleRun


@admin.register(CycleRun)
class CycleRunAdmin(ReadOnlyAdmin):
    customer_path = None
    list_display = ("as_of", "status", "started_at", "finished_at", "attempts")
    list_filter = ("status",)
    date_hierarchy = "as_of"
