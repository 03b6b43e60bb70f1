"""Credit pages: the credit section of the customer page, the credit overview (/credit/), the flags form
and the manual re-assessment.

Design decisions:
- Every query starts from `visible_customers(user)` or `scope(queryset, user)`: a customer of another
  portfolio is "not found" (404), a missing permission is 403. The customer page's credit section shows
  only the parts the user's role may read (assessments, guarantees and proposals have their own view
  permissions; sales see grade, limit and flags).
- Live figures (exposure, available, overdue, stop-supply) come from `credit.figures`, the same numbers
  the credit check on sales orders uses.
- Charts are plotly figures as JSON (drawn by web/static/web/app.js; no inline script).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core import dates
from fengkong.core.charts import CONFIG, layout
from fengkong.core.money import format_amount
from fengkong.core.permissions import scope
from fengkong.customers.queries import visible_customers

from .. import figures, reasons
from ..actions.assessments import assess_now
from ..actions.flags import set_flags
from ..choices import GRADE_COLOURS, Dimension, FeedbackStatus, Grade, ProposalStatus
from ..exceptions import CreditError, PolicyInvalid
from ..models import Assessment, CreditProfile, Guarantee, LimitProposal, RiskFeedback

HISTORY_ROWS = 20
DUE_SOON_DAYS = 30
LIST_ROWS = 10
STANDING_CHUNK = 2000
NOT_ASSESSED = ""


def grade_label(grade: str) -> str:
    return Grade(grade).label if grade in Grade.values else _("Not assessed")


# --- charts -------------------------------------------------------------------------------------------


def dimension_figure(rows: list[dict], height: int = 240) -> dict:
    """The latest assessment's dimension scores (0–100) as horizontal bars."""
    return {"config": CONFIG, "data": [{
        "type": "bar", "orientation": "h", "y": [str(r["label"]) for r in rows], "x": [r["score"] for r in rows],
        "text": [f"{r['score']:.1f}" for r in rows], "textposition": "auto",
        "hovertemplate": "%{y}: %{x:.1f}<extra></extra>", "marker": {"color": "#2c6cb0"},
    }], "layout": layout(height, xaxis={"range": [0, 100], "automargin": True, "title": {"text": _("Score")}},
                          yaxis={"autorange": "reversed", "automargin": True})}


def score_history_figure(assessments: list[Assessment], height: int = 200) -> dict:
    ordered = sorted(assessments, key=lambda a: (a.as_of, a.pk))
    return {"config": CONFIG, "data": [{
        "type": "scatter", "mode": "lines+markers", "x": [a.as_of.isoformat() for a in ordered],
        "y": [float(a.total) for a in ordered], "text": [a.grade for a in ordered],
        "hovertemplate": "%{x}: %{y:.1f} (%{text})<extra></extra>",
        "marker": {"color": [GRADE_COLOURS.get(a.grade, "#4a5568") for a in ordered], "size": 9},
        "line": {"color": "#94a3b8"},
    }], "layout": layout(height, yaxis={"range": [0, 100], "automargin": True, "title": {"text": _("Score")}},
                          xaxis={"type": "category", "automargin": True})}


def grade_figure(rows: list[dict], height: int = 260) -> dict:
    """Exposure by grade (bars), with the number of customers in the hover text."""
    return {"config": CONFIG, "data": [{
        "type": "bar", "x": [str(r["label"]) for r in rows], "y": [float(r["exposure"]) for r in rows],
        "text": [f"{format_amount(r['exposure'])} · {r['customers']}" for r in rows], "textposition": "none",
        "hovertemplate": "%{x}<br>%{text}<extra></extra>", "marker": {"color": [r["colour"] for r in rows]},
    }], "layout": layout(height, yaxis={"title": {"text": _("Exposure (CNY)")}, "tickformat": ",.0f",
                                         "rangemode": "tozero", "automargin": True},
                          xaxis={"automargin": True})}


# --- the credit section of the customer page ----------------------------------------------------------

def describe_reason(reason) -> str:
    """A reason in the reader's language; an unknown shape shows its code rather than break the page."""
    try:
        return str(reasons.describe(reason)) if isinstance(reason, dict) else str(reason)
    except Exception:  # noqa: BLE001 - a reason written by a newer engine must not break the customer page
        return str(reason.get("code", reason))


