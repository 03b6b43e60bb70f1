"""Collections state: the versioned policy, one open case per customer with overdue money, its timeline,
contacts with their attachments, promises to pay and disputes.

Design decisions:
- A case groups a customer's overdue items; the daily cycle opens, updates and closes it (nightly.py), so
  its amounts are those of the last night. At most one case per customer is open: a partial unique
  constraint, so two workers opening the same case store one.
- The case's amounts are the chase: overdue money less what is in open disputes. The disputed part is
  shown beside them and stays in exposure and aging (monitoring reads the ledger, not the case).
- A promise lists the invoices it covers (chosen oldest first when the customer named none), and what they
  owed when it was taken; the night judges it from the allocations of receipts to those invoices dated from
  the day it was taken to its date plus the policy's tolerance. Judging is a conditional UPDATE from
  pending, so a second or resumed run judges nothing twice.
- A dispute holds an amount per invoice (a part of it, or all that is open); an invoice with an open
  dispute is flagged `disputed` on the ledger, which is what the letters and the chase leave out.
- The timeline (CaseEvent) is append-only, one row per event, as Saleor's order events.
- Attachments are a plain table of stored files (name, size, SHA-256) that the evidence store can adopt.
- An instalment plan is a schedule of instalments; once approved each instalment is a promise to pay (its
  `promise`), so the night judges it as it judges any promise, with the same tolerance, and it counts in the
  promise reliability and holds dunning while pending. At most one plan per customer is proposed or followed
  (a partial unique constraint); the proposer never decides it (a check constraint as well as the action).
- A commercial acceptance bill settles the invoices it was handed over for by its allocations (BillAllocation):
  while the bill is held, presented or paid, what the allocations hold is taken out of the invoices' open
  amounts wherever collections reads what is owed (the case's chase, a promise's or plan's cover, another
  bill's), as an open dispute is; the ledger's open amount itself is the ERP's and is not touched. A
  dishonoured bill's allocations stop counting, so the next night's case sees the debt again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import money_field
from fengkong.core.permissions import scope, sees_all

from . import policy as policy_module
from .choices import (
    FOLLOWED_PLAN,
    LIVE_PLAN,
    SETTLING_BILL,
    Behaviour,
    BillFlag,
    BillStatus,
    CasePromise,
    CaseStatus,
    Channel,
    ContactSource,
    DisputeReason,
    DisputeResolution,
    DisputeStatus,
    DisputeTeam,
    DunningLevel,
    EventKind,
    LetterChannel,
    LetterLanguage,
    LetterStatus,
    Outcome,
    PlanLevel,
    PlanStatus,
    PromiseState,
)

User = settings.AUTH_USER_MODEL


class CollectionsPolicy(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    config = models.JSONField(_("settings"))
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("published by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("collections policy")
        verbose_name_plural = _("collections policies")
        permissions = [("publish_policy", "Can publish a new collections policy version")]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a collections policy version is immutable; publish a new version instead")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> CollectionsPolicy:
        """The latest published version; before any is published, the defaults as version 0."""
        return cls.objects.order_by("-version").first() or cls(version=0, config=policy_module.defaults(),
                                                                note="built-in defaults")

    def parsed(self) -> policy_module.Policy:
        return policy_module.parse(self.config, self.version)


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CaseStatus.OPEN)

    def for_user(self, user):
        return scope(self, user)

    def by_priority(self):
        """The worklist's order, stated on the page: expected loss, zone, broken promises, next action due."""
        return self.order_by(F("expected_loss").desc(), F("zone").desc(), F("broken_promises").desc(),
                             F("next_action_on").asc(nulls_last=True), "pk")


