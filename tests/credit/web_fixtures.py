"""Credit rows built by hand for the credit UI tests (no assessment engine involved)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.conftest import AS_OF

from fengkong.credit.models import Assessment, CreditProfile

SCORES = {
    "financial": {"score": 45.0, "metrics": {"current_ratio": {"points": 10, "missing_rule": "worst"},
                                             "debt_to_asset": {"points": 80, "missing_rule": None}}},
    "payment": {"score": 82.5, "metrics": {"max_days_overdue_12m": {"points": 85, "missing_rule": None}}},
    "industry": {"score": 60.0, "metrics": {"industry_outlook": {"points": 60, "missing_rule": None}}},
    "guarantee": {"score": 50.0, "metrics": {"guarantee_coverage": {"points": 50, "missing_rule": "neutral"}}},
    "cooperation": {"score": 90.0, "metrics": {"cooperation_years": {"points": 90, "missing_rule": None}}},
}
REASONS = [{"code": "metric", "metric": "current_ratio", "dimension": "financial", "value": None, "points": 10,
            "lost": 13.5, "missing": "worst"},
           {"code": "metric", "metric": "debt_to_asset", "dimension": "financial", "value": 0.72, "points": 80,
            "lost": 3.0, "missing": None}]
MISSING = [{"metric": "current_ratio", "dimension": "financial", "rule": "worst", "points": 10}]


def assessment(customer, grade: str, total: str, days_ago: int = 30, **extra) -> Assessment:
    return Assessment.objects.create(
        customer=customer, as_of=AS_OF - timedelta(days=days_ago), policy_version=0,
        trigger=extra.pop("trigger", "quarterly"), scores=extra.pop("scores", SCORES),
        reasons=extra.pop("reasons", REASONS), missing=extra.pop("missing", MISSING), total=Decimal(total),
        grade=grade, suggested_limit=Decimal(extra.pop("suggested_limit", "60000.00")),
        suggested_term_days=extra.pop("suggested_term_days", 60), guarantee_requirement="as_policy", **extra)


def graded(customer, grade: str = "B", limit: str = "50000.00", total: str = "72.50", *, owner=None,
           next_review=None, history: int = 1, **flags) -> CreditProfile:
    """A customer with `history` assessments (the last one `grade`/`total`) and a profile pointing at it."""
    latest = None
    for i in range(history, 0, -1):
        older = i > 1
        latest = assessment(customer, "C" if older else grade, "55.00" if older else total, days_ago=30 * i)
    profile, _ = CreditProfile.objects.update_or_create(customer=customer, defaults={
        "grade": grade, "score": Decimal(total), "limit": Decimal(limit), "term_days": 60,
        "guarantee_requirement": "as_policy", "owner": owner, "assessment": latest, "assessed_on": latest.as_of,
        "next_review": next_review or AS_OF + timedelta(days=60), **flags})
    return profile
