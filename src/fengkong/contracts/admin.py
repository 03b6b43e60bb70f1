"""The contract register in the admin: read-only and scoped like the web; contracts are registered,
uploaded, submitted and approved on the contract pages (/contracts/), where the actions check who may."""

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import Contract, ContractDocument, DueDiligenceItem


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    customer_path = "customer"
    list_display = ("number", "customer", "kind", "status", "value", "currency", "approved_by")
    list_filter = ("status", "kind")
    search_fields = ("number", "customer__code", "customer__name")


@admin.register(ContractDocument)
class ContractDocumentAdmin(ReadOnlyAdmin):
    customer_path = "contract__customer"
    list_display = ("contract", "version", "filename", "grade", "uploaded_by", "uploaded_at")
    exclude = ("text", "findings")


@admin.register(DueDiligenceItem)
class DueDiligenceItemAdmin(ReadOnlyAdmin):
    customer_path = "contract__customer"
    list_display = ("contract", "code", "signed_off_by", "signed_off_at")
