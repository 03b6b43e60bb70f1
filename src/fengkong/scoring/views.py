"""The models pages: the registry by use (champion, challengers, retired), one model's page with its
metrics beside the champion's, its drift and its promotion history, the report, and the cash forecast with
its back-test and the open invoices by expected loss.

Views parse input and render; scoring.registry decides, checks the maker-checker rule and audits. Invoice
predictions come from a scoped queryset, so a collector sees only the portfolio's invoices.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengkong.core.files import resolve_inside
from fengkong.core.later import task
from fengkong.core.money import from_fen
from fengkong.core.permissions import own_portfolios, require, scope
from fengkong.engine.modelling import delay

from . import actions, charts, registry
from .choices import PSI_ALERT, STATUS_COLOURS, ModelStatus, ModelUse, PromotionStatus
from .exceptions import ScoringError
from .forecasts import forecast_for
from .labels import feature_label, short
from .models import InvoicePrediction, ModelMonitor, ModelVersion, PromotionRequest

PAGE_SIZE = 50
MAX_TEXT = 500
METRICS = (("auc", "AUC"), ("ks", "KS"), ("gini", "Gini"), ("brier", "Brier"))
# The report is the model's own self-contained HTML (inline plotly): it may run its scripts, but only in a
# sandbox with no origin, so it can never read this site's cookies or call its API.
REPORT_CSP = ("sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
              "style-src 'unsafe-inline'; img-src data:; font-src data:")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=MAX_TEXT, strip=True)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", gettext_lazy("Approve: make it the champion")),
                                          ("reject", gettext_lazy("Reject"))])
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=MAX_TEXT, required=False, strip=True)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("comment"):
            self.add_error("comment", _("Say why you reject this promotion."))
        return data


class RollbackForm(ReasonForm):
    use = forms.ChoiceField(choices=ModelUse.choices, widget=forms.HiddenInput)
    expected = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # the champion seen


class TrainForm(forms.Form):
    use = forms.ChoiceField(label=gettext_lazy("Model for"), choices=ModelUse.choices)


# --- what a model shows -----------------------------------------------------------------------------

def headline(model: ModelVersion) -> dict:
    """The test-set figures of a model, whatever kind: AUC, KS, Gini and Brier where it has them."""
    metrics = model.metrics or {}
    test = metrics.get("test", metrics)
    return {key: test.get(key) for key, _label in METRICS if isinstance(test.get(key), int | float)}


def metric_cells(model: ModelVersion) -> list[dict]:
    values = headline(model)
    return [{"label": label, "value": values.get(key)} for key, label in METRICS]


def _latest_monitors(models: list[ModelVersion]) -> dict[int, ModelMonitor]:
    """Each model's latest drift monitor, in one query (not every day's monitor of every model)."""
    newest = ModelMonitor.objects.filter(model=OuterRef("model")).order_by("-as_of").values("as_of")[:1]
    return {m.model_id: m for m in ModelMonitor.objects.filter(model__in=models, as_of=Subquery(newest))}


def _uses(user) -> list[dict]:
    models = list(ModelVersion.objects.select_related("registered_by").order_by("use", "-version", "kind"))
    monitors = _latest_monitors(models)
    pending = {p.model_id: p for p in PromotionRequest.objects.filter(status=PromotionStatus.PENDING)
               .select_related("requested_by")}
    uses = []
    for use, label in ModelUse.choices:
        rows = [{"model": m, "metrics": metric_cells(m), "monitor": monitors.get(m.pk), "pending": pending.get(m.pk)}
                for m in models if m.use == use]
        champion = next((r for r in rows if r["model"].status == ModelStatus.CHAMPION), None)
        uses.append({"use": use, "label": label, "rows": rows, "champion": champion,
                     "can_rollback": user.has_perm("scoring.rollback_model") and registry.previous_champion(use),
                     "rollback_form": RollbackForm(initial={"use": use, "expected": champion and champion["model"].pk})})
    return uses


@login_required
@permission_required("scoring.view_modelversion", raise_exception=True)
def models_home(request):
    user = request.user
    pending = list(PromotionRequest.objects.filter(status=PromotionStatus.PENDING)
                   .select_related("model", "requested_by").order_by("requested_at"))
    return render(request, "scoring/models.html", {
        "uses": _uses(user), "pending": pending, "decide_form": DecideForm(), "train_form": TrainForm(),
        "can_decide": user.has_perm("scoring.approve_promotion"), "can_train": user.has_perm("scoring.register_model"),
        "metric_names": METRICS, "status_colours": STATUS_COLOURS, "psi_alert": PSI_ALERT,
    })


def _model(pk: int) -> ModelVersion:
    return get_object_or_404(ModelVersion.objects.select_related("registered_by"), pk=pk)


def _detail_context(request, model: ModelVersion, form=None, retire_form=None) -> dict:
    champion = registry.champion(model.use)
    user = request.user
    monitors = list(model.monitors.order_by("-as_of")[:90]) if user.has_perm("scoring.view_modelmonitor") else []
    latest = monitors[0] if monitors else None
    feature_psi = sorted(((feature_label(k), k, v) for k, v in (latest.feature_psi if latest else {}).items()),
                         key=lambda row: -row[2])
    mine, other = headline(model), headline(champion) if champion and champion.pk != model.pk else {}
    comparison = [{"name": label, "this": mine.get(key), "champion": other.get(key)} for key, label in METRICS
                  if key in mine or key in other]
    promotions = (list(model.promotions.select_related("requested_by", "decided_by"))
                  if user.has_perm("scoring.view_promotionrequest") else [])
    pending = next((p for p in promotions if p.status == PromotionStatus.PENDING), None)
    return {
        "model": model, "champion": champion, "comparison": comparison, "monitors": monitors, "latest": latest,
        "feature_psi": feature_psi, "drift_chart": charts.drift_figure(monitors) if len(monitors) > 1 else None,
        "promotions": promotions, "pending": pending, "psi_alert": PSI_ALERT,
        "features": [(feature_label(f), f) for f in model.features or []],
        "form": form or ReasonForm(), "decide_form": DecideForm(), "status_colours": STATUS_COLOURS,
        "can_request": (user.has_perm("scoring.request_promotion") and model.status != ModelStatus.CHAMPION
                        and pending is None),
        "can_decide": pending is not None and user.has_perm("scoring.approve_promotion")
        and pending.requested_by_id != user.pk,
        "has_report": _report_path(model) is not None,
        "can_retire": model.status == ModelStatus.CHALLENGER and user.has_perm("scoring.rollback_model"),
        "retire_form": retire_form or ReasonForm(),
    }


@login_required
@permission_required("scoring.view_modelversion", raise_exception=True)
def model_detail(request, pk: int):
    return render(request, "scoring/model.html", _detail_context(request, _model(pk)))


def _report_path(model: ModelVersion) -> Path | None:
    """The model's report, only from inside the models folder (its directory is a stored path)."""
    return resolve_inside(registry.models_root(), registry.model_path(model) / "report.html")


