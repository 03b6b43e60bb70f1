"""The contract register: a customer's contracts, each with its document versions and their analysis.

Design decisions:
- `Contract.number` is what invoices carry in `receivables.Invoice.contract_ref`; `Contract.invoices()`
  joins them (same customer, same number).
- The document is a plain attachment (`ContractDocument.file`, Django storage under MEDIA_ROOT/contracts)
  with its SHA-256, so the evidence store can adopt it later without changing the register: it keeps the
  hash, the size, the file name and who uploaded it when.
- Each upload is a new version; its text, analysis, flags, the grade and the policy version it was
  judged by are stored with it, so an approval records what the approver saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.currencies import functional_currency
from fengkong.core.money import money_field
from fengkong.receivables.models import Invoice

from .choices import ChecklistItem, ContractKind, ContractStatus

USER = settings.AUTH_USER_MODEL


class ContractQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=ContractStatus.IN_REVIEW)


class Contract(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="contracts",
                                 verbose_name=_("customer"))
    number = models.CharField(_("contract number"), max_length=80)
    kind = models.CharField(_("contract type"), max_length=12, choices=ContractKind.choices,
                            default=ContractKind.SALES)
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    value = money_field(_("contract value"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default=functional_currency)
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    approved_flags = models.JSONField(_("flags at approval"), default=list, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="contract_number_per_customer"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="contract_value_not_negative"),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")), name="contract_ends_after_start"),
        ]
        permissions = [
            ("analyze_contract", "Can analyse a contract document"),
            ("submit_contract", "Can submit a contract for review"),
            ("approve_contract", "Can approve a contract (maker-checker)"),
            ("approve_large_contract", "Can approve a contract above the large-contract value"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.customer_id})"

    def latest_document(self):
        return self.documents.order_by("-version").first()

    def invoices(self):
        return Invoice.objects.filter(customer_id=self.customer_id, contract_ref=self.number)


class ContractDocument(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents",
                                 verbose_name=_("contract"))
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("document"), upload_to="contracts/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=4)
    text = models.TextField(_("text"))
    converted_from_traditional = models.BooleanField(_("converted from traditional characters"), default=False)
    findings = models.JSONField(_("clauses"), default=list)
    flags = models.JSONField(_("flags"), default=list)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    term_days = models.PositiveSmallIntegerField(_("grade's payment term (days)"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("contracts policy version"))
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["contract", "-version"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="contract_document_version")]

    def __str__(self) -> str:
        return f"{self.contract.number} v{self.version}"


class DueDiligenceItem(models.Model):
    """One item of a contract's pre-signing checklist: its evidence and who signed it off when."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="checklist",
                                 verbose_name=_("contract"))
    code = models.CharField(_("item"), max_length=40, choices=ChecklistItem.choices)
    policy_version = models.PositiveIntegerField(_("checklist policy version"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="contracts/checklist/%Y/%m/", blank=True)
    signed_off_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("signed off by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        verbose_name = _("due-diligence item")
        verbose_name_plural = _("due-diligence items")
        ordering = ["contract", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="due_diligence_item_once")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.code}"

    @property
    def done(self) -> bool:
        return self.signed_off_at is not None
