"""Limit proposals, committee votes and credit policy versions in /api/v1.

Proposals come from `scope(LimitProposal…)` only: a proposal of a customer outside the caller's portfolio
is a 404 like one that does not exist. State changes call the actions (credit.actions.limits and
credit.actions.policies), which check the role
(403), refuse self-approval (403) and steps on decided objects (409), and audit. A policy with problems
is a 422 listing every problem (api.errors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt, field_validator, model_validator

from fengkong.core.permissions import require, scope
from fengkong.core.schemas import (
    DEFAULT_LIMIT,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    answers,
    caller,
    decimal_in,
    free_text,
    no_control,
    page,
    reason_to_reject,
    said_when,
    username,
    whole,
)
from fengkong.customers.api import CustomerCode, visible_customer

from .. import queries
from ..actions import limits, policies
from ..choices import ApprovalLevel, Grade, PolicyStatus, ProposalStatus, Vote
from ..models import Assessment, CreditPolicy, LimitProposal
from ..policy import current

router = Router(tags=["credit"])

ProposalId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The limit proposal's id")]
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="The credit policy version")]
MAX_REASON = limits.MAX_REASON


# --- schemas -----------------------------------------------------------------------------------------

LimitIn = decimal_in(digits=16, more_than_zero=False)


class ProposalOut(Schema):
    id: int
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    status: ProposalStatus
    level: ApprovalLevel
    votes_needed: int
    approvals: int
    rejections: int
    current_limit: Money
    proposed_limit: Money
    current_term_days: int
    proposed_term_days: int
    grade: str
    reason: str
    assessment: int | None = Field(None, description="The assessment the proposal rests on", alias="assessment_id")
    proposed_by: Username = Field(description="null: proposed by the credit review")
    proposed_at: datetime
    decided_by: Username
    decided_at: datetime | None
    accountable_owner: str | None = Field(None, description="Approved proposals: who answers for the limit")


    @staticmethod
    def resolve_approvals(obj) -> int:
        return obj.n_approve if hasattr(obj, "n_approve") else obj.votes.filter(vote=Vote.APPROVE).count()

    @staticmethod
    def resolve_rejections(obj) -> int:
        return obj.n_reject if hasattr(obj, "n_reject") else obj.votes.filter(vote=Vote.REJECT).count()


    @staticmethod
    def resolve_accountable_owner(obj) -> str | None:
        return username(obj.decided_by) if obj.status == ProposalStatus.APPROVED else None


class VoteOut(Schema):
    voter: str = Field(alias="voter.username")
    vote: Vote
    comment: str
    created_at: datetime


class ProposalDetailOut(ProposalOut):
    votes: list[VoteOut]
    you_may_vote: bool
    you_may_withdraw: bool

    @staticmethod
    def resolve_votes(obj):
        return list(obj.votes.select_related("voter"))


class ProposalPage(Page):
    items: list[ProposalOut]


class ProposalFilters(Schema):
    status: ProposalStatus | Literal["all"] = Field(ProposalStatus.PENDING, description="pending (default), "
                                                    "approved, rejected, withdrawn, superseded or all")
    level: ApprovalLevel | None = None
    customer: Text | None = Field(None, description="Customer code")
    waiting_for_me: bool = Field(False, description="Only pending proposals you may vote on now")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ProposalIn(Schema):
    proposed_limit: LimitIn = Field(
        ge=0, max_digits=18, decimal_places=2, description="The new limit in yuan, e.g. \"800000.00\"")
    proposed_term_days: StrictInt = Field(ge=0, le=720, description="The payment term in days")
    reason: str = free_text(min_length=1, max_length=MAX_REASON, required=True)
    grade: Grade | Literal[""] = ""
    assessment: StrictInt | None = Field(None, ge=1, le=2**63 - 1, description="An assessment of the customer")

    @field_validator("proposed_term_days", "assessment", mode="before")
    @classmethod
    def whole_numbers(cls, value):
        return whole(value)

    @model_validator(mode="after")
    def reason_given(self):
        if not self.reason.strip():
            raise ValueError("say why the limit should change")
        no_control(self.reason, "the reason")
        return self


class VoteIn(Schema):
    vote: Vote
    comment: str = free_text("", max_length=limits.MAX_COMMENT, description="Required with a reject")

    model_config = ConfigDict(json_schema_extra=said_when("comment", vote=Vote.REJECT.value))

    @model_validator(mode="after")
    def comment_checked(self):
        no_control(self.comment, "the comment")
        if self.vote == Vote.REJECT and not self.comment.strip():
            raise ValueError("say why you reject the proposal (comment)")
        return self


class WithdrawIn(Schema):
    reason: str = free_text(min_length=1, max_length=limits.MAX_NOTE, required=True)

    @model_validator(mode="after")
    def reason_given(self):
        if not self.reason.strip():
            raise ValueError("say why the proposal is withdrawn")
        no_control(self.reason, "the reason")
        return self


class PolicyOut(Schema):
    version: int
    status: PolicyStatus
    in_force: bool
    note: str
    proposed_by: Username
    proposed_at: datetime
    decided_by: Username
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_in_force(obj, context) -> bool:
        return obj.version == context["request"].policy_in_force


class PolicyDetailOut(PolicyOut):
    config: dict[str, Any]
    preview: dict[str, Any] = Field(description="The what-if when it was proposed: `figures` is \"book\" (the whole "
                                    "book's totals, for who sees every customer), \"portfolio\" (the totals of "
                                    "your portfolios) or \"withheld\" (no totals: stored before it was split by "
                                    "portfolio); examples: only customers you may see")

    @staticmethod
    def resolve_preview(obj, context) -> dict:
        return queries.preview_for(caller(context["request"]), obj.preview)


class PolicyPage(Page):
    in_force: int = Field(description="The version in force (0: the article's defaults)")
    items: list[PolicyOut]


class PolicyFilters(Schema):
    status: PolicyStatus | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class PolicyIn(Schema):
    config: dict[str, Any] = Field(description="Settings of the policy; left-out settings take the defaults")
    note: str = free_text("", max_length=policies.MAX_NOTE)

    @model_validator(mode="after")
    def note_checked(self):
        no_control(self.note, "the note")
        return self


class PolicyDecisionIn(Schema):
    approve: StrictBool
    note: str = free_text("", max_length=policies.MAX_NOTE, description="Required with a rejection")

    model_config = ConfigDict(json_schema_extra=said_when("note", approve=False))

    @model_validator(mode="after")
    def note_given(self):
        reason_to_reject(self.approve, self.note, "note", "this policy version")
        return self


# --- limit proposals ---------------------------------------------------------------------------------

def _proposals(user):
    require(user, "credit.view_limitproposal")
    return scope(LimitProposal.objects.all(), user).select_related("customer", "proposed_by", "decided_by")


def _visible_proposal(user, proposal_id: int) -> LimitProposal:
    proposal = _proposals(user).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404(f"No limit proposal {proposal_id} in your portfolio.")
    return proposal


def _detail(user, proposal: LimitProposal) -> LimitProposal:
    proposal.you_may_vote = queries.may_vote(user, proposal)
    proposal.you_may_withdraw = queries.may_withdraw(user, proposal)
    return proposal


@router.get("/limit-proposals", response=answers(ProposalPage, 403, 422), url_name="limit_proposal_list")
def list_proposals(request, filters: Query[ProposalFilters]):
    """Limit proposals you may see, newest first; by default those awaiting approval."""
    user = caller(request)
    proposals = _proposals(user)
    if filters.status != "all":
        proposals = proposals.filter(status=filters.status)
    if filters.level:
        proposals = proposals.filter(level=filters.level)
    if filters.customer:
        proposals = proposals.filter(customer__code=filters.customer)
    if filters.waiting_for_me:
        proposals = queries.waiting_for(user, proposals)
    proposals = proposals.annotate(n_approve=Count("votes", filter=Q(votes__vote=Vote.APPROVE)),
                                   n_reject=Count("votes", filter=Q(votes__vote=Vote.REJECT)))
    return page(proposals.order_by("-proposed_at", "-pk"), filters.limit, filters.offset)


@router.get("/limit-proposals/{proposal_id}", response=answers(ProposalDetailOut, 403, 404, 422),
            url_name="limit_proposal_detail")
def get_proposal(request, proposal_id: ProposalId):
    """One proposal with its votes and comments, and whether you may vote on it or withdraw it."""
    user = caller(request)
    return _detail(user, _visible_proposal(user, proposal_id))


@router.post("/customers/{key:code}/limit-proposals",
             response=answers({201: ProposalDetailOut}, 400, 403, 404, 422), url_name="limit_proposal_create")
def create_proposal(request, code: CustomerCode, body: ProposalIn):
    """Propose a new limit and term; the policy in force sets the approval level by the amount."""
    user = caller(request)
    customer = visible_customer(user, code)
    assessment = None
    if body.assessment is not None:
        assessment = Assessment.objects.filter(pk=body.assessment, customer=customer).first()
        if assessment is None:
            raise Http404(f"No assessment {body.assessment} of customer {customer.code}.")
    proposal = limits.propose_limit(actor=user, customer=customer, proposed_limit=body.proposed_limit,
                                       proposed_term_days=body.proposed_term_days, reason=body.reason,
                                       assessment=assessment, grade=body.grade)
    return Status(201, _detail(user, _visible_proposal(user, proposal.pk)))


@router.post("/limit-proposals/{proposal_id}/votes",
             response=answers({201: ProposalDetailOut}, 400, 403, 404, 409, 422),
             url_name="limit_proposal_vote")
def vote(request, proposal_id: ProposalId, body: VoteIn):
    """Approve or reject (with a comment). 403: your own proposal or not your level; 409: decided or voted."""
    user = caller(request)
    proposal = _visible_proposal(user, proposal_id)
    limits.vote(actor=user, proposal=proposal, vote=body.vote, comment=body.comment)
    return Status(201, _detail(user, _visible_proposal(user, proposal_id)))


@router.post("/limit-proposals/{proposal_id}/withdraw",
             response=answers(ProposalDetailOut, 400, 403, 404, 409, 422), url_name="limit_proposal_withdraw")
def withdraw(request, proposal_id: ProposalId, body: WithdrawIn):
    """Withdraw a proposal awaiting approval (the proposer or a risk manager). 409 if already decided."""
    user = caller(request)
    proposal = _visible_proposal(user, proposal_id)
    limits.withdraw(actor=user, proposal=proposal, reason=body.reason)
    return _detail(user, _visible_proposal(user, proposal_id))


# --- credit policy versions --------------------------------------------------------------------------

def _policies(request):
    require(caller(request), "credit.view_creditpolicy")
    request.policy_in_force = current().version
    return CreditPolicy.objects.select_related("proposed_by", "decided_by")


def _policy(request, version: int) -> CreditPolicy:
    policy = _policies(request).filter(version=version).first()
    if policy is None:
        raise Http404(f"No credit policy version {version}.")
    return policy


@router.get("/credit-policies", response=answers(PolicyPage, 403, 422), url_name="credit_policy_list")
def list_policies(request, filters: Query[PolicyFilters]):
    """Credit policy versions, newest first, and which one is in force."""
    versions = _policies(request)
    if filters.status:
        versions = versions.filter(status=filters.status)
    return {**page(versions.order_by("-version"), filters.limit, filters.offset),
            "in_force": request.policy_in_force}


@router.get("/credit-policies/{version}", response=answers(PolicyDetailOut, 403, 404, 422),
            url_name="credit_policy_detail")
def get_policy(request, version: Version):
    """One version: its full settings and the what-if preview taken when it was proposed."""
    return _policy(request, version)


@router.post("/credit-policies", response=answers({201: PolicyDetailOut}, 400, 403, 409, 422),
             url_name="credit_policy_create")
def create_policy(request, body: PolicyIn):
    """Propose a new version (left-out settings take the defaults). 422 lists every problem of the config."""
    policy = policies.propose_policy(actor=caller(request), config=body.config, note=body.note)
    return Status(201, _policy(request, policy.version))


@router.post("/credit-policies/{version}/decision",
             response=answers(PolicyDetailOut, 400, 403, 404, 409, 422), url_name="credit_policy_decision")
def decide_policy(request, version: Version, body: PolicyDecisionIn):
    """Approve (the version comes into force) or reject with a note. 403 on your own proposal; 409 if decided."""
    user = caller(request)
    policy = _policy(request, version)
    policies.decide_policy(actor=user, policy=policy, approve=body.approve, note=body.note)
    return _policy(request, version)
