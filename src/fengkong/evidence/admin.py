"""The evidence in the admin: read only. Files come in through the actions (the case page, the API)."""

from django.contrib import admin

from .models import EvidenceAnchor, EvidenceFile, EvidenceItem, LedgerEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnly):
    list_display = ("pk", "title", "source", "customer", "created_at", "created_by")
    list_filter = ("source",)
    search_fields = ("title", "filename", "customer__code", "file__sha256")


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnly):
    list_display = ("sha256", "size", "mime", "stored_at")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("seq", "item", "at", "hash")


@admin.register(EvidenceAnchor)
class EvidenceAnchorAdmin(ReadOnly):
    list_display = ("seq", "signed_at", "public_key")
