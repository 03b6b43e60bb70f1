"""Legal recovery in /api/v1/legal: the worklist of cases, one case, the deadline calendar, the court-fee
scale. Cases come through legal.queries (core.permissions.scope): a case of a customer outside the caller's
portfolio is a 404 like one that does not exist."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.errors import HttpError

from fengkong.core.permissions import require
from fengkong.core.schemas import DEFAULT_LIMIT, Limit, Offset, answers, caller, page
from fengkong.customers.api import CustomerCode
from fengkong.customers.queries import visible_customers
from fengkong.engine import court_fees
from fengkong.monitoring.models import ActionItem

from . import actions, firms, queries
from .exceptions import FeeMismatch, LegalError, StageDetailsInvalid
from .limitations import visible_limitations
from .models import LawFirm
from .performance import case_money, firm_performance
from .preservation import signs_of
from .schemas import (
    CaseMoneyOut,
    CostIn,
    CostOut,
    CourtFeeOut,
    CourtFeeQuery,
    DeadlinePage,
    EndEngagementIn,
    EngageIn,
    EngagementOut,
    FirmIn,
    FirmInvoiceIn,
    FirmInvoiceOut,
    FirmOut,
    FirmPerformancePage,
    LegalCaseFilters,
    LegalCaseOut,
    LegalCasePage,
    LegalRecoveryIn,
    LimitationPage,
    MoveIn,
    OpenCaseIn,
    PreservationDecisionIn,
    PreservationDecisionOut,
    PreservationHistoryOut,
    PreservationSignsPage,
    RecoveryOut,
    StageOut,
)

router = Router(tags=["legal"])

CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The legal case's id")]
EngagementId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The engagement's id")]
FEES = {"acceptance": court_fees.acceptance_fee, "payment_order": court_fees.payment_order_fee,
        "preservation": court_fees.preservation_fee, "enforcement": court_fees.enforcement_fee,
        "acceptance_summary": lambda fen: court_fees.acceptance_fee(fen, summary=True)}


@router.get("/legal/cases", response=answers(LegalCasePage, 403, 422), url_name="legal_case_list")
def list_cases(request, filters: Query[LegalCaseFilters]):
    """Open cases you may see, the largest amount at risk first, then the nearest deadline."""
    user = caller(request)
    require(user, "legal.view_legalcase")
    cases = queries.worklist(user)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.customer:
        cases = cases.filter(customer__code=filters.customer)
    return page(cases, filters.limit, filters.offset)


@router.get("/legal/cases/{case_id}", response=answers(LegalCaseOut, 403, 404, 422), url_name="legal_case_detail")
def get_case(request, case_id: CaseId):
    user = caller(request)
    require(user, "legal.view_legalcase")
    return visible_case_or_404(user, case_id)


@router.get("/legal/deadlines", response=answers(DeadlinePage, 403, 422), url_name="legal_deadline_list")
def list_deadlines(request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Every legal date not done yet of the cases you may see: hearings, windows, expiries, filings."""
    user = caller(request)
    require(user, "legal.view_legaldeadline")
    return page(queries.calendar(user), limit, offset)


@router.get("/legal/limitations", response=answers(LimitationPage, 403, 422), url_name="legal_limitation_list")
def list_limitations(request, within: Annotated[int, Query(ge=0, le=3650)] = 180, limit: Limit = DEFAULT_LIMIT,
                     offset: Offset = 0):
    """The limitation period (民法典 §188, interrupted per §195) of every open receivable you may see that ends
    within `within` days or has ended, soonest first."""
    user = caller(request)
    require(user, "legal.view_legaldeadline")
    firms.refuse_firm_user(user)  # receivables' periods are the company's, not a firm's
    found = visible_limitations(user, timezone.localdate(), within=within)
    return {"count": len(found), "limit": limit, "offset": offset, "items": found[offset:offset + limit]}


