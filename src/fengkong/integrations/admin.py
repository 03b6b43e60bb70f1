"""Admin view of the import history (a record of what happened: read-only here) and of the import
sources, which an administrator may mark trusted (dual review, docs/dual-review.md); a source is saved
through integrations.actions.save_import_source, audited."""

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .actions import save_import_source
from .models import ImportBatch, ImportSource


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "trusted")
    list_filter = ("trusted",)
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        save_import_source(actor=request.user, source=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # batches name their source; a source no longer used is simply not trusted


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "file_name", "actor_name", "source", "status", "rows_total", "error_count",
                    "rows_held", "dry_run")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "file_sha256", "actor_name")
    date_hierarchy = "started_at"
