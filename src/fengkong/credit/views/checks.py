"""Credit-check pages under /credit/checks/: the list (held and override-requested orders first) and one
check with its reasons, the customer's figures now, and the forms of what may happen next.

A check outside the user's portfolio is "not found" (404); a step the role does not include is 403
(raised by the actions). Buttons post forms with the CSRF token and come back to the check's page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core.permissions import require, scope

from ..actions import checks
from ..choices import CheckStatus, Decision
from ..exceptions import CreditError
from ..figures import standing
from ..models import CreditCheck
from ..queries import visible_check

PAGE_SIZE = 50
DECISION_BADGES = {Decision.APPROVE: "badge-green", Decision.HOLD: "badge-amber", Decision.BLOCK: "level-4"}
STATUS_BADGES = {CheckStatus.RESERVED: "badge-green", CheckStatus.HELD: "badge-amber",
                 CheckStatus.OVERRIDE_REQUESTED: "level-3", CheckStatus.BLOCKED: "level-4",
                 CheckStatus.RELEASED: "badge-grey", CheckStatus.CANCELLED: "badge-grey"}
ATTENTION = (CheckStatus.HELD, CheckStatus.OVERRIDE_REQUESTED)


class CheckFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Order, customer code or name"),
                                                      "type": "search"}))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any")), *CheckStatus.choices])
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), required=False,
                                 choices=[("", gettext_lazy("Any")), *Decision.choices])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why should this order go through?"), max_length=checks.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note for the requester"), required=False,
                           max_length=checks.MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why will the order not ship?"), required=False,
                             max_length=checks.MAX_REASON)


@login_required
@permission_required("credit.view_creditcheck", raise_exception=True)
def check_list(request):
    form = CheckFilterForm(request.GET)
    rows = scope(CreditCheck.objects.all(), request.user).select_related("customer", "requested_by")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            rows = rows.filter(Q(reference__icontains=q) | Q(customer__code__icontains=q)
                               | Q(customer__name__icontains=q))
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["decision"]:
            rows = rows.filter(decision=data["decision"])
    rows = rows.annotate(attention=Case(When(status__in=ATTENTION, then=Value(0)), default=Value(1),
                                        output_field=IntegerField())).order_by("attention", "-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for check in page.object_list:
        _badges(check)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(request, "credit/checks_list.html", {"form": form, "page": page, "query": keep.urlencode()})


def _badges(check: CreditCheck) -> None:
    check.decision_badge = DECISION_BADGES.get(check.decision, "badge-grey")
    check.status_badge = STATUS_BADGES.get(check.status, "badge-grey")


def _detail_context(request, check: CreditCheck, **forms_) -> dict:
    user = request.user
    _badges(check)
    reasons = [{"code": r["code"], "message": checks.reason_message(r), "figures": r.get("params") or {},
                "blocking": r["code"] in checks.BLOCKING} for r in check.reasons]
    own = user.pk in {check.requested_by_id, check.override_requested_by_id}
    may_request = user.has_perm("credit.request_check")
    return {
        "check": check, "reasons": reasons,
        "figures": standing(check.customer, timezone.localdate()) if user.has_perm("credit.view_creditprofile")
        else None,
        "can_request_override": may_request and check.status == CheckStatus.HELD,
        "can_decide": (user.has_perm("credit.approve_override") and check.status == CheckStatus.OVERRIDE_REQUESTED
                       and not own),
        "own_request": own and check.status == CheckStatus.OVERRIDE_REQUESTED,
        "can_release": may_request and check.status == CheckStatus.RESERVED,
        "can_cancel": may_request and check.status in checks.CANCELLABLE,
        "reason_form": forms_.get("reason_form") or ReasonForm(),
        "note_form": NoteForm(), "cancel_form": CancelForm(),
    }


@login_required
@permission_required("credit.view_creditcheck", raise_exception=True)
def check_detail(request, reference: str):
    check = visible_check(request.user, reference)
    return render(request, "credit/checks_detail.html", _detail_context(request, check))


def _act(request, reference: str, step, success: str):
    """Run one step on a visible check; refusals become messages on the check's page."""
    check = visible_check(request.user, reference)
    try:
        step(check)
        messages.success(request, success)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except CreditError as exc:
        messages.error(request, str(exc))
    return redirect("credit-check", reference=check.reference)


@require_POST
@login_required
def check_override(request, reference: str):
    check = visible_check(request.user, reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        require(request.user, "credit.request_check")
        return render(request, "credit/checks_detail.html", _detail_context(request, check, reason_form=form),
                      status=400)
    return _act(request, reference, lambda c: checks.request_override(actor=request.user, check=c,
                                                                      reason=form.cleaned_data["reason"]),
                _("Override requested; a risk manager will decide."))


@require_POST
@login_required
def check_override_approve(request, reference: str):
    return _act(request, reference, lambda c: checks.approve_override(actor=request.user, check=c),
                _("Override approved: the amount is reserved and the order may ship."))


@require_POST
@login_required
def check_override_reject(request, reference: str):
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(request, reference, lambda c: checks.reject_override(actor=request.user, check=c, note=note),
                _("Override refused: the order stays held."))


@require_POST
@login_required
def check_release(request, reference: str):
    return _act(request, reference, lambda c: checks.release(actor=request.user, check=c),
                _("Reservation released: the order is invoiced."))


@require_POST
@login_required
def check_cancel(request, reference: str):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, reference, lambda c: checks.cancel(actor=request.user, check=c, reason=reason),
                _("Credit check cancelled."))


urlpatterns = [
    path("checks/", check_list, name="credit-checks"),
    path("checks/<key:reference>/", check_detail, name="credit-check"),
    path("checks/<key:reference>/override/", check_override, name="credit-check-override"),
    path("checks/<key:reference>/override/approve/", check_override_approve, name="credit-check-override-approve"),
    path("checks/<key:reference>/override/reject/", check_override_reject, name="credit-check-override-reject"),
    path("checks/<key:reference>/release/", check_release, name="credit-check-release"),
    path("checks/<key:reference>/cancel/", check_cancel, name="credit-check-cancel"),
]
