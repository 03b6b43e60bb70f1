"""The audit trail: an append-only, keyed hash chain of every change.

Each event stores who, when, what and the before/after state, the previous event's hash and its own: an
HMAC, under the audit key the event names (`key_id`), of every other field (core.audit). Changing, deleting
or re-hashing a stored event shows in `fengkong audit verify`, which also compares the chain with its
anchors outside the database (core.anchors). Rows are protected three times: the model refuses updates
and deletes, and database triggers (SQLite and PostgreSQL) refuse them too. `scheme` 1 marks the events
written before the chain was keyed (plain SHA-256, verified as they were written); 2 the keyed ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object"), max_length=120, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(_("signing key"), max_length=16, blank=True, default="")
    scheme = models.PositiveSmallIntegerField(_("signature scheme"))

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        permissions = [("verify_audit", "Can verify the audit trail")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")
