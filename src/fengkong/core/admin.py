"""Django admin for the audit trail, and the base class that makes every admin edit auditable.

Design decisions:
- `AuditedModelAdmin` writes one audit event per save or delete, in the same transaction as the change
  (the admin wraps its views in a transaction), with the before/after of `audited_fields`.
- Querysets of customer-related models go through `core.permissions.scope`, so a staff user without
  `customers.view_all_customers` sees in the admin only what they see in the web UI.
- The audit trail itself is read-only here: no add, change or delete, for anybody.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import record, snapshot
from .models import AuditEvent
from .permissions import scope


def fields_of(model, declared: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The fields to audit: those declared, else every concrete field but the primary key."""
    return tuple(declared) or tuple(f.attname for f in model._meta.concrete_fields if not f.primary_key)


class AuditedModelAdmin(admin.ModelAdmin):
    audited_fields: tuple[str, ...] = ()
    audit_name: str = ""
    customer_path: str | None = None  # e.g. "customer"; "" for Customer itself; None: not scoped

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self.customer_path is None else scope(queryset, request.user, self.customer_path)

    def object_type(self) -> str:
        return self.audit_name or self.model._meta.model_name

    def save_model(self, request, obj, form, change):
        fields = fields_of(self.model, self.audited_fields)
        stored = type(obj).objects.filter(pk=obj.pk).first() if change else None
        before = snapshot(stored, fields) if stored else None
        super().save_model(request, obj, form, change)
        record(request.user, f"{self.object_type()}.{'changed' if change else 'created'}", self.object_type(),
               obj.pk, before=before, after=snapshot(obj, fields))

    def delete_model(self, request, obj):
        before, pk = snapshot(obj, fields_of(self.model, self.audited_fields)), obj.pk
        super().delete_model(request, obj)
        record(request.user, f"{self.object_type()}.deleted", self.object_type(), pk, before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (contacts of a customer, allocations of a payment) are audited one by one."""
        model, fields = formset.model, fields_of(formset.model)
        name = model._meta.model_name
        existing = [f.instance.pk for f in formset.forms if f.instance.pk]
        before = {o.pk: snapshot(o, fields) for o in model._base_manager.filter(pk__in=existing)}
        deleted = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        formset.save()
        for obj in formset.new_objects:
            record(request.user, f"{name}.created", name, obj.pk, after=snapshot(obj, fields))
        for obj, _changed in formset.changed_objects:
            record(request.user, f"{name}.changed", name, obj.pk, before=before.get(obj.pk),
                   after=snapshot(obj, fields))
        for pk in deleted:
            record(request.user, f"{name}.deleted", name, pk, before=before.get(pk))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes (logs, snapshots, imports): shown, scoped like the web, never edited here."""

    customer_path: str | None = None  # e.g. "customer"; None: not scoped

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self.customer_path is None else scope(queryset, request.user, self.customer_path)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "action", "object_type", "object_id")
    date_hierarchy = "at"
    ordering = ("-seq",)
    readonly_fields = ("seq", "at", "actor", "actor_name", "action", "object_type", "object_id", "before",
                       "after", "prev_hash", "hash")
    list_per_page = 50
    show_full_result_count = False


admin.site.site_header = _("Fengkong administration")
admin.site.site_title = _("Fengkong")
admin.site.index_title = _("Master data and settings")
