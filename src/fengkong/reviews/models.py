"""A change to sensitive master data waiting for a second person (dual review, 双人复核, §16).

Design decisions:
- One row per request: the target (`kind` from the registry and `object_id`), the customer it belongs to
  (portfolio scoping, the customer page's banner), the sensitive fields' values before (`old`) and after
  (`new`) as JSON, who asked, when and by which way (`via`: admin, import #12 …), and the decision.
- The rule that matters is in the database too: a confirmed or rejected change was decided by somebody
  other than the requester (`review_by_another_person`).
- Applying checks that `old` is still what is stored; otherwise the change is superseded, never applied
  over a value its requester did not see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengkong.core.permissions import scope

from .choices import DECIDED, ChangeStatus
from .targets import reviewed

USER = settings.AUTH_USER_MODEL


class PendingChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ChangeStatus.PENDING)

    def for_user(self, user):
        """The changes of customers `user` may see (core.permissions.scope), for a role that reads the queue."""
        return scope(self, user)

    def of_target(self, kind: str, object_id):
        return self.filter(kind=kind, object_id=object_id)


class PendingChange(models.Model):
    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("object"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="pending_changes",
                                 verbose_name=_("customer"))
    old = models.JSONField(_("values before"), default=dict)
    new = models.JSONField(_("values after"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING, db_index=True)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    via = models.CharField(_("entered by way of"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        permissions = [("confirm_change", "Can confirm or reject another person's change to sensitive master data")]
        indexes = [models.Index(fields=["kind", "object_id", "status"], name="pending_change_target")]
        constraints = [
            models.CheckConstraint(condition=~Q(status__in=DECIDED) | ~Q(decided_by=F("requested_by")),
                                   name="review_by_another_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {', '.join(self.new)}"

    @property
    def reviewed(self):
        return reviewed(self.kind)

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING

    def what(self) -> str:
        """What the change is for, as people name it: customer, contact, guarantee or collateral."""
        return str(self.reviewed.model._meta.verbose_name)

    def target(self) -> models.Model | None:
        """The row the change is for, or None if it has been deleted since."""
        return self.reviewed.model._base_manager.filter(pk=self.object_id).first()

    def rows(self, masked: bool = False) -> list[dict]:
        """Each field with its label and its value before and after, as people read them (`masked`: the
        fields the owner masks, a bank account, shown masked)."""
        r = self.reviewed
        return [{"field": name, "label": r.label(name), "old": r.shown(name, self.old.get(name), masked),
                 "new": r.shown(name, self.new.get(name), masked)} for name in self.new]
