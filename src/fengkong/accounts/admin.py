"""Admin for portfolios (audited) and API tokens (revoke only, through the action: a key is shown once, at
issue, by the CLI)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengkong.core.admin import AuditedModelAdmin
from fengkong.core.audit import record

from .actions import revoke_token
from .exceptions import TokenError
from .models import ApiToken, Portfolio


@admin.register(Portfolio)
class PortfolioAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "region_prefixes", "industry_sections")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    filter_horizontal = ("members",)

    def save_related(self, request, form, formsets, change):
        before = sorted(form.instance.members.values_list("username", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.members.values_list("username", flat=True))
        if before != after:
            record(request.user, "portfolio.members_changed", "portfolio", form.instance.pk,
                   before={"members": before}, after={"members": after})


@admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
def revoke_tokens(modeladmin, request, queryset):
    for token in queryset.filter(revoked_at__isnull=True):
        try:
            revoke_token(actor=request.user, token=token)
        except TokenError:
            continue  # revoked by somebody else since the list was shown: revoked all the same
    messages.success(request, _("The selected tokens are revoked."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    actions = [revoke_tokens]
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
