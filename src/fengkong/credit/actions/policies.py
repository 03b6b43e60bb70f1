"""Credit policy versions: one risk manager proposes a version (with its what-if on the whole book), another
approves or rejects it; the approved version with the highest number is in force (credit.policy.current).

Approving re-assesses the whole book once the decision commits, so the new policy reaches every customer
at once, not only at their next review.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import jsonable, record
from fengkong.core.permissions import require, users_with_perm
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from .. import grading
from .. import policy as policy_module
from ..choices import PolicyStatus, Trigger
from ..exceptions import Conflict, SelfApproval
from ..models import CreditPolicy
from . import assessments

MAX_NOTE = CreditPolicy._meta.get_field("note").max_length


def policy_link(policy: CreditPolicy) -> str:
    return reverse("credit-policy-version", args=[policy.version])


def propose_policy(*, actor, config, note: str = "") -> CreditPolicy:
    """Check `config` (left-out settings take the defaults), try it on the whole book, and store it as the
    next version awaiting another risk manager's approval. Raises PolicyInvalid with every problem."""
    require(actor, "credit.propose_creditpolicy")
    full = dict(policy_module.parse(config).config)
    note = (note or "").strip()[:MAX_NOTE] if isinstance(note, str) else ""
    what_if = jsonable(grading.preview(full)) or {}  # before the transaction: it reads the whole book
    for _attempt in range(3):
        try:
            with transaction.atomic(durable=True):
                version = (CreditPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                proposed = CreditPolicy.objects.create(version=version, config=full, note=note, proposed_by=actor,
                                                       preview=what_if)
                record(actor, "credit_policy.proposed", "creditpolicy", proposed.pk,
                       after={"version": version, "config": full, "note": note})
                tell(users_with_perm("credit.approve_creditpolicy").exclude(pk=actor.pk),
                     template=Template.APPROVAL_REQUEST,
                     title=_("Credit policy v%(version)d awaits approval") % {"version": version},
                     body=_("%(who)s proposes credit policy version %(version)d. %(note)s") % {
                         "who": actor.get_username(), "version": version, "note": note},
                     link=policy_link(proposed))
                return proposed
        except IntegrityError:
            continue  # another proposal took this version number at the same moment: take the next
    raise Conflict(_("Policy versions are being proposed at the same moment; try again."))


def decide_policy(*, actor, policy: CreditPolicy, approve: bool, note: str = "") -> CreditPolicy:
    """Approve (it becomes the version in force) or reject a proposed policy version; not one's own."""
    require(actor, "credit.approve_creditpolicy")
    note = (note or "").strip() if isinstance(note, str) else ""
    if not approve and not note:
        raise ValidationError({"note": _("Say why you reject this policy version.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": MAX_NOTE}})
    with transaction.atomic(durable=True):
        locked = CreditPolicy.objects.select_for_update().get(pk=policy.pk)
        if locked.proposed_by_id == actor.pk:
            raise SelfApproval(_("Nobody approves their own policy proposal."))
        if locked.status != PolicyStatus.PROPOSED:
            raise Conflict(_("Version %(version)d is %(status)s; only a proposed version can be decided.")
                           % {"version": locked.version, "status": locked.get_status_display()})
        newer = CreditPolicy.objects.filter(status=PolicyStatus.APPROVED, version__gt=locked.version).first()
        if approve and newer is not None:
            raise Conflict(_("Version %(newer)d, newer than this one, is already in force; propose the change "
                             "again on top of it.") % {"newer": newer.version})
        status = PolicyStatus.APPROVED if approve else PolicyStatus.REJECTED
        locked.status, locked.decided_by, locked.decided_at, locked.decision_note = (
            status, actor, timezone.now(), note)
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record(actor, f"credit_policy.{status}", "creditpolicy", locked.pk,
               before={"status": PolicyStatus.PROPOSED},
               after={"status": status, "version": locked.version, "note": note})
        tell([locked.proposed_by], template=Template.APPROVAL_DECIDED,
             title=_("Credit policy v%(version)d: %(status)s") % {"version": locked.version,
                                                                   "status": locked.get_status_display()},
             body=_("%(who)s decided: %(status)s. %(note)s") % {
                 "who": actor.get_username(), "status": locked.get_status_display(), "note": note},
             link=policy_link(locked))
        if approve:  # the new version applies to the whole book at once, not only at the next reviews
            assessments.reassess_later(None, Trigger.POLICY_CHANGE, actor=actor)
    policy.refresh_from_db()
    return policy