def dimension_rows(assessment: Assessment) -> list[dict]:
    rows = []
    for name in Dimension.values:
        value = (assessment.scores or {}).get(name)
        score = value.get("score") if isinstance(value, dict) else value
        if isinstance(score, int | float | Decimal) and not isinstance(score, bool):
            metrics = value.get("metrics", {}) if isinstance(value, dict) else {}
            rows.append({"name": name, "label": Dimension(name).label, "score": float(score),
                         "metrics": [{"label": reasons.metric_label(m), "points": _points(p)}
                                     for m, p in (metrics.items() if isinstance(metrics, dict) else [])]})
    return rows


def _points(value):
    return value.get("points") if isinstance(value, dict) else value


def missing_rows(assessment: Assessment) -> list[str]:
    """Missing inputs with the rule applied, in words."""
    return [reasons.describe_missing(item) if isinstance(item, dict) else str(item)
            for item in assessment.missing or []]


def credit_context(customer, user) -> dict | None:
    """What the customer page's credit section shows this user; None when their role has no credit view."""
    if not user.has_perm("credit.view_creditprofile"):
        return None
    today = dates.business_today()
    profile = scope(CreditProfile.objects.filter(customer=customer), user).select_related("owner").first()
    live = figures.standing(customer, today)
    context = {
        "profile": profile, "live": live, "today": today, "grade": live.grade,
        "grade_label": grade_label(live.grade), "grade_colour": GRADE_COLOURS.get(live.grade, "#4a5568"),
        "utilisation_gauge": min(float(live.utilisation_percent), 100.0) if live.utilisation_percent else 0,
        "can_assess": user.has_perm("credit.run_assessment"), "can_propose": user.has_perm("credit.propose_limit"),
        "can_flag": user.has_perm("credit.flag_customer"),
        "propose_url": reverse("credit-propose", args=[customer.code]),
        # None: the role may not read it (the template tells that from "nothing on file")
        "history": None, "assessment": None, "guarantees": None, "pending": None,
    }
    if user.has_perm("credit.view_assessment"):
        history = list(scope(Assessment.objects.filter(customer=customer), user).select_related(
            "triggered_by")[:HISTORY_ROWS])
        latest = (profile.assessment if profile and profile.assessment_id else None) or (history[0] if history
                                                                                          else None)
        context["history"] = history
        context["history_chart"] = score_history_figure(history) if len(history) > 1 else None
        if latest is not None:
            rows = dimension_rows(latest)
            context.update(assessment=latest, dimensions=rows, missing=missing_rows(latest),
                           reasons=[describe_reason(r) for r in latest.reasons or []],
                           dimension_chart=dimension_figure(rows) if rows else None)
    if user.has_perm("credit.view_guarantee"):
        context["guarantees"] = list(scope(Guarantee.objects.filter(customer=customer), user))
    if user.has_perm("credit.view_limitproposal"):
        pending = scope(LimitProposal.objects.filter(customer=customer, status=ProposalStatus.PENDING), user).first()
        context["pending"] = pending
        if pending is not None:
            context["pending_url"] = reverse("credit-proposal", args=[pending.pk])
    return context


# --- the credit overview ------------------------------------------------------------------------------

def _standings(customer_ids: list[int], today) -> dict[int, figures.Standing]:
    out: dict[int, figures.Standing] = {}
    for start in range(0, len(customer_ids), STANDING_CHUNK):
        out.update(figures.standing_many(customer_ids[start:start + STANDING_CHUNK], today))
    return out


