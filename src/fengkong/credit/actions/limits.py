"""Limit proposals: maker-checker with levels by amount, committee votes, withdrawal (§9, §16).

Design decisions:
- A proposal's level and the approvals it needs are fixed when it is made, from the policy in force
  (`approval_for`: by the proposed limit, a decrease at the first level). A later policy change does
  not move a proposal already waiting.
- Manager level: one vote decides. Committee level: the proposal is approved when approvals reach
  `votes_needed`, rejected as soon as that can no longer happen with the members who have not voted,
  or when a majority of the members eligible to vote rejected it. The eligible members are the active
  users holding `credit.vote_committee`, less the proposer (queries.committee_members).
- Votes are counted with the proposal row locked (select_for_update), so two members voting at once
  decide it once; the database's unique (proposal, voter) backs "nobody votes twice".
- The approver whose vote completes the approval becomes the limit's accountable owner and receives
  its follow-ups ("lifetime responsibility").
- Inbox messages are rows written in the same transaction as the change (a rolled-back change tells
  nobody, and a committed one cannot lose its message).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import Change, record, record_many, snapshot
from fengkong.core.money import MAX_DIGITS, PLACES, format_amount, to_fen
from fengkong.core.permissions import require, users_with_perm
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from .. import features
from .. import policy as policy_module
from ..choices import ApprovalLevel, Grade, ProposalStatus, Vote
from ..exceptions import Conflict, NotAllowed, SelfApproval
from ..models import Assessment, CreditProfile, LimitProposal, ProposalVote
from ..queries import approvers, committee_members, require_customer
from ..reasons import knockout_text

MAX_TERM_DAYS = 720
MAX_REASON = 4000
MAX_COMMENT = 2000
MAX_NOTE = 300
MAX_LIMIT = Decimal(10) ** (MAX_DIGITS - PLACES) - Decimal("0.01")
PROFILE_FIELDS = ("limit", "term_days", "grade", "guarantee_requirement", "owner_id", "limit_approved_at")


# --- checking input ----------------------------------------------------------------------------------

def clean_limit(value, field: str = "proposed_limit") -> Decimal:
    """An amount in yuan: at least 0, at most two decimals, within the database's 18 digits."""
    try:
        amount = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool | float) else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Give the limit as an amount in yuan such as 500000.00.")})
    if amount < 0:
        raise ValidationError({field: _("The limit cannot be negative.")})
    if amount.as_tuple().exponent < -PLACES:
        raise ValidationError({field: _("The limit has more than two decimals.")})
    if amount > MAX_LIMIT:
        raise ValidationError({field: _("The limit is too large.")})
    return amount.quantize(Decimal("0.01"))


def clean_term(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERM_DAYS:
        raise ValidationError({"proposed_term_days": _("The payment term must be a whole number of days "
                                                       "from 0 to %(max)d.") % {"max": MAX_TERM_DAYS}})
    return value


def _text(value, field: str, message: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: message})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": limit}})
    return text


# --- limit proposals ---------------------------------------------------------------------------------

