"""The credit models' panels on other apps' pages: the cash forecast above the collectors' worklist, and the
models' section of the customer page (customers.detail), below credit's.

The customer section shows each model's score and top reasons beside the expert assessment, kept apart from
it, with their disagreement stated; and the open invoices' predicted payment. The expert grade comes from the
credit policy (credit app). To compare the two, the model's ranking is read as a grade: the book is cut in the
same proportions as the expert grades (labels.implied_grade), so the comparison is of order, not of
calibration (the model's probabilities are of a different event than the policy's points). The implied grade
never replaces the expert grade.
"""

from __future__ import annotations

from django.db.models import Count

from fengkong.core.panels import panel
from fengkong.core.permissions import scope
from fengkong.credit.models import CreditProfile

from .charts import forecast_figure
from .choices import ModelStatus, ModelUse
from .forecasts import forecast_for
from .labels import describe, disagreement, implied_grade, short
from .models import CustomerModelScore, InvoicePrediction

UNITS = {"scorecard": "points", "gbm": "contribution"}
MAX_INVOICES = 10


@panel("monitoring.worklist", "forecast", order=10, template="scoring/_worklist_forecast.html")
def worklist_forecast(request, **_objects) -> dict | None:
    """The cash the worklist is expected to bring in over 13 weeks (the user's portfolio, or the company's)."""
    if not request.user.has_perm("scoring.view_cashforecast"):
        return None
    forecast = forecast_for(request.user)
    if forecast is None:
        return None
    return {"forecast": forecast, "forecast_chart": forecast_figure(forecast.weeks, height=220)}


@panel("customers.detail", "models", order=20, template="scoring/customer_section.html")
def models_section(request, *, customer, **_objects) -> dict | None:
    models = model_context(customer, request.user, expert_grade(customer, request.user))
    return None if models is None else {"models": models, "customer": customer}


def expert_grade(customer, user) -> str | None:
    """The customer's grade from its credit profile, for a user who may see credit profiles (else None,
    and the section compares nothing); "" when the customer has not been assessed."""
    if not user.has_perm("credit.view_creditprofile"):
        return None
    return CreditProfile.objects.filter(customer=customer).values_list("grade", flat=True).first() or ""








def model_context(customer, user, grade: str | None) -> dict | None:
    """None when the user may not see model scores or no model has scored this customer."""
    scores = list(scope(CustomerModelScore.objects.filter(customer=customer), user)
                  .select_related("model").filter(model__use=ModelUse.CUSTOMER_RISK)
                  .exclude(model__status=ModelStatus.RETIRED))
    invoices = None
    if user.has_perm("scoring.view_invoiceprediction"):
        invoices = list(scope(InvoicePrediction.objects.filter(customer=customer), user)
                        .select_related("invoice").order_by("-expected_loss", "pk")[:MAX_INVOICES])
    if not scores and not invoices:
        return None
    for prediction in invoices or []:
        prediction.why = [short(r) for r in prediction.reasons]
    shares = grade_shares()
    rows = []
    for score in sorted(scores, key=lambda s: (s.model.status != ModelStatus.CHAMPION, -s.model.version)):
        safer = safer_share(score)
        implied = implied_grade(safer, shares)
        rows.append({"score": score, "model": score.model, "implied": implied, "riskier": 1 - safer,
                     "gap": disagreement(grade, implied), "champion": score.model.status == ModelStatus.CHAMPION,
                     "reasons": [describe(r, UNITS.get(score.model.kind, "contribution")) for r in score.reasons]})
    champion = next((r for r in rows if r["champion"]), None)
    return {"rows": rows, "champion": champion, "grade": grade, "invoices": invoices}


def grade_shares() -> dict[str, float]:
    """The share of the assessed book in each expert grade."""
    counts = dict(CreditProfile.objects.exclude(grade="").values_list("grade").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    return {g: n / total for g, n in counts.items()} if total else {}


def safer_share(score: CustomerModelScore) -> float:
    """The share of the customers this model scored whose probability is lower than this one's."""
    same_model = CustomerModelScore.objects.filter(model_id=score.model_id)
    total = same_model.count()
    return same_model.filter(probability__lt=score.probability).count() / total if total else 0.0