def overview_context(user) -> dict:
    today = dates.business_today()
    customers = visible_customers(user)
    live = _standings(list(customers.values_list("pk", flat=True)), today)
    by_grade: dict[str, dict] = {g: {"customers": 0, "exposure": Decimal("0.00"), "limit": Decimal("0.00")}
                                 for g in [*Grade.values, NOT_ASSESSED]}
    for s in live.values():
        row = by_grade[s.grade if s.grade in Grade.values else NOT_ASSESSED]
        row["customers"] += 1
        row["exposure"] += s.exposure
        row["limit"] += s.limit
    grades = [{"grade": g, "label": grade_label(g), "colour": GRADE_COLOURS.get(g, "#94a3b8"), **row}
              for g, row in by_grade.items()]
    over = sorted((s for s in live.values() if s.limit > 0 and s.available < 0), key=lambda s: s.available)
    unlimited = [s for s in live.values() if s.limit == 0 and s.exposure > 0]
    profiles = scope(CreditProfile.objects.all(), user).filter(customer__in=customers)
    overdue_reviews = profiles.filter(next_review__lt=today)
    due_reviews = profiles.filter(next_review__gte=today, next_review__lte=today + timedelta(days=DUE_SOON_DAYS))
    shown = customers.in_bulk([s.customer_id for s in over[:LIST_ROWS]])
    return {
        "today": today, "grades": grades, "grade_chart": grade_figure(grades),
        "total_limit": sum((s.limit for s in live.values()), Decimal("0.00")),
        "total_exposure": sum((s.exposure for s in live.values()), Decimal("0.00")),
        "over_limit_count": len(over), "unlimited_count": len(unlimited),
        "over_limit": [{"standing": s, "customer": shown[s.customer_id], "over_by": -s.available} for s in over[:LIST_ROWS]],
        "reviews_overdue": overdue_reviews.count(),
        "reviews_due": due_reviews.count(),
        "review_list": list(overdue_reviews.select_related("customer").order_by("next_review")[:LIST_ROWS]),
        "not_assessed": list(customers.exclude(credit__grade__in=Grade.values).order_by("code")[:LIST_ROWS]),
        "not_assessed_count": by_grade[NOT_ASSESSED]["customers"],
        "pending_count": (scope(LimitProposal.objects.filter(status=ProposalStatus.PENDING), user).count()
                          if user.has_perm("credit.view_limitproposal") else None),
        "approvals_url": reverse("credit-approvals"),
        "feedback_new": (scope(RiskFeedback.objects.filter(status=FeedbackStatus.NEW), user)
                         .select_related("customer", "author")[:LIST_ROWS]
                         if user.has_perm("credit.view_riskfeedback") else None),
        "feedback_new_count": (scope(RiskFeedback.objects.filter(status=FeedbackStatus.NEW), user).count()
                               if user.has_perm("credit.view_riskfeedback") else 0),
    }


@login_required
@permission_required("credit.view_creditprofile", raise_exception=True)
def overview(request):
    return render(request, "credit/profile_overview.html", overview_context(request.user))


# --- flags and re-assessment --------------------------------------------------------------------------

class FlagsForm(forms.Form):
    blacklisted = forms.BooleanField(label=gettext_lazy("Blacklisted"), required=False)
    litigation = forms.BooleanField(label=gettext_lazy("Litigation"), required=False)
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Required: kept in the audit trail with the change."))


def _visible_customer(request, code: str):
    return get_object_or_404(visible_customers(request.user).select_related("portfolio"), code=code)


@login_required
@permission_required("credit.flag_customer", raise_exception=True)
def flags(request, code: str):
    customer = _visible_customer(request, code)
    profile = CreditProfile.objects.filter(customer=customer).first()
    initial = {"blacklisted": bool(profile and profile.blacklisted), "litigation": bool(profile and profile.litigation)}
    form = FlagsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_flags(actor=request.user, customer=customer, blacklisted=form.cleaned_data["blacklisted"],
                      litigation=form.cleaned_data["litigation"], reason=form.cleaned_data["reason"])
        except CreditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Credit flags of %(customer)s saved.") % {"customer": customer.name})
            return redirect("customer-detail", code=customer.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "credit/profile_flags.html", {"customer": customer, "profile": profile, "form": form},
                  status=status)


@require_POST
@login_required
@permission_required("credit.run_assessment", raise_exception=True)
def assess(request, code: str):
    customer = _visible_customer(request, code)
    try:
        assess_now(actor=request.user, customer=customer)
    except (CreditError, PolicyInvalid) as exc:
        messages.error(request, _("The assessment could not run: %(error)s") % {"error": exc})
    else:
        profile = CreditProfile.objects.filter(customer=customer).first()
        messages.success(request, _("%(customer)s re-assessed: grade %(grade)s.") % {
            "customer": customer.name, "grade": grade_label(profile.grade if profile else "")})
    return redirect(f"{reverse('customer-detail', args=[customer.code])}#credit")


urlpatterns = [
    path("", overview, name="credit-overview"),
    path("customers/<key:code>/flags/", flags, name="credit-flags"),
    path("customers/<key:code>/assess/", assess, name="credit-assess"),
]
