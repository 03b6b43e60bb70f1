"""Admin pages of collections: read-only and scoped like the web UI. Cases, contacts, promises and disputes
(and instalment plans: plans.py, acceptance bills: bills.py) change through the actions (actions.py) from the collections pages, the API and the command line; a policy
version is published with `fengkong collections publish-policy`."""

from __future__ import annotations

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import (
    AcceptanceBill,
    Attachment,
    BillAllocation,
    CaseEvent,
    CollectionCase,
    CollectionsPolicy,
    Contact,
    Dispute,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
)


class CustomerScoped(ReadOnlyAdmin):
    customer_path = "customer"


@admin.register(CollectionsPolicy)
class CollectionsPolicyAdmin(ReadOnlyAdmin):
    list_display = ("version", "created_at", "created_by", "note")


@admin.register(CollectionCase)
class CollectionCaseAdmin(CustomerScoped):
    list_display = ("customer", "status", "owner", "zone", "overdue_amount", "expected_loss", "promise_status",
                    "strategy", "step", "behaviour", "next_action_on")
    list_filter = ("status", "zone", "promise_status", "strategy", "behaviour")
    search_fields = ("customer__code", "customer__name")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    customer_path = "case__customer"
    list_display = ("at", "case", "kind", "user")
    list_filter = ("kind",)


@admin.register(Contact)
class ContactAdmin(CustomerScoped):
    list_display = ("at", "customer", "channel", "outcome", "person", "logged_by", "source")
    list_filter = ("channel", "outcome", "source")
    search_fields = ("customer__code", "customer__name", "person")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    customer_path = "case__customer"
    list_display = ("uploaded_at", "case", "name", "size", "sha256")


@admin.register(PromiseToPay)
class PromiseToPayAdmin(CustomerScoped):
    list_display = ("customer", "amount", "due_date", "state", "paid_amount", "evaluated_on")
    list_filter = ("state",)
    search_fields = ("customer__code", "customer__name")


@admin.register(Dispute)
class DisputeAdmin(CustomerScoped):
    list_display = ("customer", "reason", "team", "owner", "status", "due_date", "resolution")
    list_filter = ("status", "reason", "team", "resolution")
    search_fields = ("customer__code", "customer__name")


class InstalmentInline(admin.TabularInline):
    model = Instalment
    fields = ("number", "due_date", "amount", "promise")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InstalmentPlan)
class InstalmentPlanAdmin(CustomerScoped):
    list_display = ("customer", "amount", "status", "level", "proposed_by", "proposed_on", "decided_by", "closed_on")
    list_filter = ("status", "level")
    search_fields = ("customer__code", "customer__name")
    inlines = [InstalmentInline]


class BillAllocationInline(InstalmentInline):
    model = BillAllocation
    fields = ("invoice", "amount")
    readonly_fields = fields


@admin.register(AcceptanceBill)
class AcceptanceBillAdmin(CustomerScoped):
    list_display = ("number", "customer", "acceptor_name", "amount", "issue_date", "maturity_date", "status", "flag")
    list_filter = ("status", "flag")
    search_fields = ("number", "customer__code", "customer__name", "acceptor_name", "acceptor_uscc")
    inlines = [BillAllocationInline]
