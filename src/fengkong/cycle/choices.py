"""Choices of the cycle app, with translated labels and the colours the UI draws them in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


CYCLE_STATUS_COLOURS = {CycleStatus.RUNNING: "#1565c0", CycleStatus.DONE: "#2e7d32",
                        CycleStatus.FAILED: "#c62828"}
