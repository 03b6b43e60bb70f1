"""The phone-friendly sales page (find a customer, see whether it can buy on credit, report a risk) and
the credit analysts' list of risk feedback.

Design decisions:
- Built for a 375 px screen first: cards, not tables; the search answers as you type (htmx swaps the
  results), and works without JavaScript as a plain GET form.
- Everything is scoped by `visible_customers`: a salesperson finds only the customers of their
  portfolios, and another portfolio's customer is "not found" (404).
- The figures are `credit.figures` (one query for a whole page of cards), the same the credit check uses.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.permissions import require, scope
from fengkong.customers.queries import visible_customers

from .. import figures
from ..actions.feedback import MAX_NOTE, MAX_TEXT, review_feedback, submit_feedback
from ..choices import GRADE_COLOURS, FeedbackCategory, FeedbackStatus
from ..exceptions import CreditError
from ..models import RiskFeedback
from .profile import grade_label

CARDS = 20
FEEDBACK_PAGE = 50
ZONES = ((90, "danger", gettext_lazy("Danger (90+ days overdue)")),
         (60, "warning", gettext_lazy("Warning (60+ days overdue)")),
         (30, "attention", gettext_lazy("Attention (30+ days overdue)")),
         (1, "overdue", gettext_lazy("Overdue")),
         (0, "normal", gettext_lazy("Nothing overdue")))


def zone_of(days_overdue: int) -> tuple[str, str]:
    """The article's zones (§4) by the oldest overdue item: (css name, label)."""
    for low, name, label in ZONES:
        if days_overdue >= low:
            return name, str(label)
    return "normal", str(ZONES[-1][2])


class SalesSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Find a customer"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": gettext_lazy("Name, code or credit code"),
                                                      "inputmode": "search"}))


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What kind of risk"), choices=FeedbackCategory.choices)
    text = forms.CharField(label=gettext_lazy("What you saw"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ReviewForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("New first, all")), *FeedbackStatus.choices])
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False,
                                 choices=[("", gettext_lazy("Any")), *FeedbackCategory.choices])
    q = forms.CharField(label=gettext_lazy("Customer"), required=False, max_length=100)

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


def cards(customers, today) -> list[dict]:
    """A card per customer: who, grade, available limit, overdue status, stop-supply."""
    customers = list(customers)
    live = figures.standing_many([c.pk for c in customers], today)
    out = []
    for customer in customers:
        s = live[customer.pk]
        zone, zone_label = zone_of(s.max_days_overdue)
        out.append({"customer": customer, "live": s, "grade_label": grade_label(s.grade),
                    "grade_colour": GRADE_COLOURS.get(s.grade, "#4a5568"), "zone": zone, "zone_label": zone_label})
    return out


def search(customers, text: str):
    text = text.strip()
    if text:
        customers = customers.filter(Q(code__icontains=text) | Q(name__icontains=text)
                                     | Q(credit_code__icontains=text.upper()))
    return customers


@login_required
@permission_required("credit.view_creditprofile", raise_exception=True)
def sales_search(request):
    form = SalesSearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    found = search(visible_customers(request.user), text).order_by("code")
    context = {"form": form, "q": text, "total": found.count(),
               "cards": cards(found[:CARDS], dates.business_today())}
    partial = request.htmx and not request.htmx.boosted
    return render(request, "credit/sales_results.html" if partial else "credit/sales_search.html", context)


def _card_context(request, customer, form: FeedbackForm | None = None) -> dict:
    card = cards([customer], dates.business_today())[0]
    return {**card, "today": dates.business_today(), "form": form or FeedbackForm(),
            "can_report": request.user.has_perm("credit.submit_feedback"),
            "reported": scope(RiskFeedback.objects.filter(customer=customer), request.user)[:5]
            if request.user.has_perm("credit.view_riskfeedback") else None}


@login_required
@permission_required("credit.view_creditprofile", raise_exception=True)
def sales_customer(request, code: str):
    customer = get_object_or_404(visible_customers(request.user), code=code)
    return render(request, "credit/sales_customer.html", _card_context(request, customer))


@require_POST
@login_required
@permission_required("credit.submit_feedback", raise_exception=True)
def feedback_submit(request, code: str):
    customer = get_object_or_404(visible_customers(request.user), code=code)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            submit_feedback(actor=request.user, customer=customer, category=form.cleaned_data["category"],
                            text=form.cleaned_data["text"])
        except CreditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: your report on %(customer)s is in the credit analysts' inbox.")
                             % {"customer": customer.name})
            return redirect("credit-sales-customer", code=customer.code)
    return render(request, "credit/sales_customer.html", _card_context(request, customer, form), status=400)


# --- the analysts' list -------------------------------------------------------------------------------

@login_required
@permission_required("credit.view_riskfeedback", raise_exception=True)
def feedback_list(request):
    form = FeedbackFilterForm(request.GET)
    filters = form.filters()
    rows = scope(RiskFeedback.objects.all(), request.user).select_related("customer", "author", "reviewed_by")
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("category"):
        rows = rows.filter(category=filters["category"])
    if text := (filters.get("q") or "").strip():
        rows = rows.filter(Q(customer__code__icontains=text) | Q(customer__name__icontains=text))
    page = Paginator(rows.order_by("status", "-created_at", "-pk"), FEEDBACK_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "credit/sales_feedback.html", {
        "form": form, "page": page, "query": query.urlencode(), "review_form": ReviewForm(),
        "can_review": request.user.has_perm("credit.change_riskfeedback")})


@require_POST
@login_required
def feedback_review(request, pk: int):
    feedback = get_object_or_404(scope(RiskFeedback.objects.all(), request.user), pk=pk)
    require(request.user, "credit.change_riskfeedback")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long: at most %(max)d characters.") % {"max": MAX_NOTE})
    else:
        try:
            review_feedback(actor=request.user, feedback=feedback, note=form.cleaned_data["note"])
            messages.success(request, _("Feedback marked reviewed."))
        except CreditError as exc:
            messages.error(request, str(exc))
    return redirect("credit-feedback")


urlpatterns = [
    path("sales/", sales_search, name="credit-sales"),
    path("sales/<key:code>/", sales_customer, name="credit-sales-customer"),
    path("sales/<key:code>/feedback/", feedback_submit, name="credit-feedback-submit"),
    path("feedback/", feedback_list, name="credit-feedback"),
    path("feedback/<int:pk>/review/", feedback_review, name="credit-feedback-review"),
]
