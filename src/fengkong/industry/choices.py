"""Choices of the industry app: outlooks, indicator frequencies, the direction of risk, observation sources."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outlook(models.TextChoices):
    """An industry's position as the industry analysts rate it (§11)."""

    FAVOURABLE = "favourable", _("Favourable")
    STABLE = "stable", _("Stable")
    CAUTIOUS = "cautious", _("Cautious")
    ADVERSE = "adverse", _("Adverse")


OUTLOOK_COLOURS = {Outlook.FAVOURABLE: "#2f855a", Outlook.STABLE: "#4a5568", Outlook.CAUTIOUS: "#b7791f",
                   Outlook.ADVERSE: "#c53030"}


class Frequency(models.TextChoices):
    """How often an indicator is released; an observation's period is the last day of its month, quarter or year."""

    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Direction(models.TextChoices):
    """Which way of the indicator is the risk: a falling capacity utilisation, a rising inventory."""

    LOWER_IS_RISKIER = "lower", _("Lower is riskier")
    HIGHER_IS_RISKIER = "higher", _("Higher is riskier")


class ObservationSource(models.TextChoices):
    IMPORT = "import", _("Imported file")
    MANUAL = "manual", _("Entered by hand")


class OutlookSource(models.TextChoices):
    MANUAL = "manual", _("Set by an analyst")
