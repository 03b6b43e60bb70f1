"""Reads of credit state, for the pages, the API, the actions and other apps: who decides a limit proposal
and who may vote on it or withdraw it, the customers and credit checks a user may see, who reads risk
feedback, the limits the night compares exposure with, and who is due for review. Nothing here writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from fengkong.core.money import to_fen
from fengkong.core.permissions import own_portfolios, require, scope, sees_all, users_with_perm
from fengkong.customers.choices import CustomerStatus
from fengkong.customers.models import Customer
from fengkong.customers.queries import visible_customers
from fengkong.integrations import db
from fengkong.monitoring.dispatch import in_chunks

from . import features as features_module
from . import policy as policy_module
from .choices import GRADE_ORDER, ApprovalLevel, ProposalStatus, Trigger
from .grading import PREVIEW_TOTALS, add_totals
from .models import CreditCheck, CreditProfile, LimitProposal
from .policy import ApprovalStep


def limit_owners(customer_ids: list[int]) -> dict[int, list]:
    """The accountable owner of each customer's credit limit (§16: the approver receives its follow-ups)."""
    profiles = CreditProfile.objects.filter(owner__isnull=False, owner__is_active=True).select_related("owner")
    return {p.customer_id: [p.owner] for p in in_chunks(profiles, "customer_id", customer_ids)}


# --- customers and checks a user may see --------------------------------------------------------------

def sees_customer(user, customer) -> bool:
    return visible_customers(user).filter(pk=customer.pk).exists()


def require_customer(user, customer) -> None:
    """PermissionDenied unless `customer` is in `user`'s portfolios (or they see the whole book)."""
    if not sees_customer(user, customer):
        raise PermissionDenied("this customer is not in your portfolio")


def visible_check(actor, reference: str, customer_id: int | None = None) -> CreditCheck:
    """The check with this reference (of that customer, if given) if the actor may see its customer (404
    otherwise). References are unique per customer: of several the actor may see, the latest."""
    require(actor, "credit.view_creditcheck")
    checks = CreditCheck.objects.filter(reference=reference)
    if customer_id is not None:
        checks = checks.filter(customer_id=customer_id)
    check = scope(checks, actor).select_related("customer").first()
    if check is None:
        raise Http404(_("No credit check %s in your portfolio.") % reference)
    return check


# --- who decides a limit proposal ---------------------------------------------------------------------

def committee_members(exclude=None) -> list:
    """The members who may vote at committee level, without `exclude` (the proposer)."""
    members = users_with_perm("credit.vote_committee").order_by("username")
    return list(members.exclude(pk=exclude.pk) if exclude is not None else members)


def approvers(proposal: LimitProposal) -> list:
    """Who is asked to decide: the managers (who can see the customer) or the committee; never the proposer."""
    if proposal.level == ApprovalLevel.COMMITTEE:
        return committee_members(exclude=proposal.proposed_by)
    managers = users_with_perm("credit.approve_limit")
    if proposal.proposed_by_id:
        managers = managers.exclude(pk=proposal.proposed_by_id)
    portfolio = proposal.customer.portfolio_id
    return [u for u in managers.order_by("username")
            if sees_all(u) or (portfolio and u.portfolios.filter(pk=portfolio).exists())]


def vote_permission(level: str) -> str:
    return "credit.vote_committee" if level == ApprovalLevel.COMMITTEE else "credit.approve_limit"


def may_vote(user, proposal: LimitProposal) -> bool:
    """Whether `user` can vote on `proposal` now (the pages show the vote form only then)."""
    return (proposal.status == ProposalStatus.PENDING and user.is_authenticated
            and user.has_perm(vote_permission(proposal.level)) and proposal.proposed_by_id != user.pk
            and not proposal.votes.filter(voter=user).exists())


def waiting_for(user, proposals):
    """Of `proposals`: those pending at a level `user` votes at, not theirs, not yet voted on by them."""
    levels = [level for level in ApprovalLevel.values if user.has_perm(vote_permission(level))]
    return (proposals.filter(status=ProposalStatus.PENDING, level__in=levels)
            .exclude(proposed_by=user).exclude(votes__voter=user))


def may_withdraw(user, proposal: LimitProposal) -> bool:
    return proposal.status == ProposalStatus.PENDING and user.is_authenticated and (
        (proposal.proposed_by_id is not None and proposal.proposed_by_id == user.pk)
        or user.has_perm("credit.approve_limit"))