@router.get("/legal/court-fee", response=answers(CourtFeeOut, 403, 422), url_name="legal_court_fee")
def court_fee(request, query: Query[CourtFeeQuery]):
    """The court fee of an amount by 诉讼费用交纳办法 (art. 13 bands; half for the summary procedure; the
    preservation, payment-order and enforcement scales)."""
    require(caller(request), "legal.view_legalcase")
    try:
        amount = Decimal(str(query.amount))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 or amount > 10**13:
        raise HttpError(422, f"amount must be yuan with at most two decimals, such as \"1000000.00\", not "
                             f"{str(query.amount)[:40]!r}")
    fee = FEES[query.kind](int(amount * 100))
    return {"kind": query.kind, "amount_fen": fee.amount_fen, "fee_fen": fee.fee_fen, "note": fee.note,
            "lines": [vars(line) for line in fee.lines]}


@router.post("/legal/cases", response=answers(LegalCaseOut, 400, 403, 404, 409, 422), url_name="legal_case_open")
def open_case(request, body: OpenCaseIn):
    """Open a legal case, from a danger-zone referral task (which is then done) or by a person."""
    user = caller(request)
    require(user, "legal.open_case")
    customer = visible_customers(user).filter(code=body.customer).first()
    if customer is None:
        raise Http404(f"No customer {body.customer} in your portfolio.")
    referral = None
    if body.referral:
        referral = ActionItem.objects.for_user(user).filter(pk=body.referral).first()
        if referral is None:
            raise Http404(f"No task {body.referral} in your portfolio.")
    principal = body.principal
    if principal is None:
        principal = actions.open_referral_claim(referral).principal if referral else Decimal("0.00")
    claim = actions.Claim(principal, body.interest, body.liquidated_damages, body.costs)
    case = refused_as_http(lambda: actions.open_case(actor=user, customer=customer, claim=claim,
                                                     summary=body.summary, referral=referral))
    return queries.visible_cases(user).get(pk=case.pk)


@router.post("/legal/cases/{case_id}/move", response=answers(StageOut, 400, 403, 404, 409, 422), url_name="legal_case_move")
def move_case(request, case_id: CaseId, body: MoveIn):
    """Move the case to a stage with its details; 409 with the reason when the move is not allowed."""
    user = caller(request)
    require(user, "legal.change_legalcase")
    case = visible_case_or_404(user, case_id)
    return refused_as_http(lambda: actions.move_case(actor=user, case=case, stage=body.stage, details=body.details,
                                                     note=body.note))


def refused_as_http(step):
    try:
        return step()
    except FeeMismatch as exc:
        raise HttpError(409, str(exc)) from exc
    except StageDetailsInvalid as exc:
        raise HttpError(422, "; ".join(exc.problems)) from exc
    except LegalError as exc:
        raise HttpError(409, str(exc)) from exc


def visible_case_or_404(user, case_id: int):
    case = queries.visible_cases(user).filter(pk=case_id).first()
    if case is None:
        raise Http404(f"No legal case {case_id} in your portfolio.")
    return case


