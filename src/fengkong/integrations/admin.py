"""Admin view of the import history. Imports are a record of what happened: read-only here."""

from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "file_name", "actor_name", "status", "rows_total", "error_count",
                    "dry_run")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "file_sha256", "actor_name")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
