"""Admin view of the import history. Imports are a record of what happened: read-only here."""

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "file_name", "actor_name", "status", "rows_total", "error_count",
                    "dry_run")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "file_sha256", "actor_name")
    date_hierarchy = "started_at"
