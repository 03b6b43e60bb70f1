"""Legal cases in the admin: read only; cases move through the actions (legal.actions)."""

from django.contrib import admin

from .models import LegalCase, LegalDeadline


@admin.register(LegalCase)
class LegalCaseAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "stage", "principal", "recovered", "opened_at")
    list_filter = ("stage", "origin")
    search_fields = ("number", "customer__code", "court_case_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalDeadline)
class LegalDeadlineAdmin(LegalCaseAdmin):
    list_display = ("case", "kind", "due_on", "done")
    list_filter = ("kind", "done")
    search_fields = ("case__number",)