def propose_limit(*, actor, customer, proposed_limit, proposed_term_days: int, reason: str,
                  assessment: Assessment | None = None, grade: str = "") -> LimitProposal:
    """Propose a new limit and term for `customer`; `actor` None means the review proposed it (called by the
    system: no permission to check). A user needs `credit.propose_limit` and the customer in their portfolio.

    An older pending proposal of the customer is superseded. The approvers are told."""
    if actor is not None:
        require(actor, "credit.propose_limit")
        require_customer(actor, customer)
    limit = clean_limit(proposed_limit)
    term = clean_term(proposed_term_days)
    reason = _text(reason, "reason", _("Say why the limit should change."), MAX_REASON)
    if grade not in ("", *Grade.values):
        raise ValidationError({"grade": _("The grade must be A, B or C.")})
    if assessment is not None and assessment.customer_id != customer.pk:
        raise ValidationError({"assessment": _("The assessment is of another customer.")})
    with transaction.atomic(durable=True):
        type(customer).objects.select_for_update().filter(pk=customer.pk).first()  # one proposer at a time
        profile = CreditProfile.objects.filter(customer=customer).first()
        current_limit = profile.limit if profile else Decimal("0.00")
        current_term = profile.term_days if profile else 0
        step = policy_module.current().approval_for(to_fen(limit), to_fen(current_limit))
        _supersede_pending(actor, customer)
        proposal = LimitProposal.objects.create(
            customer=customer, assessment=assessment, current_limit=current_limit, proposed_limit=limit,
            current_term_days=current_term, proposed_term_days=term, grade=grade, reason=reason,
            proposed_by=actor, level=step.level, votes_needed=step.votes if step.level == ApprovalLevel.COMMITTEE
            else 1)
        record(actor, "limit_proposal.proposed", "limitproposal", proposal.pk, after={
            "customer": customer.code, "current_limit": current_limit, "proposed_limit": limit,
            "current_term_days": current_term, "proposed_term_days": term, "grade": grade,
            "reason": reason, "level": proposal.level, "votes_needed": proposal.votes_needed,
            "assessment": assessment.pk if assessment else None})
        _tell_approvers(proposal)
    return proposal


BULK_CHUNK = 2000


def propose_limits_from_review(drafts: list[dict]) -> int:
    """The review's proposals for many customers at once (actor None): the same rules as propose_limit,
    written in bulk, with one digest message per approver instead of one message per proposal.

    Each draft: customer_id, proposed_limit (Decimal), proposed_term_days, reason, assessment_id, grade.
    Pending proposals of those customers are superseded. Returns how many proposals were made. Called by
    the system inside the assessment's transaction (actions.assessments)."""
    if not drafts:
        return 0
    spec = policy_module.current()
    now = timezone.now()
    made: list[LimitProposal] = []
    with transaction.atomic(savepoint=False):
        for start in range(0, len(drafts), BULK_CHUNK):
            chunk = drafts[start:start + BULK_CHUNK]
            ids = [d["customer_id"] for d in chunk]
            current = {cid: (limit, term) for cid, limit, term in
                       CreditProfile.objects.filter(customer_id__in=ids).values_list("customer_id", "limit",
                                                                                     "term_days")}
            old = list(LimitProposal.objects.select_for_update().filter(
                customer_id__in=ids, status=ProposalStatus.PENDING).values_list("pk", flat=True))
            LimitProposal.objects.filter(pk__in=old).update(status=ProposalStatus.SUPERSEDED, decided_at=now)
            rows = []
            for d in chunk:
                limit, term = current.get(d["customer_id"], (Decimal("0.00"), 0))
                step = spec.approval_for(to_fen(d["proposed_limit"]), to_fen(limit))
                rows.append(LimitProposal(
                    customer_id=d["customer_id"], assessment_id=d.get("assessment_id"), current_limit=limit,
                    proposed_limit=clean_limit(d["proposed_limit"]), current_term_days=term,
                    proposed_term_days=clean_term(d["proposed_term_days"]), grade=d.get("grade", ""),
                    reason=d["reason"][:MAX_REASON], proposed_by=None, proposed_at=now, level=step.level,
                    votes_needed=step.votes if step.level == ApprovalLevel.COMMITTEE else 1))
            made += LimitProposal.objects.bulk_create(rows)
            record_many(None, [Change("limit_proposal.superseded", "limitproposal", pk,
                                      before={"status": ProposalStatus.PENDING},
                                      after={"status": ProposalStatus.SUPERSEDED}) for pk in old])
            record_many(None, [Change("limit_proposal.proposed", "limitproposal", p.pk, after={
                "customer": p.customer_id, "current_limit": p.current_limit, "proposed_limit": p.proposed_limit,
                "current_term_days": p.current_term_days, "proposed_term_days": p.proposed_term_days,
                "grade": p.grade, "reason": p.reason, "level": p.level, "votes_needed": p.votes_needed,
                "assessment": p.assessment_id}) for p in rows])
        _tell_digest(made)
    return len(made)


