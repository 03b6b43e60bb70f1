"""The in-app inbox at /inbox/: the signed-in user's own messages, newest first, with mark read.

Design decisions:
- Every query starts from `InboxMessage.objects.for_user(request.user)`, so another user's message is
  never shown, and marking another user's message id read (notifications.actions) changes nothing (it is
  silently ignored, like an id that does not exist: no hint that it does).
- Buttons post forms (with the CSRF token). Through htmx the refreshed list is swapped in, with the
  navigation's unread badge swapped out-of-band; without htmx the POST redirects back to the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, digests
from .choices import LEVEL_RANK, AlertDelivery
from .forms import PreferenceForm
from .models import Digest, InboxMessage, NotificationPreference

PAGE_SIZE = 50
SHOW_CHOICES = ("all", "unread")


def _inbox_context(request, query: QueryDict) -> dict:
    show = query.get("show")
    show = show if show in SHOW_CHOICES else "all"
    rows = InboxMessage.objects.for_user(request.user).select_related("alert")
    if show == "unread":
        rows = rows.unread()
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(query.get("page"))
    for message in page.object_list:
        message.level_number = LEVEL_RANK.get(message.level, 0) + 1  # the monitoring badge classes, 1..4
    keep = QueryDict(mutable=True)
    keep["show"] = show
    if page.number > 1:
        keep["page"] = str(page.number)
    return {"page": page, "show": show, "query": keep.urlencode()}


def _preference_form(user) -> PreferenceForm:
    chosen = NotificationPreference.objects.filter(user=user).values_list("alerts", flat=True).first()
    return PreferenceForm(initial={"alerts": chosen or AlertDelivery.DIGEST})


@login_required
def inbox(request):
    context = _inbox_context(request, request.GET)
    partial = request.htmx and not request.htmx.boosted
    if partial:
        context["swap_badge"] = True
    else:
        context["preference_form"] = _preference_form(request.user)
    return render(request, "notifications/_inbox_results.html" if partial else "notifications/inbox.html", context)


def _after_post(request):
    query = QueryDict(request.POST.get("query", "")[:2000])
    if request.htmx:
        context = _inbox_context(request, query)
        context["swap_badge"] = True
        return render(request, "notifications/_inbox_results.html", context)
    context = _inbox_context(request, query)  # only the cleaned show/page go back into the URL
    return redirect(f"{reverse('inbox')}?{context['query']}")


@require_POST
@login_required
def mark_read(request, pk: int):
    actions.mark_message_read(actor=request.user, message_id=pk)
    return _after_post(request)


@require_POST
@login_required
def mark_all_read(request):
    actions.mark_all_read(actor=request.user)
    return _after_post(request)


@require_POST
@login_required
def preferences(request):
    form = PreferenceForm(request.POST)
    if form.is_valid():
        actions.set_alert_delivery(actor=request.user, alerts=form.cleaned_data["alerts"])
        messages.success(request, _("Saved: how your alerts arrive."))
    else:
        messages.error(request, _("Choose how your alerts arrive: %(choices)s.") % {
            "choices": ", ".join(str(label) for label in AlertDelivery.labels)})
    return redirect("inbox")


@login_required
def digest(request, pk: int):
    """One of the signed-in user's digests, by customer; only the customers they may see (404 for another's)."""
    found = get_object_or_404(Digest.objects.for_user(request.user).select_related("user"), pk=pk)
    listed, title = digests.summary(found)
    return render(request, "notifications/digest.html", {"digest": found, "groups": listed, "title": title})
