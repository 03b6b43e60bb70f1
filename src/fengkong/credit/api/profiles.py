"""Credit profile and assessment endpoints: a customer's credit standing, its assessment history, and
assessing it now.

Rows come through core.permissions (visible_customer): a customer outside your portfolio is a 404 like
one that does not exist; a missing permission is a 403.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Status

from fengkong.core.permissions import require, scope
from fengkong.core.schemas import answers, caller
from fengkong.customers.api import CustomerCode, visible_customer

from .. import reasons as words
from ..actions.assessments import assess_now
from ..figures import standing
from ..models import Assessment, CreditProfile
from ..schemas import AssessmentFilters, AssessmentOut, AssessmentPage, CreditProfileOut

router = Router(tags=["credit"])


def assessment_out(assessment: Assessment) -> dict:
    """An assessment with its reasons and missing inputs worded in the active language."""
    return {
        **summary_out(assessment), "scores": assessment.scores, "inputs": assessment.inputs,
        "reasons": [{**r, "text": words.describe(r)} for r in assessment.reasons],
        "missing": [{**m, "text": words.describe_missing(m)} for m in assessment.missing],
    }


def summary_out(a: Assessment) -> dict:
    return {"id": a.pk, "as_of": a.as_of, "created_at": a.created_at, "trigger": a.trigger,
            "triggered_by": a.triggered_by.username if a.triggered_by else None, "policy_version": a.policy_version,
            "total": a.total, "grade": a.grade, "previous_grade": a.previous_grade,
            "suggested_limit": a.suggested_limit, "suggested_term_days": a.suggested_term_days,
            "guarantee_requirement": a.guarantee_requirement}


@router.get("/customers/{key:code}/credit", response=answers(CreditProfileOut, 403, 404, 422),
            url_name="customer_credit")
def customer_credit(request, code: CustomerCode):
    """A customer's credit profile: grade, limit, term, accountable owner, next review, today's figures
    and the latest assessment (scores, reasons and missing inputs)."""
    user = caller(request)
    customer = visible_customer(user, code)
    require(user, "credit.view_creditprofile")
    profile = (CreditProfile.objects.select_related("owner", "assessment", "assessment__triggered_by")
               .filter(customer=customer).first()) or CreditProfile(customer=customer)
    figures = standing(customer, timezone.localdate())
    latest = profile.assessment if user.has_perm("credit.view_assessment") else None
    return {
        "customer": customer.code, "customer_name": customer.name, "grade": profile.grade, "score": profile.score,
        "limit": profile.limit, "term_days": profile.term_days, "guarantee_requirement": profile.guarantee_requirement,
        "owner": profile.owner.username if profile.owner else None, "limit_approved_at": profile.limit_approved_at,
        "assessed_on": profile.assessed_on, "next_review": profile.next_review,
        "standing": figures.__dict__, "assessment": assessment_out(latest) if latest else None,
    }


@router.get("/customers/{key:code}/assessments", response=answers(AssessmentPage, 403, 404, 422),
            url_name="customer_assessments")
def customer_assessments(request, code: CustomerCode, filters: Query[AssessmentFilters]):
    """A customer's assessments, newest first: the grade history."""
    user = caller(request)
    customer = visible_customer(user, code)
    require(user, "credit.view_assessment")
    history = scope(Assessment.objects.filter(customer=customer), user).select_related("triggered_by")
    rows = list(history.order_by("-as_of", "-pk")[filters.offset:filters.offset + filters.limit])
    return {"customer": customer.code, "count": history.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [summary_out(a) for a in rows]}


@router.post("/customers/{key:code}/assessments", response=answers({201: AssessmentOut}, 403, 404, 422),
             url_name="customer_assess")
def customer_assess(request, code: CustomerCode):
    """Assess the customer now (trigger `manual`): a new assessment, and a limit proposal if the policy's
    limit or term moved by its threshold."""
    user = caller(request)
    customer = visible_customer(user, code)
    return Status(201, assessment_out(assess_now(actor=user, customer=customer)))
