"""Admin for customer master data. Every save writes an audit event (Customer.AUDITED_FIELDS for
customers; contacts edited inline are audited row by row)."""

from django.contrib import admin

from fengkong.core.admin import AuditedModelAdmin

from .models import Contact, Customer, CustomerGroup, FinancialStatement


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(AuditedModelAdmin):
    audited_fields = Customer.AUDITED_FIELDS
    customer_path = ""
    list_display = ("code", "name", "credit_code", "industry", "region", "status", "portfolio")
    list_filter = ("status", "industry", "portfolio")
    search_fields = ("code", "name", "credit_code")
    list_select_related = ("portfolio",)
    autocomplete_fields = ("group",)
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(AuditedModelAdmin):
    customer_path = "customer"
    list_display = ("name", "customer", "title", "phone", "email", "is_primary")
    search_fields = ("name", "customer__code", "customer__name", "phone", "email")
    raw_id_fields = ("customer",)


@admin.register(CustomerGroup)
class CustomerGroupAdmin(AuditedModelAdmin):
    audit_name = "customer_group"
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(FinancialStatement)
class FinancialStatementAdmin(AuditedModelAdmin):
    audit_name = "financial_statement"
    customer_path = "customer"
    list_display = ("customer", "period_end", "revenue", "net_profit", "total_assets", "total_liabilities")
    search_fields = ("customer__code", "customer__name")
    date_hierarchy = "period_end"
    raw_id_fields = ("customer",)
    exclude = ("import_batch",)