def _tell_digest(proposals: list[LimitProposal]) -> None:
    """One message per approver: how many of the review's proposals wait for them, by level."""
    by_level = {level: sum(1 for p in proposals if p.level == level) for level in ApprovalLevel.values}
    if by_level[ApprovalLevel.MANAGER]:
        title = _("The credit review proposes %(n)d limit changes for your approval") % {
            "n": by_level[ApprovalLevel.MANAGER]}
        tell(users_with_perm("credit.approve_limit").order_by("username"), template=Template.APPROVAL_REQUEST,
             title=title, body=_("Open the approvals inbox to decide them; each shows its assessment and reasons."),
             link=reverse("credit-approvals"))
    if by_level[ApprovalLevel.COMMITTEE]:
        title = _("The credit review proposes %(n)d large limit changes for the risk committee") % {
            "n": by_level[ApprovalLevel.COMMITTEE]}
        tell(committee_members(exclude=None), template=Template.APPROVAL_REQUEST, title=title,
             body=_("Open the approvals inbox to vote; each shows its assessment and reasons."),
             link=reverse("credit-approvals"))


def _supersede_pending(actor, customer) -> None:
    for old in LimitProposal.objects.select_for_update().filter(customer=customer, status=ProposalStatus.PENDING):
        old.status, old.decided_at = ProposalStatus.SUPERSEDED, timezone.now()
        old.save(update_fields=["status", "decided_at"])
        record(actor, "limit_proposal.superseded", "limitproposal", old.pk,
               before={"status": ProposalStatus.PENDING}, after={"status": ProposalStatus.SUPERSEDED})


def proposal_link(proposal: LimitProposal) -> str:
    return reverse("credit-proposal", args=[proposal.pk])


def _tell_approvers(proposal: LimitProposal) -> None:
    customer = proposal.customer
    title = _("Limit proposal for %(customer)s: %(amount)s") % {
        "customer": customer.name, "amount": format_amount(proposal.proposed_limit)}
    who = proposal.proposed_by.get_username() if proposal.proposed_by_id else _("the credit review")
    body = _("%(who)s proposes to change the credit limit of %(customer)s (%(code)s) from %(current)s to "
             "%(proposed)s and the payment term from %(term0)d to %(term1)d days. Level: %(level)s, "
             "approvals needed: %(votes)d. Reason: %(reason)s") % {
        "who": who, "customer": customer.name, "code": customer.code,
        "current": format_amount(proposal.current_limit), "proposed": format_amount(proposal.proposed_limit),
        "term0": proposal.current_term_days, "term1": proposal.proposed_term_days,
        "level": proposal.get_level_display(), "votes": proposal.votes_needed, "reason": proposal.reason}
    tell(approvers(proposal), template=Template.APPROVAL_REQUEST, title=title, body=body,
         link=proposal_link(proposal))


def vote(*, actor, proposal: LimitProposal, vote: str, comment: str = "") -> LimitProposal:
    """Record `actor`'s vote; decide the proposal when the votes allow. See the module docstring."""
    if vote not in Vote.values:
        raise ValidationError({"vote": _("The vote must be approve or reject.")})
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if vote == Vote.REJECT and not comment:
        raise ValidationError({"comment": _("Say why you reject the proposal.")})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(max)d characters.") % {"max": MAX_COMMENT}})
    with transaction.atomic(durable=True):
        locked = LimitProposal.objects.select_for_update().select_related("customer").get(pk=proposal.pk)
        _check_voter(actor, locked)
        try:
            with transaction.atomic():
                ballot = ProposalVote.objects.create(proposal=locked, voter=actor, vote=vote, comment=comment)
        except IntegrityError:
            raise Conflict(_("You have already voted on this proposal.")) from None
        record(actor, "limit_proposal.voted", "limitproposal", locked.pk,
               after={"vote": vote, "comment": comment, "level": locked.level, "ballot": ballot.pk})
        outcome = _outcome(locked)
        if outcome == ProposalStatus.APPROVED:
            _approve(actor, locked)
        elif outcome == ProposalStatus.REJECTED:
            _reject(actor, locked)
    proposal.refresh_from_db()
    return proposal


