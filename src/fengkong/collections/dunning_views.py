"""The dunning page of a customer (/collections/customers/<code>/dunning/): the letter of today's figures, sent
by email or post or downloaded, the dunning log with its sent/delivered tracking, and pausing dunning.

Scoping as on the other collections pages: the customer comes from `visible_customers`, so another portfolio's is
"not found"; the actions check the role (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.permissions import require
from fengkong.customers.queries import visible_customers

from . import dunning
from .choices import LetterChannel, LetterStatus
from .dunning_forms import DeliveredForm, LetterForm, PauseForm
from .exceptions import CollectionsError
from .models import DunningLetter, DunningPause

ROWS = 50
CONTENT_TYPES = {"pdf": "application/pdf", "docx": dunning.DOCX_TYPE}


def _customer(request, code: str):
    return get_object_or_404(visible_customers(request.user), code=code)


def _context(request, customer, **forms) -> dict:
    today, user = dates.business_today(), request.user
    items = dunning.dunning_items(customer, today)
    initial = {"level": dunning.suggested_level(customer), "language": dunning.customer_language(customer),
               "channel": LetterChannel.EMAIL, "recipient": dunning.primary_email(customer), "format": "pdf"}
    return {
        "customer": customer, "today": today, "items": items, "totals": dunning.totals_of(items),
        "held": dunning.held_because(customer, today), "pause": dunning.active_pause(customer, today),
        "letters": list(DunningLetter.objects.filter(customer=customer).select_related("created_by", "docx", "pdf")
                        [:ROWS]),
        "pauses": list(DunningPause.objects.filter(customer=customer).select_related("created_by", "ended_by")[:10]),
        "letter_form": forms.get("letter_form") or LetterForm(initial=initial),
        "pause_form": forms.get("pause_form") or PauseForm(),
        "delivered_form": DeliveredForm(initial={"delivered_on": today}),
        "can_send": user.has_perm("collections.send_dunning"),
        "can_final": user.has_perm("collections.send_final_demand"),
        "can_pause": user.has_perm("collections.pause_dunning"),
        "sent_status": LetterStatus.SENT,
    }


@login_required
@permission_required("collections.view_dunningletter", raise_exception=True)
def dunning_page(request, code: str):
    customer = _customer(request, code)
    return render(request, "collections/dunning.html", _context(request, customer))


def _invalid(request, customer, name: str, form):
    return render(request, "collections/dunning.html", _context(request, customer, **{name: form}), status=400)


@require_POST
@login_required
def dunning_send(request, code: str):
    """Write today's letter and send it by email, or record it as posted by EMS."""
    customer = _customer(request, code)
    require(request.user, "collections.send_dunning")
    form = LetterForm(request.POST)
    if not form.is_valid() or not form.cleaned_data.get("channel"):
        if form.is_bound and not form.errors:
            form.add_error("channel", _("Choose how the letter goes: email or post."))
        return _invalid(request, customer, "letter_form", form)
    data = form.cleaned_data
    try:
        letter, _files = dunning.write_letter(actor=request.user, customer=customer, level=data["level"],
                                              language=data["language"], channel=data["channel"],
                                              recipient=data.get("recipient") or "",
                                              ems_number=data.get("ems_number") or "")
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "letter_form", form)
    letter.refresh_from_db()
    if letter.status == LetterStatus.FAILED:
        messages.error(request, _("The letter was written and kept, but the mail server refused it: %(error)s")
                       % {"error": letter.last_error})
    else:
        messages.success(request, _("%(level)s %(status)s: %(to)s.") % {
            "level": letter.get_level_display(), "status": letter.get_status_display().lower(),
            "to": letter.ems_number or letter.recipient})
    return redirect("collections-dunning", code=customer.code)


@require_POST
@login_required
def dunning_download(request, code: str):
    """Write today's letter (kept as evidence like every letter) and hand over its PDF or DOCX."""
    customer = _customer(request, code)
    require(request.user, "collections.send_dunning")
    form = LetterForm(request.POST)
    if not form.is_valid():
        return _invalid(request, customer, "letter_form", form)
    data = form.cleaned_data
    try:
        _letter, files = dunning.write_letter(actor=request.user, customer=customer, level=data["level"],
                                              language=data["language"], channel=LetterChannel.DOWNLOAD)
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "letter_form", form)
    wanted = data.get("format") or "pdf"
    name, content = next((n, c) for n, c in files.items() if n.endswith(f".{wanted}"))
    response = HttpResponse(content, content_type=CONTENT_TYPES[wanted])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def dunning_pause(request, code: str):
    customer = _customer(request, code)
    require(request.user, "collections.pause_dunning")
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, customer, "pause_form", form)
    try:
        pause = dunning.pause_dunning(actor=request.user, customer=customer, reason=form.cleaned_data["reason"],
                                      until=form.cleaned_data["until"])
    except CollectionsError as exc:
        form.add_error(None, str(exc))
        return _invalid(request, customer, "pause_form", form)
    messages.success(request, _("Dunning paused until %(until)s.") % {"until": pause.until})
    return redirect("collections-dunning", code=customer.code)


@require_POST
@login_required
def dunning_resume(request, pk: int):
    pause = get_object_or_404(DunningPause.objects.for_user(request.user).select_related("customer"), pk=pk)
    require(request.user, "collections.pause_dunning")
    try:
        dunning.end_pause(actor=request.user, pause=pause)
        messages.success(request, _("Dunning resumed."))
    except CollectionsError as exc:
        messages.error(request, str(exc))
    return redirect("collections-dunning", code=pause.customer.code)


@require_POST
@login_required
def dunning_delivered(request, pk: int):
    letter = get_object_or_404(DunningLetter.objects.for_user(request.user).select_related("customer"), pk=pk)
    require(request.user, "collections.send_dunning")
    form = DeliveredForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("collections-dunning", code=letter.customer.code)
    try:
        dunning.mark_delivered(actor=request.user, letter=letter, on=form.cleaned_data["delivered_on"])
        messages.success(request, _("Delivery recorded."))
    except CollectionsError as exc:
        messages.error(request, str(exc))
    return redirect("collections-dunning", code=letter.customer.code)
