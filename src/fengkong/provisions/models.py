"""Provisions: the versioned policy, individual provisions, and one run per month-end with its lines.

Design decisions:
- A run is proposed by finance and approved by another person (maker-checker). Approval locks the period:
  an approved run is never changed (save refuses it, and its lines are written only with the proposal), and
  no other run can be proposed for that month-end or an earlier one.
- The movement balances in the database as well: opening + charge − reversal − write-off + recoveries =
  closing is a check constraint, and at most one run per month-end is proposed or approved at a time.
- The matrix (roll rates, loss rates, flows, balances per bucket) is kept as the engine gave it, in JSON,
  so the page, the disclosure and the audit read exactly what was booked.
- A write-off request names one invoice, the amount (all or part of its open amount), the ground of
  国家税务总局公告2011年第25号 and the evidence items that prove it; the number of approvers it needs is
  fixed at the request from the policy's levels. When the last approval arrives the amount is posted to
  the ledger (receivables.WriteOff), which lowers the invoice's open amount; the request keeps the history.
  At most one request per invoice awaits approval, and each person approves a request once.
- A recovery is money received on a written-off amount: it never reopens the invoice, it goes back to the
  provision (the movement's recoveries) and is at most what was written off less earlier recoveries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import money_field

from . import policy as policy_module
from .choices import RunStatus, WriteOffGround, WriteOffStatus
from .exceptions import PeriodLocked


class ProvisionPolicy(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("settings"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("provision policy")
        verbose_name_plural = _("provision policies")
        permissions = [("publish_provisionpolicy", "Can publish a new provision policy version")]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("a provision policy version is immutable; publish a new version instead")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> ProvisionPolicy:
        """The latest published version; before any is published, the defaults as version 0."""
        return cls.objects.order_by("-version").first() or cls(version=0, config=policy_module.defaults())

    def parsed(self) -> policy_module.Policy:
        return policy_module.parse(self.config, self.version)


class IndividualProvisionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class IndividualProvision(models.Model):
    """A specific provision for a customer in litigation or bankruptcy: a rate of its balance or an amount."""

    customer = models.ForeignKey("customers.Customer", models.PROTECT, related_name="individual_provisions")
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=6, null=True, blank=True)
    amount = money_field(_("amount"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = IndividualProvisionQuerySet.as_manager()

    class Meta:
        ordering = ["customer_id", "-created_at"]
        verbose_name = _("individual provision")
        verbose_name_plural = _("individual provisions")
        constraints = [
            models.CheckConstraint(condition=Q(rate__isnull=True) ^ Q(amount__isnull=True),
                                   name="provisions_individual_rate_xor_amount"),
            models.CheckConstraint(condition=Q(rate__isnull=True) | (Q(rate__gte=0) & Q(rate__lte=1)),
                                   name="provisions_individual_rate_range"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="provisions_individual_amount_positive"),
            models.UniqueConstraint(fields=["customer"], condition=Q(ended_at__isnull=True),
                                    name="provisions_one_active_individual"),
        ]


class ProvisionRunQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=RunStatus.APPROVED)


class ProvisionRun(models.Model):
    as_of = models.DateField(_("month-end"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PROPOSED)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    matrix = models.JSONField(_("provision matrix"))
    gross_amount = money_field(_("gross carrying amount"))
    opening = money_field(_("opening provision"))
    charge = money_field(_("charge"))
    reversal = money_field(_("reversal"))
    write_off = money_field(_("written off"))
    recoveries = money_field(_("recoveries"))
    closing = money_field(_("closing provision"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    objects = ProvisionRunQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("provision run")
        verbose_name_plural = _("provision runs")
        permissions = [("propose_provisionrun", "Can propose a month-end provision"),
                       ("approve_provisionrun", "Can approve another person's month-end provision")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closing=F("opening") + F("charge") - F("reversal") - F("write_off") + F("recoveries")),
                name="provisions_movement_balances"),
            models.CheckConstraint(condition=Q(charge__gte=0, reversal__gte=0, write_off__gte=0, recoveries__gte=0,
                                               closing__gte=0, opening__gte=0),
                                   name="provisions_movement_not_negative"),
            models.UniqueConstraint(fields=["as_of"], condition=Q(status__in=["proposed", "approved"]),
                                    name="provisions_one_live_run_per_month_end"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def locked(self) -> bool:
        return self.status == RunStatus.APPROVED

    def save(self, *args, **kwargs):
        if self.pk and ProvisionRun.objects.filter(pk=self.pk, status=RunStatus.APPROVED).exists():
            raise PeriodLocked(f"the provision of {self.as_of:%Y-%m-%d} is approved and locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ProvisionRun.objects.filter(pk=self.pk, status=RunStatus.APPROVED).exists():
            raise PeriodLocked(f"the provision of {self.as_of:%Y-%m-%d} is approved and locked")
        return super().delete(*args, **kwargs)


class ProvisionLine(models.Model):
    """The provision of one customer in one aging bucket at the run's month-end."""

    run = models.ForeignKey(ProvisionRun, models.CASCADE, related_name="lines")
    customer = models.ForeignKey("customers.Customer", models.PROTECT, related_name="+")
    bucket = models.PositiveSmallIntegerField(_("aging bucket"))
    balance = money_field(_("gross carrying amount"))
    rate = models.DecimalField(_("expected loss rate"), max_digits=11, decimal_places=10)
    provision = money_field(_("provision"))
    individual = models.BooleanField(_("individual provision"), default=False)

    class Meta:
        ordering = ["run_id", "customer_id", "bucket"]
        verbose_name = _("provision line")
        verbose_name_plural = _("provision lines")
        constraints = [
            models.UniqueConstraint(fields=["run", "customer", "bucket"], name="provisions_line_once"),
            models.CheckConstraint(condition=Q(provision__gte=0) & Q(provision__lte=F("balance")),
                                   name="provisions_line_at_most_balance"),
        ]


