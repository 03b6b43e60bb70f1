"""Industry risk (§11): the analysts' outlook per industry with its history, and the indicator library.

Design decisions:
- An industry is a GB/T 4754 section letter (core.industries), as on the customer; a region is a GB/T 2260
  code (core.regions), blank for the whole country.
- IndustryOutlook is the outlook in force, one row per section, read by credit's assessment. It was
  credit's table (`credit_industryoutlook`) and keeps that table: moving it to this app changed Django's
  state only. Every change also appends an OutlookChange, so the history is kept.
- An indicator's observation is keyed by (indicator, period); the period is the last day of the month,
  quarter or year it describes. A re-import of the same period replaces the value (a revised release) and
  the audit trail keeps what it was.
- Thresholds are in the indicator's unit; `direction` says which side of them is the risk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Direction, Frequency, ObservationSource, Outlook, OutlookSource

USER = settings.AUTH_USER_MODEL


class IndustryOutlook(models.Model):
    """The industry analysts' rating of an industry (GB/T 4754 section); an alarm tightens credit."""

    industry = models.CharField(_("industry"), max_length=1, unique=True)
    outlook = models.CharField(_("outlook"), max_length=12, choices=Outlook.choices, default=Outlook.STABLE)
    alarm = models.BooleanField(_("systemic alarm"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "credit_industryoutlook"
        ordering = ["industry"]
        verbose_name = _("industry outlook")
        verbose_name_plural = _("industry outlooks")

    def __str__(self) -> str:
        return f"{self.industry}: {self.outlook}"


class OutlookChange(models.Model):
    """One change of an industry's outlook or alarm, append-only: the outlook history."""

    industry = models.CharField(_("industry"), max_length=1, db_index=True)
    outlook = models.CharField(_("outlook"), max_length=12, choices=Outlook.choices)
    alarm = models.BooleanField(_("systemic alarm"), default=False)
    previous_outlook = models.CharField(_("previous outlook"), max_length=12, blank=True)
    previous_alarm = models.BooleanField(_("previous alarm"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=OutlookSource.choices, default=OutlookSource.MANUAL)
    changed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("outlook change")
        verbose_name_plural = _("outlook changes")


class Indicator(models.Model):
    """A key industry indicator (capacity utilisation, a price index, a policy measure) for one industry,
    nationally or for one region."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    industry = models.CharField(_("industry"), max_length=1, db_index=True)
    region = models.CharField(_("region"), max_length=6, blank=True, help_text=_("GB/T 2260 code; blank for the whole country."))
    unit = models.CharField(_("unit"), max_length=30)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    source = models.CharField(_("source"), max_length=120)
    direction = models.CharField(_("direction of risk"), max_length=6, choices=Direction.choices)
    warning_level = models.DecimalField(_("warning threshold"), max_digits=20, decimal_places=4, null=True, blank=True)
    alarm_level = models.DecimalField(_("alarm threshold"), max_digits=20, decimal_places=4, null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["industry", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="industry_indicator_name_region")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def breach(self, value) -> str | None:
        """'alarm', 'warning' or None: where `value` stands against the thresholds, on the risky side."""
        def beyond(level) -> bool:
            if level is None or value is None:
                return False
            return value <= level if self.direction == Direction.LOWER_IS_RISKIER else value >= level
        return "alarm" if beyond(self.alarm_level) else "warning" if beyond(self.warning_level) else None


class Observation(models.Model):
    """One released value of an indicator for one period (its last day)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations",
                                  verbose_name=_("indicator"))
    period = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=8, choices=ObservationSource.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["indicator", "period"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="industry_observation_period"),
                       models.CheckConstraint(condition=Q(source__in=ObservationSource.values),
                                              name="industry_observation_source")]
