"""Limit approvals: the approvals inbox, a proposal's page with its votes, and the proposal form.

As everywhere, proposals and customers come from scoped querysets (core.permissions): one outside the
user's portfolio is "not found" (404); a page or step the role does not include is 403. The forms only
parse input; the actions (credit.actions.limits) decide and audit.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core.money import from_fen
from fengkong.core.permissions import require, scope
from fengkong.customers.queries import visible_customers

from .. import queries
from ..actions import limits
from ..choices import ApprovalLevel, ProposalStatus, Vote
from ..exceptions import Conflict, CreditError, NotAllowed
from ..models import Assessment, CreditProfile, LimitProposal
from ..policy import current

PAGE_SIZE = 50
RECENT = 10
ALL = "all"
MAX_AMOUNT_TEXT = 30


# --- forms -------------------------------------------------------------------------------------------

class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [*ProposalStatus.choices, (ALL, gettext_lazy("All statuses"))]
        self.fields["level"].choices = [("", gettext_lazy("All levels")), *ApprovalLevel.choices]

    def filters(self) -> dict:
        self.is_valid()  # invalid values are dropped, never an error page
        return {k: v for k, v in self.cleaned_data.items() if v}


class ProposeForm(forms.Form):
    proposed_limit = forms.DecimalField(label=gettext_lazy("Proposed limit (CNY)"), min_value=0, max_digits=18,
                                        decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}))
    proposed_term_days = forms.IntegerField(label=gettext_lazy("Payment term (days)"), min_value=0,
                                            max_value=limits.MAX_TERM_DAYS)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=limits.MAX_REASON, strip=True,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": gettext_lazy("Say why the limit should change.")})
    assessment = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class VoteForm(forms.Form):
    vote = forms.ChoiceField(label=gettext_lazy("Vote"), choices=Vote.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=limits.MAX_COMMENT,
                              strip=True, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("vote") == Vote.REJECT and not data.get("comment"):
            self.add_error("comment", _("Say why you reject the proposal."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why withdraw it?"), max_length=limits.MAX_NOTE, strip=True,
                             error_messages={"required": gettext_lazy("Say why the proposal is withdrawn.")})


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form's fields (unknown fields on the form itself)."""
    for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
        form.add_error(field if field in form.fields else None, errors)


# --- the approvals inbox -----------------------------------------------------------------------------

def _proposals(user):
    return scope(LimitProposal.objects.all(), user).select_related("customer", "proposed_by", "decided_by") \
        .annotate(n_approve=Count("votes", filter=Q(votes__vote=Vote.APPROVE)),
                  n_reject=Count("votes", filter=Q(votes__vote=Vote.REJECT)))