class WriteOffRequest(models.Model):
    invoice = models.ForeignKey("receivables.Invoice", models.PROTECT, related_name="write_off_requests",
                                verbose_name=_("invoice"))
    amount = money_field(_("amount"))
    ground = models.CharField(_("ground"), max_length=20, choices=WriteOffGround.choices)
    statement = models.TextField(_("statement"), max_length=2000)
    evidence = models.ManyToManyField("evidence.EvidenceItem", related_name="+", verbose_name=_("evidence"))
    status = models.CharField(_("status"), max_length=10, choices=WriteOffStatus.choices,
                              default=WriteOffStatus.PROPOSED)
    approvers_needed = models.PositiveSmallIntegerField(_("approvers needed"))
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    posted = models.OneToOneField("receivables.WriteOff", models.PROTECT, null=True, blank=True,
                                  related_name="request", verbose_name=_("write-off"))

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("write-off request")
        verbose_name_plural = _("write-off requests")
        permissions = [("propose_writeoffrequest", "Can request a write-off"),
                       ("approve_writeoffrequest", "Can approve another person's write-off request")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="provisions_write_off_amount_positive"),
            models.CheckConstraint(condition=Q(approvers_needed__gte=1), name="provisions_write_off_approvers"),
            models.UniqueConstraint(fields=["invoice"], condition=Q(status="proposed"),
                                    name="provisions_one_pending_write_off_per_invoice"),
            models.CheckConstraint(condition=~Q(status="posted") | Q(posted__isnull=False),
                                   name="provisions_posted_write_off_has_ledger_row"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"WO{self.pk:06d}"


class WriteOffApproval(models.Model):
    request = models.ForeignKey(WriteOffRequest, models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["approved_at", "pk"]
        verbose_name = _("write-off approval")
        verbose_name_plural = _("write-off approvals")
        constraints = [models.UniqueConstraint(fields=["request", "approver"], name="provisions_approve_once")]


class Recovery(models.Model):
    """Money received on a written-off amount (坏账收回)."""

    request = models.ForeignKey(WriteOffRequest, models.PROTECT, related_name="recoveries",
                                verbose_name=_("write-off request"))
    amount = money_field(_("amount"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="provisions_recovery_positive")]
