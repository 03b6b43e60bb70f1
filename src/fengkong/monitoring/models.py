"""Monitoring state: the versioned policy, monitored days, snapshots for trends, item zones, alerts, actions.

Design decisions:
- Snapshots are written by the daily risk cycle in bulk and only read by pages; one row per
  (as_of, customer) and per (as_of, dimension, key), so the cycle can rewrite a day idempotently.
- The seven bucket columns follow the report edges of the policy the day used (MonitoringDay.edges); with
  the default edges they are current, 1-30, 31-60, 61-90, 91-180, 181-365 and over 365 days overdue.
- ItemZone holds only items in a zone above normal: what the next run compares against to find new
  transitions. An item that is paid or falls back to normal loses its row.
- Alerts are deduplicated by `dedup_key` (unique): the cycle inserts with ON CONFLICT DO NOTHING and
  claims an alert's side effects with a conditional UPDATE of `dispatched_at`, so a second run or a
  second worker never sends twice.
- Policies are immutable: a change is a new version (actions.publish_policy).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import money_field
from fengkong.core.permissions import scope

from . import policy as policy_module
from .choices import (
    OPEN_ALERT_STATUSES,
    ActionKind,
    ActionStatus,
    AlertKind,
    AlertLevel,
    AlertStatus,
    Dimension,
    Zone,
)

BUCKET_FIELDS = tuple(f"bucket_{i}" for i in range(policy_module.REPORT_BUCKETS))
ZONE_FIELDS = ("zone_normal", "zone_attention", "zone_warning", "zone_danger")


class MonitoringPolicy(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("settings"))
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("published by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("monitoring policy")
        verbose_name_plural = _("monitoring policies")
        permissions = [("publish_policy", "Can publish a new monitoring policy version")]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a monitoring policy version is immutable; publish a new version instead")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> MonitoringPolicy:
        """The latest published version; before any is published, the article's defaults as version 0."""
        return cls.objects.order_by("-version").first() or cls(version=0, config=policy_module.defaults(),
                                                                note="built-in defaults")

    def parsed(self) -> policy_module.Policy:
        return policy_module.parse(self.config, self.version)


class MonitoringDayQuerySet(models.QuerySet):
    def latest_as_of(self):
        return self.aggregate(latest=Max("as_of"))["latest"]

    def before(self, as_of) -> MonitoringDay | None:
        """The last monitored day before `as_of` (what is "new" since then)."""
        return self.filter(as_of__lt=as_of).order_by("-as_of").first()


class MonitoringDay(models.Model):
    """A business date whose monitoring is complete: snapshots, zones, alerts and their records.

    Written by the last monitoring step of the night (monitoring.nightly), so pages read only days whose
    steps all finished. It keeps the policy version and the report bucket edges the day was aged with, so
    a report of that day is labelled with its own edges.
    """

    as_of = models.DateField(_("as of"), unique=True)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    edges = models.JSONField(_("report bucket edges"), default=list)
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)

    objects = MonitoringDayQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("monitored day")
        verbose_name_plural = _("monitored days")

    def __str__(self) -> str:
        return str(self.as_of)


class BucketAmounts(models.Model):
    bucket_0 = money_field(_("current"), default=0)
    bucket_1 = money_field(_("1-30 days"), default=0)
    bucket_2 = money_field(_("31-60 days"), default=0)
    bucket_3 = money_field(_("61-90 days"), default=0)
    bucket_4 = money_field(_("91-180 days"), default=0)
    bucket_5 = money_field(_("181-365 days"), default=0)
    bucket_6 = money_field(_("over 365 days"), default=0)
    open_amount = money_field(_("open receivables"), default=0)
    overdue_amount = money_field(_("overdue"), default=0)
    open_orders = money_field(_("open sales orders"), default=0)
    exposure = money_field(_("exposure"), default=0)

    class Meta:
        abstract = True

    def buckets(self) -> list:
        return [getattr(self, f) for f in BUCKET_FIELDS]


class CustomerSnapshotQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def latest_as_of(self):
        return MonitoringDay.objects.latest_as_of()

    def latest(self):
        """Every customer's snapshot of the latest completed cycle."""
        return self.filter(as_of=self.latest_as_of())

    def latest_for(self, customer) -> CustomerSnapshot | None:
        return self.filter(customer=customer).order_by("-as_of").first()

    def history(self, customer):
        return self.filter(customer=customer).order_by("as_of")


