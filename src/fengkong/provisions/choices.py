"""Statuses of a provision run and the ledger accounts of its journal lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and locked")
    REJECTED = "rejected", _("Rejected")


STATUS_COLOURS = {RunStatus.PROPOSED: "attention", RunStatus.APPROVED: "normal", RunStatus.REJECTED: "danger"}

# The journal's accounts (CAS): the charge goes to credit impairment loss against the allowance.
IMPAIRMENT_LOSS = _("Credit impairment loss")   # 信用减值损失
ALLOWANCE = _("Provision for bad debts")         # 坏账准备