def _check_voter(actor, proposal: LimitProposal) -> None:
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("sign in to vote")
    if proposal.level == ApprovalLevel.COMMITTEE and not actor.has_perm("credit.vote_committee"):
        raise NotAllowed(_("Only members of the risk committee vote on this proposal."))
    if proposal.level == ApprovalLevel.MANAGER and not actor.has_perm("credit.approve_limit"):
        raise NotAllowed(_("Only a risk manager approves this proposal."))
    require_customer(actor, proposal.customer)
    if proposal.proposed_by_id == actor.pk:
        raise SelfApproval(_("Nobody votes on their own proposal."))
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(_("The proposal is %(status)s; only a proposal awaiting approval takes votes.")
                       % {"status": proposal.get_status_display()})
    if proposal.votes.filter(voter=actor).exists():
        raise Conflict(_("You have already voted on this proposal."))


def _outcome(proposal: LimitProposal) -> str:
    ballots = list(proposal.votes.values_list("voter_id", "vote"))
    approvals = sum(1 for _v, choice in ballots if choice == Vote.APPROVE)
    rejections = len(ballots) - approvals
    if proposal.level != ApprovalLevel.COMMITTEE:
        return ProposalStatus.APPROVED if approvals else ProposalStatus.REJECTED
    if approvals >= proposal.votes_needed:
        return ProposalStatus.APPROVED
    eligible = {u.pk for u in committee_members(exclude=proposal.proposed_by)}
    voted = {voter for voter, _choice in ballots}
    waiting = len(eligible - voted)
    if approvals + waiting < proposal.votes_needed or rejections * 2 > len(eligible | voted):
        return ProposalStatus.REJECTED
    return ProposalStatus.PENDING


def _decide(actor, proposal: LimitProposal, status: str) -> None:
    proposal.status, proposal.decided_at, proposal.decided_by = status, timezone.now(), actor
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    record(actor, f"limit_proposal.{status}", "limitproposal", proposal.pk,
           before={"status": ProposalStatus.PENDING}, after={"status": status})


def _approve(actor, proposal: LimitProposal) -> None:
    _decide(actor, proposal, ProposalStatus.APPROVED)
    profile, _created = CreditProfile.objects.select_for_update().get_or_create(
        customer=proposal.customer, defaults={"limit": Decimal("0.00")})
    before = snapshot(profile, PROFILE_FIELDS)
    profile.limit, profile.term_days = proposal.proposed_limit, proposal.proposed_term_days
    fields = ["limit", "term_days", "owner", "limit_approved_at", "updated_at"]
    if proposal.grade:
        profile.grade = proposal.grade
        terms = policy_module.current().terms.get(proposal.grade)
        if terms is not None:
            profile.guarantee_requirement = terms.guarantee
        fields += ["grade", "guarantee_requirement"]
    profile.owner, profile.limit_approved_at = actor, proposal.decided_at
    profile.save(update_fields=fields)
    record(actor, "credit_profile.limit_approved", "creditprofile", profile.pk, before=before,
           after={**snapshot(profile, PROFILE_FIELDS), "proposal": proposal.pk})
    customer = proposal.customer
    title = _("Limit approved for %(customer)s: %(amount)s") % {
        "customer": customer.name, "amount": format_amount(proposal.proposed_limit)}
    body = _("The credit limit of %(customer)s (%(code)s) is now %(amount)s with a payment term of %(term)d "
             "days. %(owner)s approved it and answers for it.") % {
        "customer": customer.name, "code": customer.code, "amount": format_amount(proposal.proposed_limit),
        "term": proposal.proposed_term_days, "owner": actor.get_username()}
    tell([proposal.proposed_by, actor], template=Template.APPROVAL_DECIDED, title=title, body=body,
         link=proposal_link(proposal))


