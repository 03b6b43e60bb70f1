"""The record of every import: who, when, which file (SHA-256), what happened, and its problems; and the
sources files come from, which an administrator may mark trusted (dual review, docs/dual-review.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind, ImportMode, ImportStatus


class ImportSource(models.Model):
    """Where files come from (an ERP, a subsidiary's export). Sensitive master data changed by a file of a
    trusted source takes effect at once; from any other source (or none) it waits for a second person."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    trusted = models.BooleanField(
        _("trusted"), default=False,
        help_text=_("Changes of sensitive master data (credit code, legal name, group, portfolio, bank and "
                    "contact details) from this source take effect without a second person's review."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ImportBatch(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("size (bytes)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.RUNNING, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    actor_name = models.CharField(_("by"), max_length=150)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_total = models.IntegerField(_("rows"), default=0)
    rows_valid = models.IntegerField(_("valid rows"), default=0)
    rows_created = models.IntegerField(_("created"), default=0)
    rows_updated = models.IntegerField(_("updated"), default=0)
    rows_unchanged = models.IntegerField(_("unchanged"), default=0)
    rows_rejected = models.IntegerField(_("rejected"), default=0)
    rows_held = models.IntegerField(_("held for review"), default=0)
    source = models.ForeignKey(ImportSource, null=True, blank=True, on_delete=models.PROTECT, related_name="batches",
                               verbose_name=_("source"))
    error_count = models.IntegerField(_("problems"), default=0)
    errors = models.JSONField(_("first problems"), default=list, blank=True)
    errors_file = models.CharField(max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)
    progress = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("run_import", "Can import ERP files")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"
