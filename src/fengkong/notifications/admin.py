"""Admin for webhook channels and the delivery log (read-only, with a retry action); every change goes through
notifications.actions (the permission, the audit event)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengkong.core.admin import AuditedModelAdmin, ReadOnlyAdmin

from . import actions
from .models import Delivery, Digest, InboxMessage, NotificationPreference, WebhookChannel


@admin.register(WebhookChannel)
class WebhookChannelAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "audiences", "min_level", "active", "secret_env")
    list_filter = ("kind", "active", "min_level")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        actions.save_webhook_channel(actor=request.user, channel=obj)

    def delete_model(self, request, obj):
        actions.delete_webhook_channel(actor=request.user, channel=obj)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "status", "channel", "template", "audience", "recipient", "attempts",
                    "next_attempt_at", "sent_at", "short_error")
    list_filter = ("status", "channel", "template", "audience", "webhook")
    search_fields = ("recipient", "alert__customer__code", "alert__customer__name", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("webhook",)
    actions = ["retry_now"]

    @admin.display(description=_("last error"))
    def short_error(self, obj) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        ids = actions.retry_deliveries(actor=request.user, deliveries=queryset)
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": len(ids)}, messages.SUCCESS)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.retry_delivery")


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "level", "template", "title", "read_at")
    list_filter = ("level", "template")
    search_fields = ("title", "user__username")


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "user", "written_at", "stale")
    list_filter = ("as_of",)
    search_fields = ("user__username",)
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Each person chooses on their inbox page (notifications.actions.set_alert_delivery)."""

    list_display = ("user", "alerts", "updated_at")
    list_filter = ("alerts",)
    search_fields = ("user__username",)
