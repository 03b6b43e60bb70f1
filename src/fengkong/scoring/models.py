"""The model registry and what the champions predict.

Design decisions:
- A ModelVersion is one trained model (one kind) for one use, stored as a model directory under the data
  directory (`models/<use>-v<version>/`, written once and never changed) with its data fingerprint,
  parameters, metrics and report. A directory trained with both a scorecard and LightGBM registers as two
  versions sharing the directory; `kind` says which part scores.
- Per use at most one CHAMPION (a partial unique constraint backs it); every other live version is a
  CHALLENGER and is shadow-scored for comparison. Scoring for decisions always reads the champion.
- Promotion is maker-checker: a PromotionRequest by one user, decided by another. A rollback (back to the
  champion before) is one action: that model was approved when it was promoted.
- `reference` holds the training distributions (score and per-feature bins with their shares) that each
  cycle's PSI is computed against.
- CustomerModelScore and InvoicePrediction hold the latest result per customer / open invoice (replaced in
  bulk each cycle); ModelMonitor and CashForecast keep one row per model and day as history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import money_field

from .choices import ModelKind, ModelStatus, ModelUse, PromotionStatus

USER = settings.AUTH_USER_MODEL


class ModelVersion(models.Model):
    use = models.CharField(_("use"), max_length=20, choices=ModelUse.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=ModelKind.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=ModelStatus.choices,
                              default=ModelStatus.CHALLENGER, db_index=True)
    directory = models.CharField(_("directory"), max_length=300,
                                 help_text=_("The model directory, relative to the data directory."))
    data_sha256 = models.CharField(_("data fingerprint"), max_length=64)
    parameters = models.JSONField(_("parameters"), default=dict)
    metrics = models.JSONField(_("metrics"), default=dict)
    features = models.JSONField(_("features"), default=list)
    reference = models.JSONField(_("training distributions"), default=dict,
                                 help_text=_("Score and feature bins with their training shares, for PSI."))
    training = models.JSONField(_("training data"), default=dict,
                                help_text=_("Rows, observation dates, positives and the split."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    registered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("registered by"))
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    promoted_at = models.DateTimeField(_("champion since"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back"), null=True, blank=True,
                                          help_text=_("Set when a rollback took this model out: a later rollback "
                                                      "never brings it back."))

    class Meta:
        ordering = ["use", "-version"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        permissions = [("register_model", "Can register a trained model"),
                       ("request_promotion", "Can ask for a model to become champion"),
                       ("approve_promotion", "Can approve a model promotion asked by someone else"),
                       ("rollback_model", "Can roll a use back to its previous champion")]
        constraints = [
            models.UniqueConstraint(fields=["use", "version"], name="one_model_version_number_per_use"),
            models.UniqueConstraint(fields=["use"], condition=Q(status=ModelStatus.CHAMPION),
                                    name="one_champion_per_use"),
        ]

    def __str__(self) -> str:
        return f"{self.use} v{self.version} ({self.kind}, {self.status})"

    @property
    def label(self) -> str:
        return f"{self.get_use_display()} v{self.version} · {self.get_kind_display()}"


class PromotionRequest(models.Model):
    model = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="promotions",
                              verbose_name=_("model"))
    status = models.CharField(_("status"), max_length=10, choices=PromotionStatus.choices,
                              default=PromotionStatus.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("promotion request")
        verbose_name_plural = _("promotion requests")
        constraints = [models.UniqueConstraint(fields=["model"], condition=Q(status=PromotionStatus.PENDING),
                                               name="one_pending_promotion_per_model")]

    def __str__(self) -> str:
        return f"promote {self.model} ({self.status})"


class ModelMonitor(models.Model):
    """One model's drift on one day: PSI of the score and of each feature against training."""

    model = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="monitors",
                              verbose_name=_("model"))
    as_of = models.DateField(_("as of"))
    rows = models.PositiveIntegerField(_("rows scored"))
    score_psi = models.FloatField(_("score PSI"))
    feature_psi = models.JSONField(_("feature PSI"), default=dict)
    drifted = models.BooleanField(_("drift alert"), default=False)
    created_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ["-as_of", "model"]
        verbose_name = _("model monitor")
        verbose_name_plural = _("model monitors")
        constraints = [models.UniqueConstraint(fields=["model", "as_of"], name="one_monitor_per_model_day")]


class CustomerModelScore(models.Model):
    """The latest score of a customer by one model (champion or challenger), with its top reasons."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="model_scores",
                                 verbose_name=_("customer"))
    model = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="customer_scores",
                              verbose_name=_("model"))
    as_of = models.DateField(_("as of"))
    probability = models.FloatField(_("probability of the event"))
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list,
                               help_text=_("Top reasons: feature, value and effect (points lost or log-odds)."))

    class Meta:
        verbose_name = _("customer model score")
        verbose_name_plural = _("customer model scores")
        constraints = [models.UniqueConstraint(fields=["customer", "model"], name="one_score_per_customer_model")]


class InvoicePrediction(models.Model):
    """The payment-delay champion's prediction for one open invoice."""

    invoice = models.OneToOneField("receivables.Invoice", on_delete=models.CASCADE, related_name="prediction",
                                   verbose_name=_("invoice"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="invoice_predictions",
                                 verbose_name=_("customer"))
    model = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="invoice_predictions",
                              verbose_name=_("model"))
    as_of = models.DateField(_("as of"))
    open_amount = money_field(_("open amount"))
    p_late = models.FloatField(_("probability paid over 30 days late"))
    expected_days = models.FloatField(_("expected days to payment"))
    expected_date = models.DateField(_("expected payment date"))
    expected_loss = money_field(_("expected loss"))
    p_weeks = models.JSONField(_("payment week probabilities"), default=list,
                               help_text=_("P(paid in week 1..13 after the as-of date), then P(later or never)."))
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        ordering = ["-expected_loss", "pk"]
        verbose_name = _("invoice prediction")
        verbose_name_plural = _("invoice predictions")
        indexes = [models.Index(fields=["customer", "expected_loss"])]


class CashForecast(models.Model):
    """Collections expected week by week over the next 13 weeks, made on `as_of` by one model."""

    model = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="forecasts",
                              verbose_name=_("model"))
    as_of = models.DateField(_("as of"))
    open_amount = money_field(_("open amount"))
    weeks = models.JSONField(_("weeks"), default=list,
                             help_text=_("Per week: start, end and the expected amount in fen."))
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("cash forecast")
        verbose_name_plural = _("cash forecasts")
        constraints = [models.UniqueConstraint(fields=["model", "as_of"], name="one_forecast_per_model_day")]
