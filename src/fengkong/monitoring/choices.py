"""Choices of the monitoring app, with translated labels and the colours the UI draws them in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.IntegerChoices):
    """The four zones of the article (§4); codes are the engine's (engine.book.ZONES)."""

    NORMAL = 0, _("Normal")
    ATTENTION = 1, _("Attention")
    WARNING = 2, _("Warning")
    DANGER = 3, _("Danger")


ZONE_COLOURS = {Zone.NORMAL: "#2e7d32", Zone.ATTENTION: "#f9a825", Zone.WARNING: "#ef6c00",
                Zone.DANGER: "#c62828"}


class AlertKind(models.TextChoices):
    ZONE_ATTENTION = "zone_attention", _("Entered the attention zone")
    ZONE_WARNING = "zone_warning", _("Entered the warning zone")
    ZONE_DANGER = "zone_danger", _("Entered the danger zone")
    LARGE_OVERDUE = "large_overdue", _("Large new overdue amount")
    UTILISATION_90 = "utilisation_90", _("Credit limit utilisation above 90%")
    UTILISATION_100 = "utilisation_100", _("Credit limit exceeded")
    GRADE_DOWNGRADE = "grade_downgrade", _("Credit grade downgraded")
    ESCALATION = "escalation", _("Alert not acknowledged in time")
    PROMISE_BROKEN = "promise_broken", _("Promise to pay broken")
    STRATEGY_STOP_SUPPLY = "strategy_stop_supply", _("Collection strategy: stop supply")
    STRATEGY_LEGAL = "strategy_legal", _("Collection strategy: legal referral")
    BILL_DISHONOURED = "bill_dishonoured", _("Acceptance bill dishonoured")


ZONE_ALERT_KINDS = {Zone.ATTENTION: AlertKind.ZONE_ATTENTION, Zone.WARNING: AlertKind.ZONE_WARNING,
                    Zone.DANGER: AlertKind.ZONE_DANGER}
KIND_ZONE = {kind: zone for zone, kind in ZONE_ALERT_KINDS.items()}


class AlertLevel(models.IntegerChoices):
    INFO = 1, _("Information")
    ATTENTION = 2, _("Attention")
    WARNING = 3, _("Warning")
    DANGER = 4, _("Danger")


LEVEL_COLOURS = {AlertLevel.INFO: "#1565c0", AlertLevel.ATTENTION: ZONE_COLOURS[Zone.ATTENTION],
                 AlertLevel.WARNING: ZONE_COLOURS[Zone.WARNING], AlertLevel.DANGER: ZONE_COLOURS[Zone.DANGER]}

KIND_LEVELS = {
    AlertKind.ZONE_ATTENTION: AlertLevel.ATTENTION, AlertKind.ZONE_WARNING: AlertLevel.WARNING,
    AlertKind.ZONE_DANGER: AlertLevel.DANGER, AlertKind.LARGE_OVERDUE: AlertLevel.WARNING,
    AlertKind.UTILISATION_90: AlertLevel.ATTENTION, AlertKind.UTILISATION_100: AlertLevel.WARNING,
    AlertKind.GRADE_DOWNGRADE: AlertLevel.WARNING, AlertKind.ESCALATION: AlertLevel.DANGER,
    AlertKind.PROMISE_BROKEN: AlertLevel.WARNING,
    AlertKind.STRATEGY_STOP_SUPPLY: AlertLevel.WARNING, AlertKind.STRATEGY_LEGAL: AlertLevel.DANGER,
    AlertKind.BILL_DISHONOURED: AlertLevel.DANGER,
}


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


OPEN_ALERT_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)
ALERT_STATUS_COLOURS = {AlertStatus.NEW: "#c62828", AlertStatus.ACKNOWLEDGED: "#f9a825",
                        AlertStatus.RESOLVED: "#2e7d32"}


class ActionKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    REMINDER_LETTER = "reminder_letter", _("Written reminder letter")
    LEGAL_REFERRAL = "legal_referral", _("Legal recovery referral")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTION_STATUS_COLOURS = {ActionStatus.OPEN: "#ef6c00", ActionStatus.DONE: "#2e7d32",
                         ActionStatus.CANCELLED: "#757575"}


class Dimension(models.TextChoices):
    """How the book is cut for the dashboard: the whole book, or per portfolio, industry, region."""

    TOTAL = "total", _("Whole book")
    PORTFOLIO = "portfolio", _("Portfolio")
    INDUSTRY = "industry", _("Industry")
    REGION = "region", _("Region (province)")
    REGION_INDUSTRY = "region_industry", _("Region × industry")