@router.get("/legal/firms", response=answers(FirmPerformancePage, 403, 422), url_name="legal_firm_list")
def list_firms(request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """The law firms and how each does over the cases you may see: recovery rate, days to judgment, cost per
    yuan recovered, recovered net of costs, cases by stage."""
    user = caller(request)
    require(user, "legal.view_lawfirm")
    chosen = list(LawFirm.objects.all()[offset:offset + limit])
    return {"count": LawFirm.objects.count(), "limit": limit, "offset": offset,
            "items": firm_performance(user, chosen)}


@router.post("/legal/firms", response=answers(FirmOut, 400, 403, 409, 422), url_name="legal_firm_register")
def register_firm(request, body: FirmIn):
    """Register a law firm."""
    user = caller(request)
    require(user, "legal.manage_firms")
    return refused_as_http(lambda: firms.register_firm(actor=user, **body.dict()))


@router.post("/legal/engagements", response=answers(EngagementOut, 400, 403, 404, 409, 422),
             url_name="legal_engage")
def engage(request, body: EngageIn):
    """Engage a firm on one case or a batch of standard cases under a fee arrangement (per case)."""
    user = caller(request)
    require(user, "legal.manage_firms")
    firm = LawFirm.objects.filter(pk=body.firm).first()
    if firm is None:
        raise Http404(f"No law firm {body.firm}.")
    cases = list(queries.visible_cases(user).filter(number__in=body.cases))
    missing = sorted(set(body.cases) - {c.number for c in cases})
    if missing:
        raise Http404(f"No legal case {', '.join(missing)[:200]} in your portfolio.")
    fees = firms.FeeArrangement(body.fee_kind, body.fixed_fee, body.hourly_rate, body.contingency_share)
    return refused_as_http(lambda: firms.engage_firm(actor=user, firm=firm, cases=cases, fees=fees,
                                                     engaged_on=body.engaged_on, note=body.note))


@router.post("/legal/engagements/{engagement_id}/end", response=answers(EngagementOut, 400, 403, 404, 409, 422),
             url_name="legal_engagement_end")
def end_engagement(request, engagement_id: EngagementId, body: EndEngagementIn):
    """End a firm's engagement (on every case it covers) on a date, saying why: from then on the firm's users
    neither see nor work those cases, and each may be engaged to another firm. 409 when it has ended already."""
    user = caller(request)
    require(user, "legal.manage_firms")
    engagement = queries.visible_engagement(user, engagement_id)
    if engagement is None:
        raise Http404(f"No engagement {engagement_id} of a case in your portfolio.")
    return refused_as_http(lambda: firms.end_engagement(actor=user, engagement=engagement, ended_on=body.ended_on,
                                                        reason=body.reason))


@router.post("/legal/cases/{case_id}/firm-invoices", response=answers(FirmInvoiceOut, 400, 403, 404, 409, 422),
             url_name="legal_firm_invoice")
def firm_invoice(request, case_id: CaseId, body: FirmInvoiceIn):
    """Record the engaged firm's invoice on the case, checked against its arrangement: 409 naming the amount
    expected when it asks for more."""
    user = caller(request)
    require(user, "legal.manage_firms")
    case = visible_case_or_404(user, case_id)
    return refused_as_http(lambda: firms.record_firm_invoice(actor=user, case=case, number=body.number,
                                                             issued_on=body.issued_on, amount=body.amount,
                                                             hours=body.hours))


@router.post("/legal/cases/{case_id}/costs", response=answers(CostOut, 400, 403, 404, 409, 422),
             url_name="legal_case_cost")
def record_cost(request, case_id: CaseId, body: CostIn):
    """A court fee (by the scale when no amount is given), a preservation guarantee's cost, another cost."""
    user = caller(request)
    require(user, "legal.add_casecost")
    case = visible_case_or_404(user, case_id)
    return refused_as_http(lambda: firms.record_cost(actor=user, case=case, kind=body.kind, amount=body.amount,
                                                     incurred_on=body.incurred_on, note=body.note))


@router.post("/legal/cases/{case_id}/recoveries", response=answers(RecoveryOut, 400, 403, 404, 409, 422),
             url_name="legal_case_recovery")
def record_recovery(request, case_id: CaseId, body: LegalRecoveryIn):
    """Money recovered on the case."""
    user = caller(request)
    require(user, "legal.add_recovery")
    case = visible_case_or_404(user, case_id)
    return refused_as_http(lambda: firms.record_recovery(actor=user, case=case, amount=body.amount,
                                                         received_on=body.received_on, note=body.note))


@router.get("/legal/cases/{case_id}/costs", response=answers(CaseMoneyOut, 403, 404, 422), url_name="legal_case_money")
def case_costs(request, case_id: CaseId):
    """The case's costs by kind, its firm's invoices, and the recovery net of the costs."""
    user = caller(request)
    require(user, "legal.view_casecost")
    case = visible_case_or_404(user, case_id)
    money = case_money(case)
    return {"case": case.number, "recovered": money.recovered, "costs": money.costs, "total_costs": money.total_costs,
            "net": money.net, "firm": case.engagement.firm.name if case.engagement_id else None,
            "invoices": list(case.firm_invoices.all())}


# --- when to act (legal.preservation) ----------------------------------------------------------------

def signs_payload(row: queries.Ranked) -> dict:
    signs = row.signs
    return {"customer": row.customer.code, "case": row.case.number if row.case else None, "score": signs.score,
            "count": signs.count, "overdue": signs.overdue, "at_risk": row.case.at_risk if row.case else None,
            "signs": [{"kind": s.kind, "label": s.label, "present": s.present, "weight": s.weight, "count": s.count,
                       "evidence": [vars(e) for e in s.evidence]} for s in signs.signs],
            "decision": row.decision}


def history(user, customer, case, decisions: list) -> dict:
    """The signs as they stand now, the newest decision and every decision, newest first."""
    row = queries.Ranked(customer, signs_of([customer], user)[customer.pk], case)
    return {**signs_payload(row), "decision": decisions[0] if decisions else None, "decisions": decisions}


@router.get("/legal/preservation", response=answers(PreservationSignsPage, 403, 422), url_name="legal_preservation_list")
def list_preservation(request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Every open case and every danger-zone customer without one that you may see, with the signs that
    argue for property preservation now and the newest decision: the highest score first, then the largest
    amount at risk (overdue for a customer without a case)."""
    user = caller(request)
    require(user, "legal.view_preservationdecision")
    rows = sorted(queries.ranked_cases(user) + queries.danger_zone_without_case(user), key=queries.order_key)
    return {"count": len(rows), "limit": limit, "offset": offset,
            "items": [signs_payload(r) for r in rows[offset:offset + limit]]}


@router.get("/legal/cases/{case_id}/preservation", response=answers(PreservationHistoryOut, 403, 404, 422),
            url_name="legal_case_preservation")
def case_preservation(request, case_id: CaseId):
    """The case's signs for preservation now, each with its evidence, and every decision made on it."""
    user = caller(request)
    require(user, "legal.view_preservationdecision")
    case = visible_case_or_404(user, case_id)
    return history(user, case.customer, case, queries.decisions_of(user, case=case))


@router.post("/legal/cases/{case_id}/preservation", response=answers(PreservationDecisionOut, 400, 403, 404, 409, 422),
             url_name="legal_case_preservation_decide")
def decide_case_preservation(request, case_id: CaseId, body: PreservationDecisionIn):
    """Record whether to apply for property preservation on the case now, and why (legal officers)."""
    user = caller(request)
    require(user, "legal.decide_preservation")
    case = visible_case_or_404(user, case_id)
    return refused_as_http(lambda: actions.decide_preservation(actor=user, case=case, decision=body.decision,
                                                               reason=body.reason))


def preservation_customer_or_404(user, code: str):
    firms.refuse_firm_user(user)  # a firm's user has cases, not customers
    customer = visible_customers(user).filter(code=code).first()
    if customer is None:
        raise Http404(f"No customer {code[:40]} in your portfolio.")
    return customer


@router.get("/legal/customers/{code}/preservation", response=answers(PreservationHistoryOut, 403, 404, 422),
            url_name="legal_customer_preservation")
def customer_preservation(request, code: CustomerCode):
    """A customer's signs for preservation now (a danger-zone customer before any case), and every decision
    on it, its cases' included."""
    user = caller(request)
    require(user, "legal.view_preservationdecision")
    customer = preservation_customer_or_404(user, code)
    case = queries.visible_cases(user).open().filter(customer=customer).order_by("-opened_at", "-pk").first()
    return history(user, customer, case, queries.decisions_of(user, customer=customer))


@router.post("/legal/customers/{code}/preservation",
             response=answers(PreservationDecisionOut, 400, 403, 404, 409, 422),
             url_name="legal_customer_preservation_decide")
def decide_customer_preservation(request, code: CustomerCode, body: PreservationDecisionIn):
    """Record whether to apply for property preservation against a customer without a case now, and why
    (before the suit: 诉前保全)."""
    user = caller(request)
    require(user, "legal.decide_preservation")
    customer = preservation_customer_or_404(user, code)
    return refused_as_http(lambda: actions.decide_preservation(actor=user, customer=customer,
                                                               decision=body.decision, reason=body.reason))
