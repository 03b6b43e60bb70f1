"""The credit-model section of the customer page: each model's score and top reasons beside the expert
assessment, kept apart from it, with their disagreement stated; and the open invoices' predicted payment.

The expert grade comes from the credit policy (credit app). To compare the two, the model's ranking is read
as a grade: the book is cut in the same proportions as the expert grades (labels.implied_grade), so the
comparison is of order, not of calibration (the model's probabilities are of a different event than the
policy's points). The implied grade never replaces the expert grade.
"""

from __future__ import annotations

from django.db.models import Count

from fengkong.core.permissions import scope

from .choices import ModelStatus, ModelUse
from .labels import describe, disagreement, implied_grade, short
from .models import CustomerModelScore, InvoicePrediction

UNITS = {"scorecard": "points", "gbm": "contribution"}
MAX_INVOICES = 10


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
    from fengkong.credit.models import CreditProfile

    counts = dict(CreditProfile.objects.exclude(grade="").values_list("grade").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    return {g: n / total for g, n in counts.items()} if total else {}


def safer_share(score: CustomerModelScore) -> float:
    """The share of the customers this model scored whose probability is lower than this one's."""
    same_model = CustomerModelScore.objects.filter(model_id=score.model_id)
    total = same_model.count()
    return same_model.filter(probability__lt=score.probability).count() / total if total else 0.0
