"""Admin for the ledger: invoices, payments with their allocations, credit notes, sales orders.

Ledger rows normally arrive by import; edits here are for corrections and are audited like any other
change (core.admin.AuditedModelAdmin). Lists are scoped to the customers the staff user may see.
"""

from django.contrib import admin

from fengkong.core.admin import AuditedModelAdmin

from .models import CreditNote, Invoice, Payment, PaymentAllocation, SalesOrder


class AllocationInline(admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    raw_id_fields = ("invoice",)


@admin.register(Invoice)
class InvoiceAdmin(AuditedModelAdmin):
    customer_path = "customer"
    list_display = ("number", "customer", "issue_date", "due_date", "amount", "open_amount", "currency",
                    "disputed")
    list_filter = ("disputed", "currency")
    search_fields = ("number", "customer__code", "customer__name", "contract_ref")
    date_hierarchy = "due_date"
    raw_id_fields = ("customer",)
    list_select_related = ("customer",)
    exclude = ("import_batch",)
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(AuditedModelAdmin):
    customer_path = "customer"
    list_display = ("number", "customer", "payment_date", "amount", "currency", "method")
    search_fields = ("number", "customer__code", "customer__name")
    date_hierarchy = "payment_date"
    raw_id_fields = ("customer",)
    list_select_related = ("customer",)
    inlines = [AllocationInline]
    exclude = ("import_batch",)
    show_full_result_count = False


@admin.register(CreditNote)
class CreditNoteAdmin(AuditedModelAdmin):
    audit_name = "credit_note"
    customer_path = "customer"
    list_display = ("number", "customer", "issue_date", "amount", "invoice", "reason")
    search_fields = ("number", "customer__code", "customer__name")
    raw_id_fields = ("customer", "invoice")
    exclude = ("import_batch",)


@admin.register(SalesOrder)
class SalesOrderAdmin(AuditedModelAdmin):
    audit_name = "sales_order"
    customer_path = "customer"
    list_display = ("number", "customer", "order_date", "amount", "open_amount", "status")
    list_filter = ("status",)
    search_fields = ("number", "customer__code", "customer__name")
    raw_id_fields = ("customer",)
    exclude = ("import_batch",)
