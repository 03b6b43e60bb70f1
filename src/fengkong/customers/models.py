"""Customers and what we know of them: contacts, parent groups and financial statements."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengkong.core import industries, regions, uscc
from fengkong.core.money import money_field

from .choices import CustomerStatus


def validate_credit_code(value: str) -> None:
    if value and (why := uscc.problem(value)):
        raise ValidationError(_("Invalid unified social credit code: %(why)s"), params={"why": why})


BANK_ACCOUNT = re.compile(r"^[0-9]{8,32}$")


def validate_bank_account(value: str) -> None:
    if value and not BANK_ACCOUNT.match(value):
        raise ValidationError(_("A bank account number is 8 to 32 digits, written without spaces or dashes."))


def mask_account(value: str) -> str:
    """A bank account as shown where the full number is not needed: its last four digits."""
    return f"•••• {value[-4:]}" if value else ""


def validate_region(value: str) -> None:
    if value and (why := regions.problem(value)):
        raise ValidationError(_("Invalid region code: %(why)s"), params={"why": why})


class CustomerGroup(models.Model):
    """A parent group: exposure to its members is added up (group exposure)."""

    code = models.CharField(_("group code"), max_length=40, unique=True)
    name = models.CharField(_("group name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    AUDITED_FIELDS = ("code", "name", "credit_code", "industry", "region", "group_id", "cooperation_start",
                      "status", "portfolio_id", "salesperson", "bank_name", "bank_account")
    # Dual review (fengkong.reviews, docs/dual-review.md): a change of these waits for a second person.
    SENSITIVE_FIELDS = ("credit_code", "name", "group_id", "portfolio_id", "bank_name", "bank_account")
    HELD_ON_CREATE = ("credit_code",)  # a new customer's legal identity is confirmed too

    code = models.CharField(_("customer code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True,
                                   unique=True, validators=[validate_credit_code])
    industry = models.CharField(_("industry"), max_length=1, blank=True, choices=industries.choices,
                                db_index=True)
    region = models.CharField(_("region"), max_length=6, blank=True, validators=[validate_region],
                              db_index=True)
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="members", verbose_name=_("parent group"))
    cooperation_start = models.DateField(_("cooperation since"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE, db_index=True)
    portfolio = models.ForeignKey("accounts.Portfolio", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="customers", verbose_name=_("portfolio"))
    salesperson = models.CharField(_("salesperson"), max_length=80, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True,
                                 help_text=_("The bank and branch the customer pays from (开户银行)."))
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True,
                                    validators=[validate_bank_account],
                                    help_text=_("Digits only, without spaces or dashes."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("view_all_customers", "Can see customers of every portfolio")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def region_label(self) -> str:
        return regions.label(self.region) if self.region else ""

    def industry_label(self) -> str:
        return industries.label(self.industry) if self.industry else ""

    def bank_account_masked(self) -> str:
        return mask_account(self.bank_account)


class Contact(models.Model):
    SENSITIVE_FIELDS = ("phone", "email", "address")  # dual review: a change waits for a second person

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=80)
    title = models.CharField(_("title"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True),
                                    name="one_primary_contact"),
        ]

    def __str__(self) -> str:
        return self.name


class FinancialStatement(models.Model):
    """A customer's statement for one period (annual or interim), in CNY."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="financials")
    period_end = models.DateField(_("period end"))
    current_assets = money_field(_("current assets"), null=True, blank=True)
    current_liabilities = money_field(_("current liabilities"), null=True, blank=True)
    total_assets = money_field(_("total assets"), null=True, blank=True)
    total_liabilities = money_field(_("total liabilities"), null=True, blank=True)
    revenue = money_field(_("revenue"), null=True, blank=True)
    net_profit = money_field(_("net profit"), null=True, blank=True)
    equity = money_field(_("equity"), null=True, blank=True)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)

    class Meta:
        ordering = ["customer", "-period_end"]
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        constraints = [
            models.UniqueConstraint(fields=["customer", "period_end"], name="one_statement_per_period"),
            models.CheckConstraint(condition=Q(total_assets__gte=0) | Q(total_assets__isnull=True),
                                   name="statement_assets_not_negative"),
            models.CheckConstraint(condition=Q(current_assets__gte=0) | Q(current_assets__isnull=True),
                                   name="statement_current_assets_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer.code} {self.period_end}"

    @property
    def current_ratio(self):
        if self.current_assets is None or not self.current_liabilities:
            return None
        return self.current_assets / self.current_liabilities

    @property
    def debt_to_asset(self):
        if self.total_liabilities is None or not self.total_assets:
            return None
        return self.total_liabilities / self.total_assets