def _reject(actor, proposal: LimitProposal) -> None:
    _decide(actor, proposal, ProposalStatus.REJECTED)
    customer = proposal.customer
    comments = "; ".join(f"{v.voter.get_username()}: {v.comment}" for v in
                         proposal.votes.filter(vote=Vote.REJECT).select_related("voter") if v.comment)
    tell([proposal.proposed_by], template=Template.APPROVAL_DECIDED,
         title=_("Limit proposal rejected for %(customer)s") % {"customer": customer.name},
         body=_("The proposal to change the limit of %(customer)s (%(code)s) to %(amount)s was rejected. "
                "%(comments)s") % {"customer": customer.name, "code": customer.code,
                                   "amount": format_amount(proposal.proposed_limit), "comments": comments},
         link=proposal_link(proposal), level="attention")


def withdraw(*, actor, proposal: LimitProposal, reason: str) -> LimitProposal:
    """The proposer, or a risk manager, takes back a proposal that is still waiting."""
    reason = _text(reason, "reason", _("Say why the proposal is withdrawn."), MAX_NOTE)
    with transaction.atomic(durable=True):
        locked = LimitProposal.objects.select_for_update().select_related("customer").get(pk=proposal.pk)
        if not (actor and actor.is_authenticated):
            raise PermissionDenied("sign in to withdraw")
        require_customer(actor, locked.customer)
        is_proposer = locked.proposed_by_id is not None and locked.proposed_by_id == actor.pk
        if not (is_proposer or actor.has_perm("credit.approve_limit")):
            raise NotAllowed(_("Only the proposer or a risk manager can withdraw a proposal."))
        if locked.status != ProposalStatus.PENDING:
            raise Conflict(_("The proposal is %(status)s; only a proposal awaiting approval can be withdrawn.")
                           % {"status": locked.get_status_display()})
        locked.status, locked.decided_at, locked.decided_by = ProposalStatus.WITHDRAWN, timezone.now(), actor
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        record(actor, "limit_proposal.withdrawn", "limitproposal", locked.pk,
               before={"status": ProposalStatus.PENDING},
               after={"status": ProposalStatus.WITHDRAWN, "reason": reason})
    proposal.refresh_from_db()
    return proposal


def withdraw_contradicted(customer_ids: list[int] | None = None, actor=None) -> int:
    """Withdraw every pending proposal that grants credit (a proposed limit above 0) to a customer now under
    a knock-out of the policy in force (danger zone, stop-supply, litigation, blacklist), each with the
    reason naming the knock-out and an audit event. Called by the system: the night's step after monitoring's
    rules (new danger zones and stop-supply flags) and the flags action (litigation, blacklist); `actor` is
    recorded as who caused it, not checked. Returns how many were withdrawn."""
    spec = policy_module.current()
    if not spec.knockouts:
        return 0
    frame = features.knockouts(customer_ids)
    applying = {}
    for row in frame.iter_rows(named=True):
        names = [k for k in spec.knockouts if row.get(f"ko_{k}")]
        if names:
            applying[row["customer_id"]] = names
    if not applying:
        return 0
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        ids = sorted(applying)
        pending = []
        for start in range(0, len(ids), 5000):
            pending += list(LimitProposal.objects.select_for_update().filter(
                status=ProposalStatus.PENDING, proposed_limit__gt=0, customer_id__in=ids[start:start + 5000]))
        if not pending:
            return 0
        now = timezone.now()
        LimitProposal.objects.filter(pk__in=[p.pk for p in pending], status=ProposalStatus.PENDING).update(
            status=ProposalStatus.WITHDRAWN, decided_at=now, decided_by_id=actor_id)
        changes = []
        for proposal in pending:
            names = applying[proposal.customer_id]
            reason = _("Withdrawn: the customer is under a knock-out (%(knockouts)s); no credit can be granted "
                       "while it applies.") % {"knockouts": knockout_text(names)}
            changes.append(Change("limit_proposal.withdrawn", "limitproposal", str(proposal.pk),
                                  before={"status": ProposalStatus.PENDING},
                                  after={"status": ProposalStatus.WITHDRAWN, "reason": reason,
                                         "knockouts": names, "customer": proposal.customer_id,
                                         "proposed_limit": proposal.proposed_limit}))
        record_many(actor, changes)
    return len(pending)
