"""Admin for customer master data. Every save and delete goes through customers.actions: the permission,
the audit event (Customer.AUDITED_FIELDS for customers; contacts edited inline row by row), the side
effects an import has (a financial statement re-assesses its customer) and dual review: a change of a
sensitive field waits for a second person, and the admin says so (reviews.admin.tell_held)."""

from collections.abc import Callable

from django.contrib import admin

from fengkong.core.admin import AuditedModelAdmin
from fengkong.reviews.admin import tell_held

from . import actions
from .models import Contact, Customer, CustomerGroup, FinancialStatement


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class MasterDataAdmin(AuditedModelAdmin):
    """Saves and deletes a row through its model's actions, `row_actions`: (save, delete, the keyword they
    take the row by). Lists are scoped like the web (AuditedModelAdmin.customer_path)."""

    row_actions: tuple[Callable, Callable, str]
    reviewed = False  # the save takes `via` and may hold sensitive fields for dual review

    def save_model(self, request, obj, form, change):
        save, _delete, keyword = self.row_actions
        save(actor=request.user, **{keyword: obj}, **({"via": "admin"} if self.reviewed else {}))
        tell_held(request, obj)

    def delete_model(self, request, obj):
        _save, delete, keyword = self.row_actions
        delete(actor=request.user, **{keyword: obj})


@admin.register(Customer)
class CustomerAdmin(MasterDataAdmin):
    row_actions = (actions.save_customer, actions.delete_customer, "customer")
    reviewed = True
    customer_path = ""
    list_display = ("code", "name", "credit_code", "industry", "region", "status", "portfolio")
    list_filter = ("status", "industry", "portfolio")
    search_fields = ("code", "name", "credit_code")
    list_select_related = ("portfolio",)
    autocomplete_fields = ("group",)
    inlines = [ContactInline]
    show_full_result_count = False

    def save_formset(self, request, form, formset, change):
        """The contacts edited inline, each through its action."""
        contacts = formset.save(commit=False)
        for contact in formset.deleted_objects:
            actions.delete_contact(actor=request.user, contact=contact)
        for contact in contacts:
            actions.save_contact(actor=request.user, contact=contact, via="admin")
            tell_held(request, contact)
        formset.save_m2m()


@admin.register(Contact)
class ContactAdmin(MasterDataAdmin):
    row_actions = (actions.save_contact, actions.delete_contact, "contact")
    reviewed = True
    customer_path = "customer"
    list_display = ("name", "customer", "title", "phone", "email", "is_primary")
    search_fields = ("name", "customer__code", "customer__name", "phone", "email")
    raw_id_fields = ("customer",)


@admin.register(CustomerGroup)
class CustomerGroupAdmin(MasterDataAdmin):
    row_actions = (actions.save_customer_group, actions.delete_customer_group, "group")
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(FinancialStatement)
class FinancialStatementAdmin(MasterDataAdmin):
    row_actions = (actions.save_financial_statement, actions.delete_financial_statement, "statement")
    customer_path = "customer"
    list_display = ("customer", "period_end", "revenue", "net_profit", "total_assets", "total_liabilities")
    search_fields = ("customer__code", "customer__name")
    date_hierarchy = "period_end"
    raw_id_fields = ("customer",)
    exclude = ("import_batch",)
