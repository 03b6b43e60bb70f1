"""The dual-review queue (/reviews/): the changes waiting, scoped by portfolio, and the steps on them.

The queue reads through `queries.queue` (core.permissions.scope): a change of a customer outside the
user's portfolio is "not found". Confirm and reject need `reviews.confirm_change` (403 before any
lookup); withdraw is the requester's. The actions decide and audit; a refusal is shown on the queue.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, queries
from .choices import ChangeStatus
from .exceptions import ReviewError
from .forms import ALL, DecisionForm, QueueFilterForm

PAGE_SIZE = 50


@login_required
@permission_required("reviews.view_pendingchange", raise_exception=True)
def review_queue(request):
    user = request.user
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    status = filters.get("status", ChangeStatus.PENDING)
    changes = queries.queue(user)
    if kind := filters.get("kind"):
        changes = changes.filter(kind=kind)
    if code := filters.get("customer"):
        changes = changes.filter(customer__code=code)
    listed = changes if status == ALL else changes.filter(status=status)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    masked = not user.has_perm(queries.CONFIRM)
    rows = [{"change": c, "fields": c.rows(masked=masked), "decide": queries.may_decide(user, c),
             "withdraw": queries.may_withdraw(user, c)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/queue.html", {
        "form": form, "page": page, "rows": rows, "status": status, "query": query.urlencode(),
        "waiting_for_me": queries.waiting_for(user).count(), "confirms": user.has_perm(queries.CONFIRM),
    })


@require_POST
@login_required
@permission_required("reviews.confirm_change", raise_exception=True)
def review_confirm(request, pk: int):
    return _step(request, pk, lambda change, note: actions.confirm_change(actor=request.user, change=change,
                                                                          note=note),
                 _("Confirmed: the change of %(what)s has taken effect."))


@require_POST
@login_required
@permission_required("reviews.confirm_change", raise_exception=True)
def review_reject(request, pk: int):
    return _step(request, pk, lambda change, note: actions.reject_change(actor=request.user, change=change,
                                                                         note=note),
                 _("Rejected: %(what)s keeps its stored values."))


@require_POST
@login_required
@permission_required("reviews.view_pendingchange", raise_exception=True)
def review_withdraw(request, pk: int):
    return _step(request, pk, lambda change, note: actions.withdraw_change(actor=request.user, change=change,
                                                                           note=note),
                 _("Withdrawn: %(what)s keeps its stored values."))


def _step(request, pk: int, step, done: str):
    change = get_object_or_404(queries.queue(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        step(change, note)
    except ReviewError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"what": f"{change.customer.code} {change.customer.name}"})
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "review-queue"