@login_required
@permission_required("credit.view_limitproposal", raise_exception=True)
def approval_inbox(request):
    user = request.user
    form = InboxFilterForm(request.GET)
    filters = form.filters()
    status, level = filters.get("status", ProposalStatus.PENDING), filters.get("level")
    proposals = _proposals(user)
    if level:
        proposals = proposals.filter(level=level)
    mine = list(queries.waiting_for(user, proposals).order_by("proposed_at", "pk")[:PAGE_SIZE])
    listed = proposals if status == ALL else proposals.filter(status=status)
    page = Paginator(listed.order_by("-proposed_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    recent = (list(proposals.exclude(status=ProposalStatus.PENDING).order_by("-decided_at", "-pk")[:RECENT])
              if status == ProposalStatus.PENDING else None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "credit/approvals_inbox.html", {
        "form": form, "mine": mine, "page": page, "recent": recent, "status": status, "query": query.urlencode(),
        "votes_somewhere": any(user.has_perm(queries.vote_permission(lv)) for lv in ApprovalLevel.values),
    })


# --- one proposal ------------------------------------------------------------------------------------

def _visible_proposal(request, pk: int) -> LimitProposal:
    require(request.user, "credit.view_limitproposal")
    return get_object_or_404(_proposals(request.user).select_related("assessment"), pk=pk)


def _proposal_context(request, proposal: LimitProposal, vote_form=None, withdraw_form=None) -> dict:
    user = request.user
    votes = list(proposal.votes.select_related("voter"))
    members = queries.committee_members(exclude=proposal.proposed_by) \
        if proposal.level == ApprovalLevel.COMMITTEE else None
    voted = {v.voter_id for v in votes}
    return {
        "proposal": proposal, "customer": proposal.customer, "votes": votes,
        "assessment": proposal.assessment,
        "profile": CreditProfile.objects.filter(customer=proposal.customer).select_related("owner").first(),
        "members": members, "not_voted": [m for m in members if m.pk not in voted] if members is not None else None,
        "can_vote": queries.may_vote(user, proposal), "can_withdraw": queries.may_withdraw(user, proposal),
        "own": proposal.proposed_by_id == user.pk,
        "vote_form": vote_form or VoteForm(), "withdraw_form": withdraw_form or WithdrawForm(),
        "limit_change": proposal.proposed_limit - proposal.current_limit,
    }


@login_required
def proposal_detail(request, pk: int):
    proposal = _visible_proposal(request, pk)
    return render(request, "credit/approvals_proposal.html", _proposal_context(request, proposal))


@require_POST
@login_required
def proposal_vote(request, pk: int):
    proposal = _visible_proposal(request, pk)
    require(request.user, queries.vote_permission(proposal.level))
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            limits.vote(actor=request.user, proposal=proposal, vote=form.cleaned_data["vote"],
                           comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            add_errors(form, exc)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except CreditError as exc:
            messages.error(request, str(exc))
            return redirect("credit-proposal", pk=pk)
        else:
            proposal.refresh_from_db()
            messages.success(request, _("Your vote is recorded. The proposal is now: %(status)s.")
                             % {"status": proposal.get_status_display()})
            return redirect("credit-proposal", pk=pk)
    return render(request, "credit/approvals_proposal.html", _proposal_context(request, proposal, vote_form=form),
                  status=400)


@require_POST
@login_required
def proposal_withdraw(request, pk: int):
    proposal = _visible_proposal(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            limits.withdraw(actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except (Conflict, CreditError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The proposal is withdrawn."))
        return redirect("credit-proposal", pk=pk)
    return render(request, "credit/approvals_proposal.html",
                  _proposal_context(request, proposal, withdraw_form=form), status=400)


# --- proposing a limit -------------------------------------------------------------------------------

def _amount(text: str | None) -> Decimal | None:
    try:
        return limits.clean_limit((text or "")[:MAX_AMOUNT_TEXT])
    except ValidationError:
        return None


def _level_context(customer, amount: Decimal | None) -> dict:
    step = queries.required_step(customer, amount) if amount is not None else None
    return {"step": step, "step_level": ApprovalLevel(step.level).label if step else None, "amount": amount}


def level_rows() -> list[dict]:
    """The policy's approval levels for reading: up to which limit (yuan, None: no bound), who, how many."""
    return [{"up_to": from_fen(s.up_to_fen) if s.up_to_fen is not None else None,
             "label": ApprovalLevel(s.level).label, "committee": s.level == ApprovalLevel.COMMITTEE,
             "votes": s.votes} for s in current().approval_levels]


@login_required
@permission_required("credit.propose_limit", raise_exception=True)
def propose(request, code: str):
    customer = get_object_or_404(visible_customers(request.user).select_related("portfolio"), code=code)
    profile = CreditProfile.objects.filter(customer=customer).select_related("owner", "assessment").first()
    assessment = Assessment.objects.filter(customer=customer).order_by("-as_of", "-pk").first()
    if request.htmx and request.method == "GET" and "proposed_limit" in request.GET:
        return render(request, "credit/approvals_level.html",
                      _level_context(customer, _amount(request.GET.get("proposed_limit"))))
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            chosen = None
            if form.cleaned_data["assessment"]:
                chosen = Assessment.objects.filter(customer=customer, pk=form.cleaned_data["assessment"]).first()
            try:
                proposal = limits.propose_limit(
                    actor=request.user, customer=customer, proposed_limit=form.cleaned_data["proposed_limit"],
                    proposed_term_days=form.cleaned_data["proposed_term_days"], reason=form.cleaned_data["reason"],
                    assessment=chosen, grade=chosen.grade if chosen else "")
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The proposal is sent for approval."))
                return redirect("credit-proposal", pk=proposal.pk)
    else:
        initial = {"proposed_term_days": profile.term_days if profile else 0}
        if assessment is not None:
            initial.update(proposed_limit=assessment.suggested_limit,
                           proposed_term_days=assessment.suggested_term_days, assessment=assessment.pk)
        form = ProposeForm(initial=initial)
    amount = _amount(str(form["proposed_limit"].value() or ""))
    pending = LimitProposal.objects.filter(customer=customer, status=ProposalStatus.PENDING).first()
    return render(request, "credit/approvals_propose.html", {
        "customer": customer, "profile": profile, "assessment": assessment, "form": form, "pending": pending,
        "levels": level_rows(), **_level_context(customer, amount),
    }, status=400 if request.method == "POST" else 200)


urlpatterns = [
    path("approvals/", approval_inbox, name="credit-approvals"),
    path("proposals/<int:pk>/", proposal_detail, name="credit-proposal"),
    path("proposals/<int:pk>/vote/", proposal_vote, name="credit-proposal-vote"),
    path("proposals/<int:pk>/withdraw/", proposal_withdraw, name="credit-proposal-withdraw"),
    path("customers/<key:code>/propose/", propose, name="credit-propose"),
]
