"""The outbox: webhook channels, the in-app inbox and the delivery log.

Design decisions:
- Every message to every recipient on every channel is one `Delivery`, written in the transaction of the
  alert that caused it and unique per (alert, channel, recipient, template): raising the same alert twice
  queues nothing new. Its rendered message is stored on it, so the log shows exactly what was sent.
- Deliveries are sent after commit, each on its own: a worker claims one with a conditional UPDATE
  (pending -> sending), so two workers never send the same one, and one channel failing never holds up
  another. Failures are retried with exponential backoff, then marked failed, and stay visible.
- Secrets never enter the database: a webhook names the environment variable that holds its secret, and
  its URL may carry ${VAR} placeholders for access tokens.
"""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AlertDelivery,
    Audience,
    Channel,
    DeliveryStatus,
    Level,
    Template,
    WebhookKind,
    level_rank,
)
from .exceptions import ChannelMisconfigured

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def validate_webhook_url(value: str) -> None:
    """Only http(s) URLs, checked with any ${VAR} placeholders stood in for by a plain token."""
    if not value.startswith(("http://", "https://")):
        raise ValidationError(_("A webhook URL must start with http:// or https://."), code="scheme")
    URLValidator(schemes=["http", "https"])(PLACEHOLDER.sub("token", value))


def validate_env_name(value: str) -> None:
    if value and not ENV_NAME.match(value):
        raise ValidationError(_("Give the name of an environment variable, e.g. FENGKONG_DINGTALK_SECRET."))


def validate_audiences(value: str) -> None:
    unknown = [a for a in _split(value) if a not in Audience.values]
    if unknown:
        raise ValidationError(_("Unknown audiences: %(names)s"), params={"names": ", ".join(unknown)})


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class WebhookChannel(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=WebhookKind.choices, default=WebhookKind.GENERIC)
    url = models.CharField(
        _("URL"), max_length=500, validators=[validate_webhook_url],
        help_text=_("http(s) only. Put access tokens in the environment and write them as ${VAR}, "
                    "e.g. https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_TOKEN}."),
    )
    secret_env = models.CharField(
        _("secret environment variable"), max_length=100, blank=True, validators=[validate_env_name],
        help_text=_("The NAME of the environment variable holding the signing secret; never the secret."),
    )
    audiences = models.CharField(
        _("audiences"), max_length=200, default=Audience.MANAGER, validators=[validate_audiences],
        help_text=_("Comma-separated: customer, collector, legal, sales, manager."),
    )
    min_level = models.CharField(_("lowest level sent"), max_length=10, choices=Level.choices,
                                 default=Level.ATTENTION)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook channel")
        verbose_name_plural = _("webhook channels")
        constraints = [models.CheckConstraint(condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                                              name="webhook_url_is_http")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        self.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
        super().save(*args, **kwargs)

    def audience_list(self) -> list[str]:
        return _split(self.audiences)

    def serves(self, audience: str, level) -> bool:
        return self.active and audience in self.audience_list() and level_rank(level) >= level_rank(self.min_level)

    def secret(self) -> str:
        if not self.secret_env:
            return ""
        value = os.environ.get(self.secret_env, "")
        if not value:
            raise ChannelMisconfigured(f"environment variable {self.secret_env} (the secret) is not set")
        return value

    def target_url(self) -> str:
        def fill(match: re.Match) -> str:
            value = os.environ.get(match.group(1), "")
            if not value:
                raise ChannelMisconfigured(f"environment variable {match.group(1)} (in the URL) is not set")
            return value

        return PLACEHOLDER.sub(fill, self.url)


class InboxMessageQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if getattr(user, "is_authenticated", False) else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_count(self, user) -> int:
        return self.for_user(user).unread().count()

    def mark_read(self, user, ids=None) -> int:
        """Mark the user's messages read (all of them, or those in `ids`); returns how many changed."""
        rows = self.for_user(user).unread()
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        return rows.update(read_at=timezone.now())


class InboxMessage(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox",
                             verbose_name=_("user"))
    alert = models.ForeignKey("monitoring.Alert", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="inbox_messages", verbose_name=_("alert"))
    template = models.CharField(_("template"), max_length=30, choices=Template.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True,
                            help_text=_("The page the message is about, when it is not an alert."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = InboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["user", "alert", "template"], name="one_inbox_message")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now())

    def failed(self):
        return self.filter(status=DeliveryStatus.FAILED)


class Delivery(models.Model):
    alert = models.ForeignKey("monitoring.Alert", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="deliveries", verbose_name=_("alert"))
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="deliveries", verbose_name=_("digest"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    webhook = models.ForeignKey(WebhookChannel, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deliveries", verbose_name=_("webhook channel"))
    recipient = models.CharField(_("recipient"), max_length=254,
                                 help_text=_("An email address, user:<id> for the inbox, webhook:<id>."))
    template = models.CharField(_("template"), max_length=30, choices=Template.choices)
    message = models.JSONField(_("message"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        permissions = [("retry_delivery", "Can retry a failed delivery")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel", "recipient", "template"], name="one_delivery"),
            models.UniqueConstraint(fields=["digest", "channel", "recipient"], name="one_digest_delivery"),
            models.CheckConstraint(condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                                   name="sent_delivery_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_display()} → {self.recipient}"

    @property
    def subject(self) -> str:
        return (self.message or {}).get("subject", "")


class NotificationPreference(models.Model):
    """How one person receives the alerts routed to them: a daily digest (the default, also for a person
    without a row) or each alert on its own, as before the digest existed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    alerts = models.CharField(_("alerts"), max_length=10, choices=AlertDelivery.choices,
                              default=AlertDelivery.DIGEST)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_alerts_display()}"


class DigestQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if getattr(user, "is_authenticated", False) else self.none()


class Digest(models.Model):
    """One person's alerts of one business day, in one inbox message and one email (notifications.digests)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests",
                             verbose_name=_("user"))
    as_of = models.DateField(_("business date"))
    message = models.OneToOneField(InboxMessage, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="digest", verbose_name=_("inbox message"))
    stale = models.BooleanField(_("to be written"), default=True,
                                help_text=_("Alerts were added since its message was last written."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    written_at = models.DateTimeField(_("written"), null=True, blank=True)

    objects = DigestQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "user"]
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [models.UniqueConstraint(fields=["user", "as_of"], name="one_digest_per_person_and_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.as_of}"


class DigestEntry(models.Model):
    """One alert in one digest, with what the digest shows of it and of its customer on that day."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="entries", verbose_name=_("digest"))
    alert = models.ForeignKey("monitoring.Alert", on_delete=models.CASCADE, related_name="digest_entries",
                              verbose_name=_("alert"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    escalated = models.BooleanField(_("escalated"), default=False)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    zone = models.PositiveSmallIntegerField(_("zone"), default=0)
    overdue_amount = models.DecimalField(_("overdue amount"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["digest", "customer", "alert"]
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [models.UniqueConstraint(fields=["digest", "alert"], name="one_digest_entry_per_alert")]
