"""Credit state: the versioned credit policy, each customer's credit profile, assessments, guarantees,
limit proposals with their votes, credit checks on sales orders and risk feedback.

Design decisions:
- A credit policy version is proposed by one risk manager and approved by another (maker-checker);
  the policy in force is the approved version with the highest number. Approved versions are immutable.
- CreditProfile is the customer's current standing: one row per customer, changed only by actions
  (an approved proposal sets limit, term and owner; an assessment sets grade and next review).
  `owner` is the approver who answers for the limit ("lifetime responsibility", §16).
- Assessment rows are append-only history: inputs, every metric's and dimension's score, the total,
  the grade, structured reasons (rendered in the reader's language) and the policy version.
- A CreditCheck is keyed by the order reference (unique): replaying a reference returns the first
  answer. Only RESERVED checks count toward exposure; a check is released when the order is invoiced
  (the invoice then carries the exposure) or cancelled.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import money_field

from .choices import (
    ApprovalLevel,
    CheckStatus,
    Decision,
    FeedbackCategory,
    FeedbackStatus,
    Grade,
    GuaranteeKind,
    GuaranteeRequirement,
    PolicyStatus,
    ProposalStatus,
    Trigger,
    Vote,
)

USER = settings.AUTH_USER_MODEL


class CreditPolicy(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("settings"))
    status = models.CharField(_("status"), max_length=10, choices=PolicyStatus.choices,
                              default=PolicyStatus.PROPOSED, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    preview = models.JSONField(_("what-if preview"), default=dict, blank=True,
                               help_text=_("Grade moves and limit change on the whole book when proposed."))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")
        permissions = [("propose_creditpolicy", "Can propose a new credit policy version"),
                       ("approve_creditpolicy", "Can approve a credit policy proposed by someone else")]

    def __str__(self) -> str:
        return f"v{self.version} ({self.status})"


class Guarantee(models.Model):
    """A guarantee, collateral or credit insurance backing a customer's credit."""

    SENSITIVE_FIELDS = ("value", "eligible_percent")  # dual review: a change waits for a second person

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="guarantees",
                                 verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=20, choices=GuaranteeKind.choices)
    provider = models.CharField(_("guarantor or asset"), max_length=200)
    value = money_field(_("value"))
    eligible_percent = models.PositiveSmallIntegerField(
        _("eligible share (%)"), default=100, help_text=_("The share of the value counted after a haircut."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reference = models.CharField(_("document reference"), max_length=80, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["customer", "-valid_from"]
        verbose_name = _("guarantee or collateral")
        verbose_name_plural = _("guarantees and collateral")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="guarantee_value_not_negative"),
            models.CheckConstraint(condition=Q(eligible_percent__lte=100), name="guarantee_eligible_at_most_100"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="guarantee_valid_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provider}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


class CreditProfile(models.Model):
    """A customer's current credit standing."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="credit",
                                    verbose_name=_("customer"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    limit = money_field(_("credit limit"), default=0)
    term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    guarantee_requirement = models.CharField(_("guarantee requirement"), max_length=30,
                                             choices=GuaranteeRequirement.choices, blank=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_limits",
                              verbose_name=_("accountable owner"))
    limit_approved_at = models.DateTimeField(_("limit approved"), null=True, blank=True)
    assessment = models.ForeignKey("Assessment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("latest assessment"))
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    blacklisted = models.BooleanField(_("blacklisted"), default=False)
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=300, blank=True)
    litigation = models.BooleanField(_("litigation flag"), default=False)
    litigation_note = models.CharField(_("litigation note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")
        permissions = [("flag_customer", "Can set or lift blacklist and litigation flags")]
        constraints = [models.CheckConstraint(condition=Q(limit__gte=0), name="credit_limit_not_negative")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.grade or '-'}"


class Assessment(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="assessments",
                                 verbose_name=_("customer"))
    as_of = models.DateField(_("as of"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    policy_version = models.PositiveIntegerField(_("policy version"))
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    triggered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("triggered by"))
    inputs = models.JSONField(_("inputs"), default=dict)
    scores = models.JSONField(_("scores"), default=dict, help_text=_("Per dimension: score and metric points."))
    missing = models.JSONField(_("missing inputs"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    previous_grade = models.CharField(_("previous grade"), max_length=1, choices=Grade.choices, blank=True)
    suggested_limit = money_field(_("limit the policy allows"))
    suggested_term_days = models.PositiveSmallIntegerField(_("term the policy allows (days)"))
    guarantee_requirement = models.CharField(_("guarantee requirement"), max_length=30,
                                             choices=GuaranteeRequirement.choices)

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("credit assessment")
        verbose_name_plural = _("credit assessments")
        permissions = [("run_assessment", "Can run credit assessments")]
        indexes = [models.Index(fields=["customer", "-as_of"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.as_of} {self.grade}"


class LimitProposal(models.Model):
    """A proposed change of a customer's limit and term, approved at the level its amount requires."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="limit_proposals",
                                 verbose_name=_("customer"))
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("assessment"))
    current_limit = money_field(_("current limit"))
    proposed_limit = money_field(_("proposed limit"))
    current_term_days = models.PositiveSmallIntegerField(_("current term (days)"))
    proposed_term_days = models.PositiveSmallIntegerField(_("proposed term (days)"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("proposed by"),
                                    help_text=_("Empty when the review cycle proposed it."))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    level = models.CharField(_("approval level"), max_length=10, choices=ApprovalLevel.choices)
    votes_needed = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("limit proposal")
        verbose_name_plural = _("limit proposals")
        permissions = [("propose_limit", "Can propose a credit limit or term change"),
                       ("approve_limit", "Can approve limit changes at the manager level"),
                       ("vote_committee", "Can vote as a risk committee member")]
        constraints = [
            models.CheckConstraint(condition=Q(proposed_limit__gte=0), name="proposed_limit_not_negative"),
            models.UniqueConstraint(fields=["customer"], condition=Q(status=ProposalStatus.PENDING),
                                    name="one_pending_proposal_per_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.current_limit} → {self.proposed_limit}"


class ProposalVote(models.Model):
    proposal = models.ForeignKey(LimitProposal, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("voter"))
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("voted"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.vote}"


class CreditCheck(models.Model):
    # unique per customer, not in the whole table: a reference checked for a customer of another portfolio
    # must not answer differently from one never checked (credit.actions.checks, "Design decisions")
    reference = models.CharField(_("order reference"), max_length=80, db_index=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_checks",
                                 verbose_name=_("customer"))
    amount = money_field(_("order amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # What the check holds of the limit: the amount in the functional currency at the day's rate when it
    # was checked (docs/currencies.md); limits and exposure are in the functional currency.
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=20, decimal_places=8, default=1)
    functional_amount = money_field(_("amount in the functional currency"), default=0)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=20, choices=CheckStatus.choices, db_index=True)
    limit_at_check = money_field(_("limit at check"), default=0)
    exposure_at_check = money_field(_("exposure at check"), default=0)
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("checked"), default=timezone.now)
    closed_at = models.DateTimeField(_("released or cancelled"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                              related_name="+", verbose_name=_("override requested by"))
    override_approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+", verbose_name=_("override approved by"))
    overridden_at = models.DateTimeField(_("overridden"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("credit check")
        verbose_name_plural = _("credit checks")
        permissions = [("request_check", "Can run credit checks on sales orders"),
                       ("approve_override", "Can approve a credit-check override")]
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="check_amount_positive"),
                       models.UniqueConstraint(fields=["customer", "reference"], name="check_reference_per_customer")]

    @property
    def rate_text(self) -> str:
        """The rate as it was given: 7.2, not 7.20000000."""
        return format(self.fx_rate.normalize(), "f")

    def __str__(self) -> str:
        return f"{self.reference} {self.decision}"


class RiskFeedback(models.Model):
    """What sales saw at a customer (§7), landing in the credit analysts' inbox."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="risk_feedback",
                                 verbose_name=_("customer"))
    category = models.CharField(_("category"), max_length=12, choices=FeedbackCategory.choices)
    text = models.TextField(_("what you saw"))
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("submitted by"))
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("risk feedback")
        verbose_name_plural = _("risk feedback")
        permissions = [("submit_feedback", "Can submit risk feedback on a customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.category}"