class CollectionCase(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="collection_cases",
                                 verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="collection_cases",
                              verbose_name=_("owner"))
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    updated_on = models.DateField(_("figures as of"))
    strategy = models.CharField(_("strategy"), max_length=40, default="standard")
    step = models.PositiveSmallIntegerField(_("strategy step"), default=0)
    next_action_on = models.DateField(_("next action"), null=True, blank=True)
    zone = models.PositiveSmallIntegerField(_("zone"), default=0)
    max_days_overdue = models.IntegerField(_("most days overdue"), default=0)
    overdue_items = models.PositiveIntegerField(_("overdue invoices"), default=0)
    amount_normal = money_field(_("overdue, normal zone"), default=0)
    amount_attention = money_field(_("attention zone"), default=0)
    amount_warning = money_field(_("warning zone"), default=0)
    amount_danger = money_field(_("danger zone"), default=0)
    overdue_amount = money_field(_("overdue amount to chase"), default=0)
    disputed_amount = money_field(_("in dispute"), default=0)
    expected_loss = money_field(_("expected loss"), default=0)
    promise_status = models.CharField(_("promise status"), max_length=16, choices=CasePromise.choices,
                                      default=CasePromise.NONE)
    broken_promises = models.PositiveIntegerField(_("broken promises"), default=0)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    # the strategy's segment (strategies.py): the behaviour the collector set, and since when the step stands
    behaviour = models.CharField(_("behaviour"), max_length=16, choices=Behaviour.choices, default=Behaviour.UNKNOWN)
    behaviour_reason = models.CharField(_("why this behaviour"), max_length=300, blank=True)
    behaviour_set_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("behaviour set by"))
    behaviour_set_on = models.DateField(_("behaviour set on"), null=True, blank=True)
    step_since = models.DateField(_("on this step since"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-expected_loss", "-zone", "pk"]
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        permissions = [("take_case", "Can take an unowned collection case"),
                       ("reassign_case", "Can reassign collection cases"),
                       ("set_behaviour", "Can set a collection case's behaviour (chooses its strategy)"),
                       ("view_performance", "Can read one's own collector performance and the team's totals"),
                       ("view_team_performance", "Can read every collector's performance")]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status=CaseStatus.OPEN),
                                    name="one_open_case_per_customer"),
            models.CheckConstraint(condition=~Q(status=CaseStatus.CLOSED) | Q(closed_on__isnull=False),
                                   name="closed_case_has_date"),
        ]
        indexes = [models.Index(fields=["status", "owner"]), models.Index(fields=["status", "-expected_loss"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    def zone_amounts(self) -> list:
        return [self.amount_normal, self.amount_attention, self.amount_warning, self.amount_danger]


class CaseEvent(models.Model):
    """One thing that happened to a case (append-only): the case page's timeline."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="events",
                             verbose_name=_("case"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    params = models.JSONField(_("details"), default=dict)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("by"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "-at"])]


class ContactQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)


class Contact(models.Model):
    """A call, visit, email, message or letter to a customer, and what came of it."""

    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="contacts", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="collection_contacts",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    person = models.CharField(_("contact person"), max_length=80, blank=True)
    at = models.DateTimeField(_("time"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    logged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("logged by"))
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)
    source = models.CharField(_("source"), max_length=8, choices=ContactSource.choices, default=ContactSource.WEB)
    external_id = models.CharField(_("call record id"), max_length=80, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["customer", "-at"])]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], condition=~Q(external_id=""),
                                               name="one_contact_per_call_record")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d %H:%M}"


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user, "case__customer")


class Attachment(models.Model):
    """A stored file on a case or contact (a letter, a recording); the evidence store can adopt these rows."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="attachments",
                             verbose_name=_("case"))
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="attachments", verbose_name=_("contact"))
    file = models.FileField(_("file"), upload_to="collections/attachments/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class PromiseQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def pending(self):
        return self.filter(state=PromiseState.PENDING)


class PromiseToPay(models.Model):
    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="promises", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="promises_to_pay",
                                 verbose_name=_("customer"))
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises",
                                verbose_name=_("contact"))
    amount = money_field(_("amount promised"))
    due_date = models.DateField(_("promised date"))
    taken_on = models.DateField(_("taken on"))
    invoices = models.ManyToManyField("receivables.Invoice", related_name="promises", verbose_name=_("invoices"))
    oldest_first = models.BooleanField(_("oldest invoices first"), default=False,
                                       help_text=_("The customer named no invoices: the oldest open ones are covered."))
    owed_at_promise = money_field(_("owed on the covered invoices when taken"))
    state = models.CharField(_("state"), max_length=16, choices=PromiseState.choices, default=PromiseState.PENDING)
    paid_amount = money_field(_("paid by the promised date"), default=0)
    evaluated_on = models.DateField(_("judged on"), null=True, blank=True)
    tolerance_days = models.PositiveSmallIntegerField(_("tolerance (days)"), default=0)
    tolerance_amount = money_field(_("tolerance (amount)"), default=0)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    taken_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("taken by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["-due_date", "-pk"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        indexes = [models.Index(fields=["state", "due_date"]), models.Index(fields=["customer", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(condition=Q(amount__lte=F("owed_at_promise")), name="promise_within_owed"),
            models.CheckConstraint(condition=Q(due_date__gte=F("taken_on")), name="promise_not_in_the_past"),
            models.CheckConstraint(condition=Q(state=PromiseState.PENDING) | Q(evaluated_on__isnull=False),
                                   name="judged_promise_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} by {self.due_date}"

    def judged_after(self):
        """The first day the night judges it: the promised date plus the tolerance, passed."""
        from datetime import timedelta

        return self.due_date + timedelta(days=self.tolerance_days + 1)


class DisputeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DisputeStatus.OPEN)

    def for_user(self, user):
        """Collectors and the credit team see their portfolio's disputes (everybody's with the whole book);
        a dispute's owner outside collections (sales, quality, warehouse) sees the disputes given to them."""
        if not (user and user.is_authenticated and user.is_active and user.has_perm("collections.view_dispute")):
            return self.none()
        if sees_all(user):
            return self
        if user.has_perm("collections.view_collectioncase"):
            return self.filter(Q(customer__portfolio__members=user) | Q(owner=user)).distinct()
        return self.filter(owner=user)


class Dispute(models.Model):
    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="disputes", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="disputes",
                                 verbose_name=_("customer"))
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes",
                                verbose_name=_("contact"))
    reason = models.CharField(_("reason"), max_length=20, choices=DisputeReason.choices)
    description = models.TextField(_("what the customer says"), max_length=2000, blank=True)
    team = models.CharField(_("answered by"), max_length=10, choices=DisputeTeam.choices)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_disputes",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    opened_on = models.DateField(_("opened"))
    due_date = models.DateField(_("due"))
    resolution = models.CharField(_("resolution"), max_length=20, choices=DisputeResolution.choices, blank=True)
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=200, blank=True)
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("resolved by"))
    opened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        permissions = [("resolve_dispute", "Can resolve a dispute")]
        indexes = [models.Index(fields=["status", "owner"]), models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status=DisputeStatus.OPEN) | (
                Q(resolved_on__isnull=False) & ~Q(resolution="")), name="resolved_dispute_has_resolution"),
            models.CheckConstraint(condition=Q(due_date__gte=F("opened_on")), name="dispute_due_after_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.customer_id}"

    def total(self):
        return self.items.aggregate(total=Sum("amount"))["total"] or 0


class DisputeItem(models.Model):
    """The part of one invoice a dispute holds."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="items", verbose_name=_("dispute"))
    invoice = models.ForeignKey("receivables.Invoice", on_delete=models.PROTECT, related_name="dispute_items",
                                verbose_name=_("invoice"))
    amount = money_field(_("amount in dispute"))

    class Meta:
        verbose_name = _("disputed invoice")
        verbose_name_plural = _("disputed invoices")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "invoice"], name="one_item_per_disputed_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disputed_amount_positive"),
        ]


# --- dunning (collections.dunning) -------------------------------------------------------------------
# A letter is written from the day's figures each time it is sent or downloaded, and both files (DOCX, PDF)
# are kept in the evidence store; the row is the dunning log: what was listed, to whom, how, and whether it
# arrived. A pause holds every letter and monitoring's automatic reminders until its end date.

class DunningLetterQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def sent(self):
        return self.filter(status__in=["sent", "delivered"])


class DunningLetter(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="dunning_letters",
                                 verbose_name=_("customer"))
    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="letters", verbose_name=_("case"))
    level = models.CharField(_("level"), max_length=8, choices=DunningLevel.choices)
    language = models.CharField(_("language"), max_length=8, choices=LetterLanguage.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=LetterChannel.choices)
    as_of = models.DateField(_("figures as of"))
    reference = models.CharField(_("reference"), max_length=60)
    totals = models.JSONField(_("total listed"), default=dict, help_text=_("Currency -> amount listed."))
    items = models.JSONField(_("invoices listed"), default=list)
    recipient = models.CharField(_("sent to"), max_length=254, blank=True)
    ems_number = models.CharField(_("EMS number"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices,
                              default=LetterStatus.GENERATED)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    docx = models.ForeignKey("evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("Word file"))
    pdf = models.ForeignKey("evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+", verbose_name=_("PDF file"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("by"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = DunningLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dunning letter")
        verbose_name_plural = _("dunning letters")
        permissions = [("send_dunning", "Can send and download dunning letters"),
                       ("send_final_demand", "Can send a final demand (lawyer's letter)")]
        indexes = [models.Index(fields=["customer", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(channel="post") | ~Q(ems_number=""), name="posted_letter_has_ems"),
            models.CheckConstraint(condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                                   name="delivered_letter_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.customer_id} {self.as_of}"

    def totals_text(self) -> str:
        return "; ".join(f"{amount} {currency}" for currency, amount in sorted(self.totals.items()))


class DunningPauseQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def active(self, day):
        """Pauses holding dunning on `day`: not ended, and `day` no later than their end date."""
        return self.filter(ended_at__isnull=True, until__gte=day)


class DunningPause(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="dunning_pauses",
                                 verbose_name=_("customer"))
    reason = models.CharField(_("reason"), max_length=300)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("paused by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("ended by"))

    objects = DunningPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "-pk"]
        verbose_name = _("dunning pause")
        verbose_name_plural = _("dunning pauses")
        permissions = [("pause_dunning", "Can pause and resume dunning")]
        constraints = [
            models.CheckConstraint(condition=Q(until__gte=F("since")), name="pause_ends_after_start"),
            models.CheckConstraint(condition=~Q(reason=""), name="pause_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.since}–{self.until}"


# --- instalment plans (collections.plans) ------------------------------------------------------------

class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def followed(self):
        """Approved plans the night follows (approved, on track): dunning waits while one is."""
        return self.filter(status__in=FOLLOWED_PLAN)


class InstalmentPlan(models.Model):
    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="plans", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="instalment_plans",
                                 verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    amount = money_field(_("amount covered"))
    owed_at_proposal = money_field(_("owed on the covered invoices when proposed"))
    invoices = models.ManyToManyField("receivables.Invoice", related_name="instalment_plans",
                                      verbose_name=_("invoices"))
    oldest_first = models.BooleanField(_("oldest invoices first"), default=False)
    level = models.CharField(_("approval level"), max_length=20, choices=PlanLevel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_on = models.DateField(_("proposed on"))
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True,
                              help_text=_("Why the plan was rejected or cancelled."))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        permissions = [("approve_plan", "Can approve an instalment plan (collections manager's level)"),
                       ("approve_large_plan", "Can approve an instalment plan of any amount (risk manager's level)")]
        indexes = [models.Index(fields=["status", "customer"])]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status__in=LIVE_PLAN),
                                    name="one_live_plan_per_customer"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_amount_positive"),
            models.CheckConstraint(condition=Q(amount__lte=F("owed_at_proposal")), name="plan_within_owed"),
            models.CheckConstraint(condition=~Q(decided_by=F("proposed_by")), name="plan_not_decided_by_proposer"),
            models.CheckConstraint(condition=~Q(status__in=[PlanStatus.REJECTED, PlanStatus.CANCELLED]) | ~Q(reason=""),
                                   name="plan_refused_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.amount} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLAN


class Instalment(models.Model):
    """One due date and amount of a plan; approved, it is judged through its promise to pay."""

    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE, related_name="instalments",
                             verbose_name=_("instalment plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = money_field(_("amount"))
    promise = models.OneToOneField(PromiseToPay, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="instalment", verbose_name=_("promise to pay"))

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_instalment_per_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.amount} by {self.due_date}"

    @property
    def state(self) -> str:
        """The promise's state once approved; "scheduled" before."""
        return self.promise.state if self.promise_id else "scheduled"


# --- commercial acceptance bills (collections.bills) -------------------------------------------------

class BillQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def settling(self):
        """Bills whose allocations settle their invoices: held, presented or paid."""
        return self.filter(status__in=SETTLING_BILL)


class AcceptanceBill(models.Model):
    """A commercial acceptance bill (商业承兑汇票) the customer handed over for its debt."""

    number = models.CharField(_("bill number"), max_length=40, unique=True)
    case = models.ForeignKey(CollectionCase, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="bills", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="acceptance_bills",
                                 verbose_name=_("drawer (customer)"))
    acceptor_name = models.CharField(_("acceptor"), max_length=200)
    acceptor_uscc = models.CharField(_("acceptor's unified social credit code"), max_length=18, blank=True)
    amount = money_field(_("amount"))
    issue_date = models.DateField(_("issue date"))
    maturity_date = models.DateField(_("maturity date"))
    endorsers = models.JSONField(_("endorsements"), default=list, blank=True,
                                 help_text=_("The endorsers in order, first to last."))
    status = models.CharField(_("status"), max_length=12, choices=BillStatus.choices, default=BillStatus.HELD)
    flag = models.CharField(_("flag"), max_length=12, choices=BillFlag.choices, default=BillFlag.NONE, blank=True)
    flagged_on = models.DateField(_("flagged on"), null=True, blank=True)
    oldest_first = models.BooleanField(_("oldest invoices first"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))
    presented_on = models.DateField(_("presented on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("closed by"))
    reason = models.CharField(_("reason"), max_length=300, blank=True,
                              help_text=_("Why the acceptor dishonoured the bill (拒付理由)."))
    policy_version = models.PositiveIntegerField(_("policy version"), default=0)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = BillQuerySet.as_manager()

    class Meta:
        ordering = ["maturity_date", "pk"]
        verbose_name = _("acceptance bill")
        verbose_name_plural = _("acceptance bills")
        indexes = [models.Index(fields=["status", "maturity_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_amount_positive"),
            models.CheckConstraint(condition=Q(maturity_date__gt=F("issue_date")), name="bill_matures_after_issue"),
            models.CheckConstraint(condition=~Q(status=BillStatus.DISHONOURED) | ~Q(reason=""),
                                   name="bill_dishonoured_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount} ({self.status})"

    @property
    def settles(self) -> bool:
        return self.status in SETTLING_BILL


class BillAllocation(models.Model):
    """What a bill settles of one invoice."""

    bill = models.ForeignKey(AcceptanceBill, on_delete=models.CASCADE, related_name="allocations",
                             verbose_name=_("acceptance bill"))
    invoice = models.ForeignKey("receivables.Invoice", on_delete=models.PROTECT, related_name="bill_allocations",
                                verbose_name=_("invoice"))
    amount = money_field(_("amount"))

    class Meta:
        ordering = ["bill", "pk"]
        verbose_name = _("bill allocation")
        verbose_name_plural = _("bill allocations")
        constraints = [
            models.UniqueConstraint(fields=["bill", "invoice"], name="one_bill_allocation_per_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bill_id} → {self.invoice_id}: {self.amount}"
