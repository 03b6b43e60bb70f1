"""The evidence store: files kept once by their SHA-256, the items that link them to what they prove, and
the ledger that chains every item so that a change to a file, a row or the order shows.

Design decisions:
- A file (`EvidenceFile`) is stored once under its SHA-256 (content addressing): a second upload of the
  same bytes is a second `EvidenceItem` linking the same file. Files are never overwritten or deleted; a
  retention rule can only mark an item (`retention_marked_at`).
- An item belongs to a customer (portfolio scoping) and may name an invoice and one more object of any app
  (`subject`: a collection case, a contact, a dispute, a legal case) through a generic relation, so the apps
  above attach their files here without this app knowing them.
- Every item is appended to the ledger (`LedgerEntry`) in the transaction that stores it: the entry keeps
  the item's content as it was (what verify compares with the row) and its hash covers that content and the
  previous entry's hash. `EvidenceAnchor` rows are the chain's head signed with Ed25519 (evidence.ledger).
- Items, entries and anchors refuse updates (but the retention mark) and deletes in the model.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.permissions import scope

from .choices import EvidenceSource

RETENTION_FIELDS = {"retention_marked_at", "retention_marked_by", "retention_note"}


class AppendOnly(models.Model):
    """Rows that are written once: a save of a stored row may change only `MUTABLE`, a delete never."""

    MUTABLE: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if not self._state.adding and not (fields and set(fields) <= self.MUTABLE):
            raise PermissionError(f"{self._meta.verbose_name} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name} rows are never deleted")


class EvidenceFile(AppendOnly):
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("size (bytes)"))
    mime = models.CharField(_("type"), max_length=120)
    name = models.CharField(_("stored as"), max_length=200, unique=True)
    stored_at = models.DateTimeField(_("stored"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="evidence_file_not_empty")]

    def __str__(self) -> str:
        return self.sha256


class EvidenceItemQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope(self, user)

    def of_subject(self, subject):
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))


class EvidenceItem(AppendOnly):
    MUTABLE = frozenset(RETENTION_FIELDS)

    file = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="items", verbose_name=_("file"))
    title = models.CharField(_("name"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=EvidenceSource.choices)
    shows = models.TextField(_("what it shows"), blank=True)
    occurred_on = models.DateField(_("date"), null=True, blank=True,
                                   help_text=_("When the call, letter, meeting or visit took place."))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="evidence",
                                 verbose_name=_("customer"))
    invoice = models.ForeignKey("receivables.Invoice", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="evidence", verbose_name=_("invoice"))
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    subject_id = models.CharField(max_length=40, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("stored by"))
    created_at = models.DateTimeField(_("stored"), default=timezone.now)
    retention_marked_at = models.DateTimeField(_("marked for retention review"), null=True, blank=True)
    retention_marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    retention_note = models.CharField(_("retention note"), max_length=300, blank=True)

    objects = EvidenceItemQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        permissions = [("store_evidence", "Can store evidence"), ("verify_evidence", "Can verify the evidence"),
                       ("export_evidence", "Can export a court bundle"),
                       ("mark_retention", "Can mark evidence for retention review")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class LedgerEntry(AppendOnly):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    item = models.OneToOneField(EvidenceItem, on_delete=models.PROTECT, related_name="entry")
    at = models.DateTimeField(_("time"))
    content = models.JSONField(_("content"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("evidence ledger entry")
        verbose_name_plural = _("evidence ledger")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class EvidenceAnchor(AppendOnly):
    seq = models.BigIntegerField(_("sequence"))
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed"))
    public_key = models.CharField(_("public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("evidence anchor")
        verbose_name_plural = _("evidence anchors")

    def __str__(self) -> str:
        return f"#{self.seq} {self.signed_at:%Y-%m-%d}"