class CustomerSnapshot(BucketAmounts):
    as_of = models.DateField(_("as of"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="snapshots",
                                 verbose_name=_("customer"))
    open_items = models.PositiveIntegerField(_("open items"), default=0)
    max_days_overdue = models.IntegerField(_("most days overdue"), default=0)
    zone = models.PositiveSmallIntegerField(_("zone"), choices=Zone.choices, default=Zone.NORMAL)

    objects = CustomerSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "customer"]
        verbose_name = _("customer aging snapshot")
        verbose_name_plural = _("customer aging snapshots")
        constraints = [models.UniqueConstraint(fields=["as_of", "customer"], name="one_snapshot_per_customer_day")]
        indexes = [models.Index(fields=["customer", "as_of"]), models.Index(fields=["as_of", "zone"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.as_of}"


class BookSnapshotQuerySet(models.QuerySet):
    def trend(self, dimension: str = Dimension.TOTAL, key: str = ""):
        return self.filter(dimension=dimension, key=key).order_by("as_of")

    def latest(self, dimension: str = Dimension.TOTAL):
        return self.filter(dimension=dimension, as_of=CustomerSnapshot.objects.latest_as_of())


class BookSnapshot(BucketAmounts):
    """The book (or one slice: a portfolio, industry, province, province × industry) on one day."""

    as_of = models.DateField(_("as of"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=40, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    overdue_customers = models.PositiveIntegerField(_("customers overdue"), default=0)
    zone_normal = money_field(_("normal zone"), default=0)
    zone_attention = money_field(_("attention zone"), default=0)
    zone_warning = money_field(_("warning zone"), default=0)
    zone_danger = money_field(_("danger zone"), default=0)

    objects = BookSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "dimension", "key"]
        verbose_name = _("book aging snapshot")
        verbose_name_plural = _("book aging snapshots")
        constraints = [models.UniqueConstraint(fields=["as_of", "dimension", "key"], name="one_book_snapshot")]
        indexes = [models.Index(fields=["dimension", "key", "as_of"])]

    def __str__(self) -> str:
        return f"{self.as_of} {self.dimension} {self.key}"


class ItemZone(models.Model):
    """The zone an open item was in at the last cycle (only items above normal are kept)."""

    invoice = models.OneToOneField("receivables.Invoice", primary_key=True, on_delete=models.CASCADE,
                                   related_name="zone_state", verbose_name=_("invoice"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("customer"))
    zone = models.PositiveSmallIntegerField(_("zone"), choices=Zone.choices)
    since = models.DateField(_("in this zone since"))
    days_overdue = models.IntegerField(_("days overdue at the last cycle"))

    class Meta:
        verbose_name = _("item zone")
        verbose_name_plural = _("item zones")


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ALERT_STATUSES)

    def for_user(self, user):
        return scope(self, user)

    def zone_alerts(self):
        return self.filter(kind__in=[AlertKind.ZONE_ATTENTION, AlertKind.ZONE_WARNING, AlertKind.ZONE_DANGER])

    def unacknowledged_since(self, day):
        return self.filter(status=AlertStatus.NEW, as_of__lte=day)

    def by_level(self):
        return self.order_by().values("level").annotate(n=models.Count("pk")).order_by("-level")


class Alert(models.Model):
    dedup_key = models.CharField(_("deduplication key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=AlertLevel.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="alerts",
                                 verbose_name=_("customer"))
    invoice = models.ForeignKey("receivables.Invoice", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="alerts", verbose_name=_("invoice"))
    as_of = models.DateField(_("as of"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("acknowledged by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("tasks and flags written"), null=True, blank=True)
    notified_at = models.DateTimeField(_("messages queued"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    details = models.JSONField(_("details"), default=dict)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [("acknowledge_alert", "Can acknowledge an alert"), ("resolve_alert", "Can resolve an alert")]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["customer", "status"]),
                   models.Index(fields=["as_of"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status=AlertStatus.RESOLVED) | Q(resolved_at__isnull=False),
                                   name="resolved_alert_has_time"),
            models.CheckConstraint(condition=~Q(status=AlertStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                                   name="acknowledged_alert_has_time"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ALERT_STATUSES


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def for_user(self, user):
        return scope(self, user)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)


class ActionItem(models.Model):
    """A task for a person that an alert started: a phone call, a reminder letter, a legal referral."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="action_items",
                                 verbose_name=_("customer"))
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("alert"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="monitoring_actions", verbose_name=_("assigned to"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    due_date = models.DateField(_("due"))
    document = models.CharField(_("document"), max_length=300, blank=True,
                                help_text=_("Path of the generated document under the media directory."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("done by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [models.UniqueConstraint(fields=["alert", "kind"], name="one_action_per_alert_kind")]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id}"


class StopSupplyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_user(self, user):
        return scope(self, user)


class StopSupply(models.Model):
    """Do not ship to this customer: set when it enters the danger zone, lifted by a risk manager."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="stop_supply",
                                    verbose_name=_("customer"))
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"))
    reason = models.CharField(_("reason"), max_length=200)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("alert"))
    flagged_at = models.DateTimeField(_("flagged"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("lifted by"))
    lift_reason = models.CharField(_("why lifted"), max_length=200, blank=True)

    objects = StopSupplyQuerySet.as_manager()

    class Meta:
        ordering = ["-since"]
        verbose_name = _("stop-supply flag")
        verbose_name_plural = _("stop-supply flags")
        permissions = [("lift_stopsupply", "Can lift a stop-supply flag")]

    def __str__(self) -> str:
        return f"{self.customer_id} {'active' if self.active else 'lifted'}"
