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
- Law firms (`LawFirm`) are engaged (`Engagement`, one case or a batch of standard cases) under a fee
  arrangement (engine.firm_fees); a case names its current engagement, and `Engagement.engaged_cases` keeps every
  case an engagement covered, so a case's engagement history outlives the end of one (`firms.end_engagement`,
  with its date and reason) and the engagement of another firm. A firm's invoices (`FirmInvoice`) are
  checked against the arrangement and become the case's lawyers' fees (`CaseCost`), beside the court fees and
  preservation guarantee costs; `Recovery` rows are what came in. Recovery net of costs is read per case and
  per firm (legal.performance).
- A user of the `law_firm` role (`works_for_firm`) sees the cases engaged to their firm and nothing else:
  their scope is the engagement, not a portfolio.
- When to act (article §6): the signs that argue for property preservation now are read from the company's
  own data at the moment they are asked for (legal.preservation), never stored; a legal officer's answer is
  a `PreservationDecision` (apply now / wait / not needed, why, who, when) that keeps the signs it was made
  on, append-only like the timeline. It belongs to a customer, and to a case when made on one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.permissions import scope, sees_all
from fengkong.evidence.models import AppendOnly

from .choices import (
    CostKind,
    DeadlineKind,
    EngagementScope,
    FeeKind,
    Origin,
    Outcome,
    PreservationChoice,
    Procedure,
    SeizureKind,
    Stage,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
FIRM_PERM = "legal.work_firm_cases"


def works_for_firm(user) -> bool:
    """A user of a law firm (the `law_firm` role): scoped to their firm's engaged cases, not to a portfolio."""
    return bool(user and user.is_authenticated and user.is_active and not sees_all(user)
                and user.has_perm(FIRM_PERM))


def firm_scope(queryset: models.QuerySet, user, case_path: str = "") -> models.QuerySet:
    """Rows of the cases engaged to a firm `user` belongs to (an ended engagement no longer counts)."""
    prefix = f"{case_path}__" if case_path else ""
    return queryset.filter(**{f"{prefix}engagement__firm__members": user, f"{prefix}engagement__firm__active": True,
                              f"{prefix}engagement__ended_on__isnull": True})


class LegalCaseQuerySet(models.QuerySet):
    def for_user(self, user):
        if works_for_firm(user):
            return firm_scope(self, user) if user.has_perm("legal.view_legalcase") else self.none()
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
    engagement = models.ForeignKey("Engagement", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="cases", verbose_name=_("law firm engagement"))
    engaged_on = models.DateField(_("engaged on"), null=True, blank=True)

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
        if works_for_firm(user):
            return firm_scope(self, user, "case") if user.has_perm("legal.view_legaldeadline") else self.none()
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


class LawFirm(models.Model):
    """A law firm the company outsources cases to; its users (`members`, role `law_firm`) see its cases."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="law_firms",
                                     verbose_name=_("users of the firm"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("law firm")
        verbose_name_plural = _("law firms")
        permissions = [("manage_firms", "Can register law firms, engage them and check their invoices"),
                       ("work_firm_cases", "Can work the legal cases engaged to one's own law firm")]

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    """A firm engaged on one case or a batch of standard cases, under one fee arrangement (per case)."""

    number = models.CharField(_("engagement number"), max_length=20, unique=True)
    firm = models.ForeignKey(LawFirm, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("law firm"))
    scope = models.CharField(_("scope"), max_length=10, choices=EngagementScope.choices)
    fee_kind = models.CharField(_("fee arrangement"), max_length=12, choices=FeeKind.choices)
    fixed_fee = models.DecimalField(_("fixed fee per case"), default=Decimal("0.00"), **MONEY)
    hourly_rate = models.DecimalField(_("hourly rate"), default=Decimal("0.00"), **MONEY)
    contingency_share = models.DecimalField(_("contingency share of recoveries (%)"), max_digits=5, decimal_places=2,
                                            default=Decimal("0.00"))
    engaged_on = models.DateField(_("engaged on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    engaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("ended by"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    engaged_cases = models.ManyToManyField(LegalCase, blank=True, related_name="engagements",
                                           verbose_name=_("cases engaged"),
                                           help_text=_("Every case the engagement covered, kept after it ended."))

    class Meta:
        ordering = ["-engaged_on", "-pk"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.CheckConstraint(condition=Q(fixed_fee__gte=0) & Q(hourly_rate__gte=0) & Q(contingency_share__gte=0)
                                   & Q(contingency_share__lte=100), name="engagement_fees_in_range"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("engaged_on")),
                                   name="engagement_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.firm}"


class FirmInvoice(models.Model):
    """A firm's invoice for one case, accepted only as far as the arrangement allows (legal.firms)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="invoices")
    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="firm_invoices")
    number = models.CharField(_("invoice number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, default=Decimal("0.00"))
    amount = models.DecimalField(_("amount"), **MONEY)
    expected = models.DecimalField(_("the arrangement allowed"), **MONEY)
    fixed_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    hourly_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    contingency_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_on", "pk"]
        verbose_name = _("firm invoice")
        verbose_name_plural = _("firm invoices")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "number"], name="firm_invoice_number_once"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(amount__lte=F("expected")) & Q(hours__gte=0),
                                   name="firm_invoice_within_arrangement"),
            models.CheckConstraint(condition=Q(amount=F("fixed_part") + F("hourly_part") + F("contingency_part")),
                                   name="firm_invoice_parts_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"


class CaseCostQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=LegalCase.objects.for_user(user))


class CaseCost(models.Model):
    """A cost of a case: lawyers' fees (from an accepted firm invoice), court fees, a preservation guarantee."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="cost_lines")
    kind = models.CharField(_("kind"), max_length=30, choices=CostKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    incurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    firm_invoice = models.OneToOneField(FirmInvoice, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="cost")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseCostQuerySet.as_manager()

    class Meta:
        ordering = ["incurred_on", "pk"]
        verbose_name = _("case cost")
        verbose_name_plural = _("case costs")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="case_cost_positive")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.amount}"


class Recovery(models.Model):
    """Money recovered on a case (a payment, an enforcement's proceeds, a distribution)."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_positive")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount}"


class PreservationDecisionQuerySet(models.QuerySet):
    def for_user(self, user):
        if works_for_firm(user):  # a firm's user: the decisions on its firm's cases, none on a bare customer
            return (firm_scope(self, user, "case") if user.has_perm("legal.view_preservationdecision")
                    else self.none())
        return scope(self, user)


class PreservationDecision(AppendOnly):
    """A legal officer's answer to "apply for property preservation now?", with the signs it was made on.

    Append-only: a new decision supersedes the last one; none is changed or deleted."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="preservation_decisions",
                                 verbose_name=_("customer"))
    case = models.ForeignKey(LegalCase, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="preservation_decisions", verbose_name=_("legal case"))
    decision = models.CharField(_("decision"), max_length=12, choices=PreservationChoice.choices)
    reason = models.TextField(_("why"))
    score = models.PositiveSmallIntegerField(_("score of the signs"))
    signs = models.JSONField(_("signs it was made on"), default=list)
    preservation = models.ForeignKey(StageRecord, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="preservation_decisions",
                                     verbose_name=_("the preservation application"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    objects = PreservationDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("preservation decision")
        verbose_name_plural = _("preservation decisions")
        permissions = [("decide_preservation", "Can decide whether to apply for property preservation now")]
        indexes = [models.Index(fields=["customer", "-decided_at"])]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="preservation_decision_has_reason")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.decision} {self.decided_at:%Y-%m-%d}"

