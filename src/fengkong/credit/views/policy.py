"""The credit policy editor: the version in force in readable tables, its history, a JSON editor with a
what-if preview on the whole book, and one version's page where another risk manager decides it.

Preview never writes: it validates the settings (every problem listed) and runs credit.grading.preview.
Proposing stores the version with the same preview as a snapshot (credit.actions.policies.propose_policy).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core import charts
from fengkong.core.money import format_amount, from_fen
from fengkong.core.permissions import require

from .. import grading, queries
from .. import policy as policy_module
from ..actions import policies
from ..choices import GRADE_COLOURS, ApprovalLevel, Dimension, Grade, GuaranteeRequirement, PolicyStatus
from ..exceptions import Conflict, CreditError, PolicyInvalid, SelfApproval
from ..models import CreditPolicy
from ..reasons import describe_missing_dimension, knockout_text, metric_label

MAX_CONFIG_CHARS = 200_000
MISSING_LABELS = {"worst": gettext_lazy("lowest points"), "neutral": gettext_lazy("neutral points"),
                  "exclude": gettext_lazy("left out, others carry its weight")}


class PolicyEditForm(forms.Form):
    config = forms.CharField(label=gettext_lazy("Settings (JSON)"), max_length=MAX_CONFIG_CHARS,
                             widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}))
    note = forms.CharField(label=gettext_lazy("What changes and why"), max_length=policies.MAX_NOTE,
                           required=False, strip=True)

    def clean_config(self):
        try:
            value = json.loads(self.cleaned_data["config"])
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                                  % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}) from None
        if not isinstance(value, dict):
            raise ValidationError(_("The settings must be a JSON object { … }."))
        return value


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", gettext_lazy("Approve: put it in force")),
                                          ("reject", gettext_lazy("Reject"))])
    note = forms.CharField(label=gettext_lazy("Note"), max_length=policies.MAX_NOTE, required=False, strip=True)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note"):
            self.add_error("note", _("Say why you reject this policy version."))
        return data


# --- readable tables of a spec -----------------------------------------------------------------------

def _band_text(threshold, points, higher: bool) -> str:
    if threshold is None:
        return _("otherwise: %(points)g") % {"points": points}
    sign = "≥" if higher else "≤"
    return f"{sign} {threshold:g}: {points:g}"


def spec_tables(spec: policy_module.CreditPolicySpec) -> dict:
    """The spec as rows for the page: dimensions with metrics and bands, grades, terms, approval levels."""
    total_weight = sum(d.weight for d in spec.dimensions) or 1
    dimensions = []
    for dim in spec.dimensions:
        metric_weight = sum(m.weight for m in dim.metrics) or 1
        metrics = [{
            "name": m.name, "label": metric_label(m.name), "weight": round(100 * m.weight / metric_weight, 1),
            "rule": (", ".join(f"{k}: {v:g}" for k, v in m.points.items()) if m.points
                     else " · ".join(_band_text(t, p, m.higher) for t, p in m.bands)),
            "higher": m.higher if not m.points else None,
            "missing": MISSING_LABELS.get(m.missing, m.missing)
            + (f" ({m.neutral_points:g})" if m.missing == "neutral" else ""),
        } for m in dim.metrics]
        rule, cap = spec.missing_dimensions.get(dim.name, ("metrics", None))
        dimensions.append({"name": Dimension(dim.name).label, "weight": round(100 * dim.weight / total_weight, 1),
                           "metrics": metrics, "when_missing": describe_missing_dimension(
                               {"dimension": dim.name, "dimension_rule": rule, "cap": cap})})
    terms = [{"grade": g, "colour": GRADE_COLOURS[g], "term_days": t.term_days,
              "guarantee": GuaranteeRequirement(t.guarantee).label, "revenue_share": t.revenue_share,
              "equity_share": t.equity_share, "sales_share": t.sales_share, "cap": from_fen(t.cap_fen),
              "collateral_share": t.collateral_share} for g, t in spec.terms.items()]
    levels = [{"up_to": from_fen(s.up_to_fen) if s.up_to_fen is not None else None,
               "label": ApprovalLevel(s.level).label, "votes": s.votes} for s in spec.approval_levels]
    return {"dimensions": dimensions, "cutoffs": dict(spec.grade_cutoffs), "terms": terms, "levels": levels,
            "alarm_cap": spec.industry_alarm_cap, "round_to": from_fen(spec.round_to_fen),
            "review_days": spec.review_interval_days, "large_order": from_fen(spec.large_order_fen),
            "change_percent": spec.propose_change_percent, "hold_days": spec.hold_overdue_days,
            "hold_review_expired": spec.hold_when_review_expired, "block_c": spec.block_grade_c_unsecured,
            "round_digits": spec.round_digits, "min_known_percent": round(spec.min_known_share * 100, 1),
            "little_known_cap": spec.little_known_cap, "knockout_cap": spec.knockout_cap,
            "knockouts": knockout_text(spec.knockouts)}


def changed_settings(old: dict, new: dict, prefix: str = "") -> list[dict]:
    """Settings that differ between two full configs, by dotted path."""
    rows = []
    for key in sorted(set(old) | set(new), key=str):
        a, b, where = old.get(key), new.get(key), f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            rows += changed_settings(a, b, f"{where}.")
        elif a != b:
            rows.append({"setting": where, "before": json.dumps(a, ensure_ascii=False),
                         "after": json.dumps(b, ensure_ascii=False)})
    return rows


# --- the what-if preview -----------------------------------------------------------------------------

GRADE_ORDER = [*Grade.values, ""]


def _grades(keys) -> list[str]:
    return sorted({str(k) for k in keys}, key=lambda g: (GRADE_ORDER.index(g) if g in GRADE_ORDER else 9, g))


def preview_context(preview: dict | None) -> dict | None:
    """The preview as a grade-move matrix (from rows × to columns), totals, and a bar chart."""
    if not preview:
        return None
    moves = preview.get("grade_moves") or {}
    rows = _grades(moves)
    columns = _grades({to for row in moves.values() if isinstance(row, dict) for to in row} | set(rows))
    matrix = [{"grade": r or "—", "cells": [{"n": _int((moves.get(r) or {}).get(c)), "same": r == c}
                                           for c in columns]} for r in rows]
    before = {g: sum(_int(n) for n in (moves.get(g) or {}).values()) for g in columns}
    after = {g: sum(_int((moves.get(r) or {}).get(g)) for r in rows) for g in columns}
    moving = sum(_int(n) for r in rows for c, n in (moves.get(r) or {}).items() if c != r)
    examples = [e for e in preview.get("examples") or [] if isinstance(e, dict)]
    return {"figures": preview.get("figures"), "matrix": matrix, "columns": [c or "—" for c in columns], "moving": moving,
            "customers": _int(preview.get("customers")), "raised": _int(preview.get("raised")),
            "lowered": _int(preview.get("lowered")), "limit_before": _money(preview.get("limit_before")),
            "limit_after": _money(preview.get("limit_after")), "examples": examples[:20],
            "example_keys": list(examples[0].keys()) if examples else [],
            "chart": grade_chart(columns, before, after),
            "mix_before": " · ".join(f"{g or '—'} {before[g]}" for g in columns),
            "mix_after": " · ".join(f"{g or '—'} {after[g]}" for g in columns)}


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _money(value) -> str:
    try:
        return format_amount(Decimal(str(value)))
    except Exception:  # noqa: BLE001 - a snapshot written by an older version: show it as it is
        return str(value or "—")


def grade_chart(grades: list[str], before: dict, after: dict, height: int = 260) -> dict:
    """Customers per grade under the policy in force and under the proposal, as grouped bars."""
    labels = [g or "—" for g in grades]
    return charts.figure([
        {"type": "bar", "name": _("In force"), "x": labels, "y": [before[g] for g in grades],
         "marker": {"color": "#a0aec0"}, "hovertemplate": "%{x}: %{y}<extra></extra>"},
        {"type": "bar", "name": _("Proposed"), "x": labels, "y": [after[g] for g in grades],
         "marker": {"color": [GRADE_COLOURS.get(g, "#4a5568") for g in grades]},
         "hovertemplate": "%{x}: %{y}<extra></extra>"},
    ], charts.layout(height, barmode="group", legend={"orientation": "h", "y": -0.2},
                     xaxis={"title": {"text": _("Grade")}, "type": "category"},
                     yaxis={"title": {"text": _("Customers")}, "rangemode": "tozero", "automargin": True}))


# --- pages -------------------------------------------------------------------------------------------

@login_required
@permission_required("credit.view_creditpolicy", raise_exception=True)
def policy_home(request):
    spec = policy_module.current()
    versions = list(CreditPolicy.objects.select_related("proposed_by", "decided_by").order_by("-version")[:100])
    return render(request, "credit/policy_home.html", {
        "spec": spec, "tables": spec_tables(spec), "versions": versions,
        "pending": [v for v in versions if v.status == PolicyStatus.PROPOSED],
    })


@login_required
@permission_required("credit.propose_creditpolicy", raise_exception=True)
def policy_new(request):
    spec = policy_module.current()
    problems, preview, status = None, None, 200
    if request.method == "POST":
        form = PolicyEditForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid():
            config, note = form.cleaned_data["config"], form.cleaned_data["note"]
            try:
                if action == "propose":
                    proposed = policies.propose_policy(actor=request.user, config=config, note=note)
                    messages.success(request, _("Version %(version)d is proposed; another risk manager decides it.")
                                     % {"version": proposed.version})
                    return redirect("credit-policy-version", version=proposed.version)
                full = dict(policy_module.parse(config).config)  # every problem first, then the what-if
                preview = preview_context(queries.preview_for(request.user, grading.preview(full)))
            except PolicyInvalid as exc:
                problems = exc.problems
        status = 400 if (problems or form.errors) else 200
    else:
        text = json.dumps(dict(spec.config), ensure_ascii=False, indent=2)
        form = PolicyEditForm(initial={"config": text})
    return render(request, "credit/policy_new.html", {
        "form": form, "problems": problems, "preview": preview, "spec": spec,
    }, status=status)


def _version(version: int) -> CreditPolicy:
    return get_object_or_404(CreditPolicy.objects.select_related("proposed_by", "decided_by"), version=version)


def _version_context(request, policy: CreditPolicy, form=None) -> dict:
    in_force = policy_module.current()
    try:
        tables = spec_tables(policy_module.parse(policy.config, policy.version))
    except PolicyInvalid:  # a version stored before a rule was added: show its settings as they are
        tables = None
    user = request.user
    return {
        "policy": policy, "tables": tables, "in_force": in_force,
        "preview": preview_context(queries.preview_for(user, policy.preview)),
        "changes": changed_settings(dict(in_force.config), policy_module.merged(policy.config)),
        "config_text": json.dumps(policy.config, ensure_ascii=False, indent=2),
        "can_decide": (policy.status == PolicyStatus.PROPOSED and user.has_perm("credit.approve_creditpolicy")
                       and policy.proposed_by_id != user.pk),
        "own": policy.proposed_by_id == user.pk, "form": form or DecideForm(),
    }


@login_required
@permission_required("credit.view_creditpolicy", raise_exception=True)
def policy_version(request, version: int):
    policy = _version(version)
    return render(request, "credit/policy_version.html", _version_context(request, policy))


@require_POST
@login_required
def policy_decide(request, version: int):
    require(request.user, "credit.approve_creditpolicy")
    policy = _version(version)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            policies.decide_policy(actor=request.user, policy=policy, approve=approve,
                                    note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        except (SelfApproval, Conflict, CreditError) as exc:
            messages.error(request, str(exc))
            return redirect("credit-policy-version", version=version)
        else:
            messages.success(request, _("Version %(version)d is in force.") % {"version": version} if approve
                             else _("Version %(version)d is rejected.") % {"version": version})
            return redirect("credit-policy-version", version=version)
    return render(request, "credit/policy_version.html", _version_context(request, policy, form), status=400)


urlpatterns = [
    path("policy/", policy_home, name="credit-policy"),
    path("policy/new/", policy_new, name="credit-policy-new"),
    path("policy/<int:version>/", policy_version, name="credit-policy-version"),
    path("policy/<int:version>/decide/", policy_decide, name="credit-policy-decide"),
]
