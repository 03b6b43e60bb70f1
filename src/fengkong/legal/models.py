"""Legal cases: the claim against a customer, the stages it goes through, their dates and documents.

Design decisions:
- The stage is a state machine (legal.stages): a case moves only by `actions.move_case`, which refuses an
  illegal move with its reason; each move writes a `StageRecord` with the stage's dates and details, and
  the deadlines those dates set (`LegalDeadline`: the objection and appeal windows, the enforcement
  application, seizure expiries and their renewal reminders, claim filing) are written with it.
- The timeline is `CaseEvent` rows, append-only (Saleor's order events): one per thing that happened.
- Documents are evidence items (fengkong.evidence) whose subject is the case; `CaseDocument` says which
  stage each belongs to.
- Amounts are Decimal in the case's currency; the claim is principal + interest + liquidated damages + costs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.permissions import scope

from .choices import DeadlineKind, Origin, Outcome, Procedure, SeizureKind, Stage

MONEY = {"max_digits": 18, "decimal_places": 2}


class LegalCaseQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def with_worklist(self):
        """The amount at risk (claim less recovered) and the next open deadline of each case."""
        return self.annotate(
            at_risk=ExpressionWrapper(F("principal") + F("interest") + F("liquidated_damages") + F("costs")
                                      - F("recovered"), output_field=models.DecimalField(**MONEY)),
            next_deadline=Min("deadlines__due_on", filter=Q(deadlines__done=False)))


class LegalCase(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="legal_cases",
                                 verbose_name=_("customer"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    referral = models.OneToOneField("monitoring.ActionItem", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="legal_case", verbose_name=_("referral"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="legal_cases", verbose_name=_("owner"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.OPENED)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), default=Decimal("0.00"), **MONEY)
    liquidated_damages = models.DecimalField(_("liquidated damages"), default=Decimal("0.00"), **MONEY)
    costs = models.DecimalField(_("costs"), default=Decimal("0.00"), **MONEY)
    recovered = models.DecimalField(_("recovered"), default=Decimal("0.00"), **MONEY)
    procedure = models.CharField(_("procedure"), max_length=10, choices=Procedure.choices, blank=True)
    court = models.CharField(_("court"), max_length=120, blank=True)
    court_case_number = models.CharField(_("court case number"), max_length=60, blank=True)
    judge = models.CharField(_("judge"), max_length=60, blank=True)
    restructuring_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                  on_delete=models.PROTECT, related_name="+")
    restructuring_approved_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = LegalCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("legal case")
        verbose_name_plural = _("legal cases")
        permissions = [("open_case", "Can open a legal case"),
                       ("approve_restructuring", "Can approve a restructuring or debt-to-equity swap")]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gte=0) & Q(interest__gte=0) & Q(liquidated_damages__gte=0)
                                   & Q(costs__gte=0) & Q(recovered__gte=0), name="legal_case_amounts_not_negative"),
            models.CheckConstraint(condition=Q(stage=Stage.CLOSED, outcome__gt="") | (~Q(stage=Stage.CLOSED)
                                                                                   & Q(outcome="")),
                                   name="legal_case_closed_has_outcome"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def claim(self) -> Decimal:
        return self.principal + self.interest + self.liquidated_damages + self.costs


class StageRecord(models.Model):
    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    entered_on = models.DateField(_("date"))
    entered_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(_("details"), default=dict)
    note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["entered_at", "pk"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class LegalDeadlineQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user, customer_path="case__customer")

    def pending(self):
        return self.filter(done=False)


class LegalDeadline(models.Model):
    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    due_on = models.DateField(_("due"))
    stage_record = models.ForeignKey(StageRecord, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deadlines")
    seizure = models.ForeignKey("Seizure", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    note = models.CharField(_("note"), max_length=200, blank=True)
    done = models.BooleanField(_("done"), default=False)
    reminded_on = models.DateField(_("last reminded"), null=True, blank=True)

    objects = LegalDeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("legal deadline")
        verbose_name_plural = _("legal deadlines")
        indexes = [models.Index(fields=["done", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class Seizure(models.Model):
    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="seizures")
    kind = models.CharField(_("kind"), max_length=10, choices=SeizureKind.choices)
    description = models.CharField(_("what was seized"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    seized_on = models.DateField(_("seized on"))
    expires_on = models.DateField(_("expires on"))
    renewal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal")

    class Meta:
        ordering = ["expires_on", "pk"]
        verbose_name = _("seizure")
        verbose_name_plural = _("seizures")
        constraints = [models.CheckConstraint(condition=Q(expires_on__gt=F("seized_on")) & Q(amount__gte=0),
                                              name="seizure_expires_after_seizing")]

    def __str__(self) -> str:
        return f"{self.description} → {self.expires_on}"


class CaseEvent(models.Model):
    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("case events are append-only")
        super().save(*args, **kwargs)


class CaseDocument(models.Model):
    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="documents")
    stage_record = models.ForeignKey(StageRecord, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="documents")
    item = models.OneToOneField("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="legal_document")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.item_id}"
