"""Admin pages of the credit app.

Guarantees are kept here, and every save or delete goes through the same action as
anywhere else (actions.guarantees): it checks the permission and the portfolio, writes
the audit event and re-assesses whom the change concerns once it commits. Profiles, assessments,
proposals, votes, credit checks, policies and risk feedback change only through their actions from the
credit pages and the API; here they are read-only and scoped like the web UI.
"""

from __future__ import annotations

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin
from fengkong.core.permissions import scope
from fengkong.reviews.admin import tell_held

from .actions.guarantees import delete_guarantee, save_guarantee
from .models import (
    Assessment,
    CreditCheck,
    CreditPolicy,
    CreditProfile,
    Guarantee,
    LimitProposal,
    ProposalVote,
    RiskFeedback,
)


@admin.register(Guarantee)
class GuaranteeAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "provider", "value", "eligible_percent", "valid_from", "valid_until")
    list_filter = ("kind",)
    search_fields = ("customer__code", "customer__name", "provider", "reference")
    autocomplete_fields = ("customer",)
    exclude = ("created_by",)

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user)

    def save_model(self, request, obj, form, change):
        save_guarantee(actor=request.user, guarantee=obj, via="admin")
        tell_held(request, obj)

    def delete_model(self, request, obj):
        delete_guarantee(actor=request.user, guarantee=obj)

    def delete_queryset(self, request, queryset):
        for guarantee in queryset.select_related("customer"):
            delete_guarantee(actor=request.user, guarantee=guarantee)


class CustomerReadOnly(ReadOnlyAdmin):
    customer_path = "customer"


@admin.register(CreditProfile)
class CreditProfileAdmin(CustomerReadOnly):
    list_display = ("customer", "grade", "score", "limit", "term_days", "owner", "next_review", "blacklisted",
                    "litigation")
    list_filter = ("grade", "blacklisted", "litigation")
    search_fields = ("customer__code", "customer__name")


@admin.register(Assessment)
class AssessmentAdmin(CustomerReadOnly):
    list_display = ("customer", "as_of", "grade", "total", "trigger", "policy_version")
    list_filter = ("grade", "trigger", "policy_version")
    search_fields = ("customer__code", "customer__name")
    date_hierarchy = "as_of"


@admin.register(LimitProposal)
class LimitProposalAdmin(CustomerReadOnly):
    list_display = ("customer", "current_limit", "proposed_limit", "level", "status", "proposed_by", "proposed_at")
    list_filter = ("status", "level")
    search_fields = ("customer__code", "customer__name")


@admin.register(ProposalVote)
class ProposalVoteAdmin(ReadOnlyAdmin):
    customer_path = "proposal__customer"
    list_display = ("proposal", "voter", "vote", "created_at")
    list_filter = ("vote",)


@admin.register(CreditCheck)
class CreditCheckAdmin(CustomerReadOnly):
    list_display = ("reference", "customer", "amount", "currency", "decision", "status", "created_at")
    list_filter = ("decision", "status")
    search_fields = ("reference", "customer__code", "customer__name")


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ReadOnlyAdmin):
    list_display = ("version", "status", "note", "proposed_by", "proposed_at", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(RiskFeedback)
class RiskFeedbackAdmin(CustomerReadOnly):
    list_display = ("customer", "category", "status", "author", "created_at")
    list_filter = ("status", "category")
    search_fields = ("customer__code", "customer__name", "text")
