"""Receivables as open items: invoices, payments allocated to them, credit notes, open sales orders.

`import_batch` is provenance only (batches are never deleted): it is an index-free pointer without a
foreign-key constraint, which would otherwise cost every bulk import a per-row check. The ledger rules
that matter are database constraints, so that no import path or bulk write can
store an open amount above the invoice amount, a negative amount, or a due date before the issue date.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from fengkong.core.currencies import functional_currency
from fengkong.core.money import money_field

from .choices import OpenBasis, OrderStatus


def currency_field():
    """An ISO 4217 code; a row written without one is in the functional currency (docs/currencies.md)."""
    return models.CharField(_("currency"), max_length=3, default=functional_currency)


class InvoiceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(open_amount__gt=0)

    def overdue(self, as_of):
        return self.open().filter(due_date__lt=as_of)

    def totals(self):
        return self.aggregate(amount=Sum("amount"), open=Sum("open_amount"))


class Invoice(models.Model):
    number = models.CharField(_("invoice number"), max_length=60, unique=True)
    # The (customer, due_date) index serves customer lookups too; no separate FK or due-date index,
    # because every extra index costs the bulk import of a million invoices about a third of its speed.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices",
                                 verbose_name=_("customer"), db_index=False)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    amount = money_field(_("amount"))
    open_amount = money_field(_("open amount"))
    # erp: the file's 未核销金额, never overwritten by the derivation; derived: amount − allocated − credited,
    # kept so by every receipts and credit-notes import (receivables.ledger).
    open_basis = models.CharField(_("open amount from"), max_length=8, choices=OpenBasis.choices,
                                  default=OpenBasis.ERP)
    currency = currency_field()
    contract_ref = models.CharField(_("contract"), max_length=80, blank=True)
    disputed = models.BooleanField(_("disputed"), default=False)
    source = models.CharField(_("source"), max_length=40, blank=True)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [("view_reconciliation", "Can read the AR reconciliation report")]
        indexes = [models.Index(fields=["customer", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
            models.CheckConstraint(condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                                   name="invoice_open_within_amount"),
            models.CheckConstraint(condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return self.number

    def days_overdue(self, as_of) -> int:
        return max((as_of - self.due_date).days, 0) if self.open_amount > 0 else 0


class Payment(models.Model):
    number = models.CharField(_("receipt number"), max_length=60, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="payments",
                                 verbose_name=_("customer"))
    payment_date = models.DateField(_("payment date"), db_index=True)
    amount = money_field(_("amount"))
    currency = currency_field()
    method = models.CharField(_("method"), max_length=40, blank=True)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)

    class Meta:
        ordering = ["-payment_date", "number"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return self.number


class PaymentAllocation(models.Model):
    """The part of a payment applied to one invoice (a payment may settle several, partially)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("allocated amount"))

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="one_allocation_per_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]


class CreditNote(models.Model):
    number = models.CharField(_("credit note number"), max_length=60, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_notes",
                                 verbose_name=_("customer"))
    issue_date = models.DateField(_("issue date"))
    amount = money_field(_("amount"))
    currency = currency_field()
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_notes", verbose_name=_("original invoice"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)

    class Meta:
        ordering = ["-issue_date"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive")]

    def __str__(self) -> str:
        return self.number


class WriteOff(models.Model):
    """A part of an invoice written off as a bad debt: it settles the invoice like a credit note (the open
    amount drops by it, receivables.ledger) but is a loss, not a payment. Written only by an approved
    write-off request (fengkong.provisions), whose reference it carries; never changed or deleted."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs",
                                verbose_name=_("invoice"))
    written_off_on = models.DateField(_("written off on"))
    amount = money_field(_("amount"))
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-written_off_on", "pk"]
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive")]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("a write-off is never changed; a recovery is recorded against it instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("a write-off is never deleted")


class SalesOrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(open_amount__gt=0, status__in=[OrderStatus.OPEN, OrderStatus.PARTIAL])


class SalesOrder(models.Model):
    """An order not yet invoiced: it counts toward exposure."""

    number = models.CharField(_("order number"), max_length=60, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_("customer"))
    order_date = models.DateField(_("order date"))
    amount = money_field(_("amount"))
    open_amount = money_field(_("not yet shipped"))
    currency = currency_field()
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)

    objects = SalesOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                                   name="order_open_within_amount"),
        ]

    def __str__(self) -> str:
        return self.number


class FxRate(models.Model):
    """How many units of the functional currency one unit of `currency` was worth on `date`
    (docs/currencies.md). The rate of a day is the latest one on or before it (receivables.fx.rates_on)."""

    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("rate to the functional currency"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=80, blank=True)
    import_batch = models.ForeignKey("integrations.ImportBatch", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False,
                                     db_constraint=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        permissions = [("manage_fxrate", "Can add and correct exchange rates")]
        constraints = [
            models.UniqueConstraint(fields=["date", "currency"], name="one_fx_rate_per_day_and_currency"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
        ]
        indexes = [models.Index(fields=["currency", "-date"], name="fx_rate_latest")]

    def __str__(self) -> str:
        return f"{self.date} {self.currency} {self.rate}"
