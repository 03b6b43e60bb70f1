"""Audiences, channels, delivery states, message templates and alert levels, with their labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    COLLECTOR = "collector", _("Collector")
    LEGAL = "legal", _("Legal officers")
    SALES = "sales", _("Sales and supply chain")
    MANAGER = "manager", _("Manager")


class Level(models.TextChoices):
    """The alert levels of monitoring.Alert, in rising order; a webhook's min_level compares on this order."""

    INFO = "info", _("Info")
    ATTENTION = "attention", _("Attention")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Danger")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}
LEVEL_COLOURS = {Level.INFO: "blue", Level.ATTENTION: "yellow", Level.WARNING: "orange", Level.DANGER: "red"}


# monitoring.AlertLevel stores levels as integers 1..4 in the same order.
_LEVEL_BY_NUMBER = dict(enumerate(Level.values, start=1))


def level_name(level) -> str:
    """'danger' from 'danger', 4 or AlertLevel.DANGER; unknown levels count as info."""
    if isinstance(level, int):
        return _LEVEL_BY_NUMBER.get(int(level), Level.INFO.value)
    return str(level) if str(level) in LEVEL_RANK else Level.INFO.value


def level_rank(level) -> int:
    return LEVEL_RANK[level_name(level)]


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app inbox")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class WebhookKind(models.TextChoices):
    GENERIC = "generic", _("Generic JSON")
    WECOM = "wecom", _("WeCom robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk robot (钉钉)")
    FEISHU = "feishu", _("Feishu bot (飞书)")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Template(models.TextChoices):
    """Message templates: templates/notifications/<language>/<name>.txt."""

    OVERDUE_REMINDER = "overdue_reminder", _("Overdue reminder to the customer")
    COLLECTOR_NOTICE = "collector_notice", _("Notice to the collector")
    PHONE_TASK = "phone_task", _("Phone-call task")
    REMINDER_LETTER = "reminder_letter", _("Written reminder letter")
    LEGAL_REFERRAL = "legal_referral", _("Legal-recovery referral")
    STOP_SUPPLY = "stop_supply", _("Stop supply")
    LIMIT_UTILISATION = "limit_utilisation", _("Credit limit utilisation")
    LARGE_OVERDUE = "large_overdue", _("Large new overdue amount")
    ESCALATION = "escalation", _("Unacknowledged alert escalated")
    PROMISE_BROKEN = "promise_broken", _("Promise to pay broken")
    # credit work, in-app only (outbox.tell): no alert behind them
    APPROVAL_REQUEST = "approval_request", _("Approval requested")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    RISK_FEEDBACK = "risk_feedback", _("Risk feedback from sales")
    CREDIT_REVIEW = "credit_review", _("Credit review")
    LEGAL_DEADLINE = "legal_deadline", _("Legal deadline")
    DISPUTE_ASSIGNED = "dispute_assigned", _("Dispute to answer")
    # one per person and business day, listing that day's alerts by customer (notifications.digests)
    ALERT_DIGEST = "alert_digest", _("Daily alert digest")


# Templates of messages written by outbox.tell: inbox only, title and body given by the caller, no file.
INBOX_ONLY = frozenset({Template.APPROVAL_REQUEST, Template.APPROVAL_DECIDED, Template.RISK_FEEDBACK,
                        Template.CREDIT_REVIEW, Template.LEGAL_DEADLINE, Template.DISPUTE_ASSIGNED})
ALERT_TEMPLATES = tuple(t for t in Template.values if t not in INBOX_ONLY and t != Template.ALERT_DIGEST)


class AlertDelivery(models.TextChoices):
    """How a person receives the alerts routed to them (NotificationPreference)."""

    DIGEST = "digest", _("One digest a day, grouped by customer")
    EACH = "each", _("Each alert as it is raised")


# The zones of monitoring.Zone (0..3) as a digest shows a customer's zone of the day.
ZONE_LABELS = {0: _("Normal"), 1: _("Attention"), 2: _("Warning"), 3: _("Danger")}
