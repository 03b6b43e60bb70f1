"""Admin: provisions are looked up here, never edited; they change through the actions (pages, API, command)."""

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import IndividualProvision, ProvisionPolicy, ProvisionRun


@admin.register(ProvisionPolicy)
class ProvisionPolicyAdmin(ReadOnlyAdmin):
    list_display = ("version", "published_by", "published_at", "note")


@admin.register(ProvisionRun)
class ProvisionRunAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "status", "closing", "proposed_by", "decided_by")
    list_filter = ("status",)


@admin.register(IndividualProvision)
class IndividualProvisionAdmin(ReadOnlyAdmin):
    customer_path = "customer"
    list_display = ("customer", "rate", "amount", "reason", "ended_at")