def required_step(customer, proposed_limit: Decimal) -> ApprovalStep:
    """The policy's approval step for moving `customer`'s limit to `proposed_limit`."""
    profile = CreditProfile.objects.filter(customer=customer).first()
    current = profile.limit if profile else Decimal("0.00")
    return policy_module.current().approval_for(to_fen(proposed_limit), to_fen(current))


def preview_for(user, preview: dict | None) -> dict:
    """A stored policy preview as `user` may read it (`figures` says whose totals it holds): the whole
    book's for whoever sees every customer ("book"); for a user scoped to portfolios the sum of their
    portfolios' parts ("portfolio"), or no totals at all for a preview stored before it was split by
    portfolio ("withheld"). Example customers outside their portfolios are left out."""
    preview = dict(preview or {})
    if not preview:
        return preview
    parts = preview.pop("portfolios", None)
    mine = own_portfolios(user)
    if mine is None:
        return {**preview, "figures": "book"}
    for key in PREVIEW_TOTALS:
        preview.pop(key, None)
    if isinstance(parts, dict):
        preview.update(add_totals([p for key in map(str, mine) if isinstance(p := parts.get(key), dict)]))
        preview["figures"] = "portfolio"
    else:
        preview["figures"] = "withheld"
    examples = preview.get("examples")
    if isinstance(examples, list):
        codes = {e.get("customer") for e in examples if isinstance(e, dict)}
        visible = set(visible_customers(user).filter(code__in=codes).values_list("code", flat=True))
        preview["examples"] = [e for e in examples if isinstance(e, dict) and e.get("customer") in visible]
    return preview


# --- who reads risk feedback --------------------------------------------------------------------------

def analysts_for(customer) -> list:
    """Active users who review risk feedback and may see `customer`."""
    perm = Permission.objects.get(content_type__app_label="credit", codename="change_riskfeedback")
    see_all = Permission.objects.get(content_type__app_label="customers", codename="view_all_customers")
    reviewers = (get_user_model().objects.filter(is_active=True)
                 .filter(Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True)))
    can_see = Q(groups__permissions=see_all) | Q(user_permissions=see_all) | Q(is_superuser=True)
    if customer.portfolio_id:
        can_see |= Q(portfolios=customer.portfolio_id)
    ids = reviewers.values("pk")
    return list(get_user_model().objects.filter(pk__in=ids).filter(can_see).distinct().order_by("pk"))


# --- the book ----------------------------------------------------------------------------------------

def credit_limits_frame() -> pl.DataFrame:
    """Every customer's approved credit limit in fen: customer_id, limit_fen (monitoring's utilisation rules)."""
    return db.fetch('SELECT customer_id, CAST(ROUND("limit" * 100) AS BIGINT) FROM credit_creditprofile',
                    schema={"customer_id": pl.Int64, "limit_fen": pl.Int64})


def due_for_review(as_of: date) -> dict[str, list[int]]:
    """Customers the review assesses on `as_of`: {"quarterly": [...], "initial": [...]}; none assessed that day.

    Due: the next review on or before `as_of`, or never assessed (the first assessment); a closed customer
    never. So running the review twice, or after a manual assessment, assesses nobody twice."""
    customers = Customer.objects.exclude(status=CustomerStatus.CLOSED).exclude(credit__assessed_on__gte=as_of)
    initial = customers.filter(Q(credit__isnull=True) | Q(credit__assessment__isnull=True))
    quarterly = customers.filter(credit__assessment__isnull=False, credit__next_review__lte=as_of)
    return {Trigger.QUARTERLY: list(quarterly.order_by("pk").values_list("pk", flat=True)),
            Trigger.INITIAL: list(initial.order_by("pk").values_list("pk", flat=True))}


def graded_above_knockout_cap() -> list[int]:
    """Customers under a knock-out of the policy in force whose profile grade is better than its cap."""
    spec = policy_module.current()
    if not spec.knockouts or not spec.knockout_cap:
        return []
    frame = features_module.knockouts(None)
    under = [row["customer_id"] for row in frame.iter_rows(named=True)
             if any(row.get(f"ko_{k}") for k in spec.knockouts)]
    if not under:
        return []
    better = [g for g in GRADE_ORDER if GRADE_ORDER[g] < GRADE_ORDER[spec.knockout_cap]]
    out: list[int] = []
    for start in range(0, len(under), 5000):
        out += CreditProfile.objects.filter(customer_id__in=under[start:start + 5000], grade__in=better).values_list(
            "customer_id", flat=True)
    return sorted(out)
