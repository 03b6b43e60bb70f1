"""The dual-review queue in the admin: read-only, scoped like the web. Changes are confirmed, rejected
or withdrawn on the queue page (/reviews/) or through the API, where the actions check who may.

`tell_held` is what the owners' admin pages call after a save: a held change is announced, so the person
who saved knows the sensitive fields have not changed yet."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fengkong.core.admin import ReadOnlyAdmin

from .models import PendingChange


def tell_held(request, row) -> None:
    """Say that `row`'s save held a change for review (row.held_change, set by the save action)."""
    change = getattr(row, "held_change", None)
    if change is None:
        return
    fields = ", ".join(r["label"] for r in change.rows())
    messages.warning(request, format_html(
        _("The change of {fields} of {row} waits for a second person's review and takes effect once confirmed "
          "(<a href=\"{url}\">dual review</a>). The other changes are saved."),
        fields=fields, row=str(row), url=reverse("review-queue")))


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyAdmin):
    customer_path = "customer"
    list_display = ("requested_at", "customer", "kind", "object_id", "fields_changed", "status", "requested_by",
                    "decided_by", "via")
    list_filter = ("status", "kind")
    search_fields = ("customer__code", "customer__name")
    list_select_related = ("customer", "requested_by", "decided_by")
    date_hierarchy = "requested_at"

    @admin.display(description="fields")
    def fields_changed(self, obj: PendingChange) -> str:
        return ", ".join(row["label"] for row in obj.rows())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
