"""Choices of the model registry: what a model is used for, its kind, its standing and promotion requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ModelUse(models.TextChoices):
    """What a registered model predicts; each use has at most one champion."""

    CUSTOMER_RISK = "customer_risk", _("Customer risk: danger zone or write-off within 12 months")
    PAYMENT_DELAY = "payment_delay", _("Invoice payment delay: paid over 30 days late, and when")


class ModelKind(models.TextChoices):
    SCORECARD = "scorecard", _("Scorecard (WOE, points)")
    GBM = "gbm", _("LightGBM")
    DELAY = "delay", _("LightGBM delay and timing")


# The kinds each use accepts.
USE_KINDS = {ModelUse.CUSTOMER_RISK: (ModelKind.SCORECARD, ModelKind.GBM), ModelUse.PAYMENT_DELAY: (ModelKind.DELAY,)}


class ModelStatus(models.TextChoices):
    CHALLENGER = "challenger", _("Challenger")
    CHAMPION = "champion", _("Champion")
    RETIRED = "retired", _("Retired")


STATUS_COLOURS = {ModelStatus.CHALLENGER: "#1565c0", ModelStatus.CHAMPION: "#2e7d32", ModelStatus.RETIRED: "#757575"}


class PromotionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("promotion status", "Pending")
    APPROVED = "approved", pgettext_lazy("promotion status", "Approved")
    REJECTED = "rejected", pgettext_lazy("promotion status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("promotion status", "Withdrawn")


PSI_ALERT = 0.25  # above this a score or feature has drifted (the threshold)