@login_required
@permission_required("scoring.view_modelversion", raise_exception=True)
def model_report(request, pk: int):
    report = _report_path(_model(pk))
    if report is None:
        raise Http404("this model has no report")
    response = FileResponse(report.open("rb"), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _act(request, call, success: str) -> bool:
    """Run a registry action; its refusal (a rule, a conflict, the wrong person) becomes a message."""
    try:
        call()
    except ScoringError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


@require_POST
@login_required
def model_promote(request, pk: int):
    require(request.user, "scoring.request_promotion")
    model = _model(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render(request, "scoring/model.html", _detail_context(request, model, form), status=400)
    _act(request, lambda: actions.request_promotion(actor=request.user, model=model,
                                                     reason=form.cleaned_data["reason"]),
         _("Promotion asked; another person approves it."))
    return redirect("scoring-model", pk=model.pk)


def _promotion(pk: int) -> PromotionRequest:
    return get_object_or_404(PromotionRequest.objects.select_related("model"), pk=pk)


@require_POST
@login_required
def promotion_decide(request, pk: int):
    require(request.user, "scoring.approve_promotion")
    promotion = _promotion(pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("scoring-model", pk=promotion.model_id)
    approve = form.cleaned_data["decision"] == "approve"
    _act(request, lambda: actions.decide_promotion(actor=request.user, request=promotion, approve=approve,
                                                    comment=form.cleaned_data["comment"]),
         _("The model is now the champion.") if approve else _("Promotion rejected."))
    return redirect("scoring-model", pk=promotion.model_id)


@require_POST
@login_required
def promotion_withdraw(request, pk: int):
    promotion = _promotion(pk)
    if promotion.requested_by_id != request.user.pk:
        raise PermissionDenied("only the person who asked can withdraw")
    _act(request, lambda: actions.withdraw_promotion(actor=request.user, request=promotion),
         _("Promotion withdrawn."))
    return redirect("scoring-model", pk=promotion.model_id)


@require_POST
@login_required
def model_rollback(request):
    require(request.user, "scoring.rollback_model")
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you roll back."))
        return redirect("scoring-models")
    _act(request, lambda: actions.rollback(actor=request.user, use=form.cleaned_data["use"],
                                            reason=form.cleaned_data["reason"], expected=form.cleaned_data["expected"]),
         _("Rolled back: the previous champion scores again."))
    return redirect("scoring-models")


@require_POST
@login_required
def model_retire(request, pk: int):
    require(request.user, "scoring.rollback_model")
    model = _model(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render(request, "scoring/model.html", _detail_context(request, model, retire_form=form), status=400)
    _act(request, lambda: actions.retire(actor=request.user, model=model, reason=form.cleaned_data["reason"]),
         _("Retired: the model is no longer scored."))
    return redirect("scoring-model", pk=model.pk)


@require_POST
@login_required
def model_train(request):
    require(request.user, "scoring.register_model")
    form = TrainForm(request.POST)
    if form.is_valid():
        task("scoring.retrain")(form.cleaned_data["use"], request.user.pk)  # queued now: nothing to commit
        messages.success(request, _("Training started on the ledger; the new model appears here as a challenger "
                                    "when it is done, and your inbox says so."))
    else:
        messages.error(request, _("Choose what the model is for."))
    return redirect("scoring-models")


# --- the cash forecast ------------------------------------------------------------------------------

def _backtest(model: ModelVersion | None, user) -> dict | None:
    """The champion's back-test as stored at training (engine.modelling.delay.backtest): per origin the
    weekly forecast, actual and reference, and the errors of the model and of the plain rule.

    A user scoped to portfolios gets the sum of their portfolios' parts (stored per portfolio since the
    back-test is split at training); a model trained before that has only the company's figures, which
    they are not shown (`withheld`)."""
    backtest = ((model.metrics or {}).get("backtest") or {}) if model else {}
    origins = [o for o in backtest.get("origins") or [] if isinstance(o, dict) and o.get("weeks")]
    if not origins:
        return None
    summary = backtest.get("summary") or {}
    mine = own_portfolios(user)
    if mine is not None:
        if not all(isinstance(o.get("groups"), dict) for o in origins):
            return {"withheld": True}
        origins = [{"origin": o.get("origin"), **delay.combine_origins(
            [part for key in map(str, mine) if isinstance(part := o["groups"].get(key), dict)])} for o in origins]
        summary = delay.backtest_summary(origins)
    rows = [{"origin": o.get("origin"), "open": from_fen(int(o.get("open_fen") or 0)),
             "wape": (o.get("model") or {}).get("wape"), "reference_wape": (o.get("reference") or {}).get("wape"),
             "total_error": _percent((o.get("model") or {}).get("total_error_pct")),
             "reference_total_error": _percent((o.get("reference") or {}).get("total_error_pct")),
             "chart": charts.backtest_figure(o), "chart_id": f"backtest-{i}"} for i, o in enumerate(origins, start=1)]
    return {"origins": rows, "wape": summary.get("model_wape"), "reference_wape": summary.get("reference_wape"),
            "total_error": _percent(summary.get("model_abs_total_error_pct")),
            "reference_total_error": _percent(summary.get("reference_abs_total_error_pct")),
            "portfolio_only": mine is not None}


def _percent(value) -> float | None:
    return value / 100 if isinstance(value, int | float) else None


@login_required
@permission_required("scoring.view_cashforecast", raise_exception=True)
def cash_forecast(request):
    forecast = forecast_for(request.user)
    champion = forecast.model if forecast else registry.champion(ModelUse.PAYMENT_DELAY)
    weeks = [{**w, "expected": from_fen(int(w["expected_fen"]))} for w in (forecast.weeks if forecast else [])]
    predictions = scope(InvoicePrediction.objects.all(), request.user)
    page = None
    if request.user.has_perm("scoring.view_invoiceprediction"):
        page = Paginator(predictions.select_related("invoice", "customer").order_by("-expected_loss", "pk"),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        for prediction in page.object_list:
            prediction.why = [short(r) for r in prediction.reasons]
    totals = predictions.aggregate(open=Sum("open_amount"), loss=Sum("expected_loss"))
    return render(request, "scoring/forecast.html", {
        "champion": champion, "forecast": forecast, "weeks": weeks,
        "chart": charts.forecast_figure(weeks) if weeks else None, "backtest": _backtest(champion, request.user),
        "page": page, "totals": totals,
    })


urlpatterns = [
    path("", models_home, name="scoring-models"),
    path("forecast/", cash_forecast, name="scoring-forecast"),
    path("train/", model_train, name="scoring-train"),
    path("rollback/", model_rollback, name="scoring-rollback"),
    path("<int:pk>/", model_detail, name="scoring-model"),
    path("<int:pk>/report/", model_report, name="scoring-report"),
    path("<int:pk>/promote/", model_promote, name="scoring-promote"),
    path("<int:pk>/retire/", model_retire, name="scoring-retire"),
    path("promotions/<int:pk>/decide/", promotion_decide, name="scoring-decide"),
    path("promotions/<int:pk>/withdraw/", promotion_withdraw, name="scoring-withdraw"),
]
