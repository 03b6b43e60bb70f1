"""The model registry in /api/v1: models and their promotion, rollback, customer scores, invoice
predictions and the cash forecast.

State changes call scoring.registry, which checks the role (403), refuses self-approval (403) and steps
on decided requests or champions (409), and audits; input it refuses is a 422. Per-customer data is
scoped (core.permissions.scope): a customer or invoice of another portfolio is a 404 or absent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404
from ninja import Field, NinjaAPI, Path, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, model_validator

from fengkong.core.permissions import require, scope
from fengkong.core.schemas import (
    DEFAULT_LIMIT,
    Day,
    Limit,
    Money,
    Offset,
    Page,
    Text,
    Username,
    answers,
    caller,
    free_text,
    no_control,
    page,
    reason_to_reject,
    said_when,
)
from fengkong.customers.api import CustomerCode, visible_customer

from . import actions, book_scores, registry
from .choices import ModelKind, ModelStatus, ModelUse, PromotionStatus
from .exceptions import Conflict, NotAllowed, ScoringError
from .forecasts import forecast_for
from .models import InvoicePrediction, ModelVersion, PromotionRequest

router = Router(tags=["models"])

ModelId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The model version's id")]
RequestId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The promotion request's id")]
MAX_TEXT = registry.MAX_TEXT
MONITOR_DAYS = 30


def install(api: NinjaAPI) -> None:
    """Registry refusals as JSON: 403 the wrong person, 409 the wrong state, 422 input that does not fit."""
    def refused(request, exc: ScoringError):
        status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(exc, Conflict) else 422
        return api.create_response(request, {"detail": str(exc)}, status=status)

    api.add_exception_handler(ScoringError, refused)


# --- schemas -----------------------------------------------------------------------------------------

class ModelOut(Schema):
    id: int
    use: ModelUse
    kind: ModelKind
    version: int
    status: ModelStatus
    label: str
    metrics: dict[str, Any]
    features: list[str]
    data_sha256: str
    note: str
    registered_by: Username
    registered_at: datetime
    promoted_at: datetime | None
    retired_at: datetime | None


class MonitorOut(Schema):
    as_of: date
    rows: int
    score_psi: float
    feature_psi: dict[str, float]
    drifted: bool


class PromotionOut(Schema):
    id: int
    model: int = Field(description="The model version's id", alias="model_id")
    status: PromotionStatus
    reason: str
    requested_by: Username
    requested_at: datetime
    decided_by: Username
    decided_at: datetime | None
    comment: str


class ModelDetailOut(ModelOut):
    directory: str
    parameters: dict[str, Any]
    training: dict[str, Any]
    monitors: list[MonitorOut] = Field(description=f"The latest {MONITOR_DAYS} days of drift, newest first")
    promotions: list[PromotionOut]

    @staticmethod
    def resolve_monitors(obj) -> list:
        return list(obj.monitors.order_by("-as_of")[:MONITOR_DAYS])

    @staticmethod
    def resolve_promotions(obj) -> list:
        return list(obj.promotions.select_related("requested_by", "decided_by"))


class ModelPage(Page):
    items: list[ModelOut]


class ModelFilters(Schema):
    use: ModelUse | None = None
    status: ModelStatus | None = None
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ReasonIn(Schema):
    reason: str = free_text(min_length=1, max_length=MAX_TEXT, required=True)

    @model_validator(mode="after")
    def reason_given(self):
        if not self.reason.strip():
            raise ValueError("say why")
        no_control(self.reason, "the reason")
        return self


class RollbackIn(ReasonIn):
    use: ModelUse
    expected: int | None = Field(None, ge=1, le=2**63 - 1,
                                 description="The champion you saw: 409 if another is champion by now")


class DecisionIn(Schema):
    approve: StrictBool
    comment: str = free_text("", max_length=MAX_TEXT, description="Required with a rejection")

    model_config = ConfigDict(json_schema_extra=said_when("comment", approve=False))

    @model_validator(mode="after")
    def comment_given(self):
        reason_to_reject(self.approve, self.comment, "comment", "the promotion")
        return self


class CustomerScoreOut(Schema):
    model: ModelOut
    as_of: date
    probability: float
    score: float
    reasons: list[dict[str, Any]]


class PredictionOut(Schema):
    invoice: str = Field(description="Invoice number", alias="invoice.number")
    customer: str = Field(description="Customer code", alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    model: int = Field(alias="model_id")
    as_of: date
    open_amount: Money
    p_late: float = Field(description="Probability of being paid more than 30 days late")
    expected_days: float
    expected_date: date
    expected_loss: Money = Field(description="Open amount × p_late")
    reasons: list[dict[str, Any]]


class PredictionPage(Page):
    items: list[PredictionOut]


class PredictionFilters(Schema):
    customer: Text | None = Field(None, description="Customer code")
    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class WeekOut(Schema):
    week: int
    start: date
    end: date
    expected_fen: int


class ForecastOut(Schema):
    model: int | None = Field(description="The payment-delay model that made it; null: no forecast yet")
    as_of: date | None
    open_amount: Money | None
    weeks: list[WeekOut]
    portfolio_only: bool = Field(False, description="Summed over the caller's portfolios, not the company")


# --- models and their governance ---------------------------------------------------------------------

def _models(user):
    require(user, "scoring.view_modelversion")
    return ModelVersion.objects.select_related("registered_by")


def _model(user, model_id: int) -> ModelVersion:
    model = _models(user).filter(pk=model_id).first()
    if model is None:
        raise Http404(f"No model version {model_id}.")
    return model


def _promotion(user, request_id: int) -> PromotionRequest:
    require(user, "scoring.view_promotionrequest")
    found = PromotionRequest.objects.select_related("model", "requested_by", "decided_by").filter(pk=request_id).first()
    if found is None:
        raise Http404(f"No promotion request {request_id}.")
    return found


@router.get("/models", response=answers(ModelPage, 403, 422), url_name="model_list")
def list_models(request, filters: Query[ModelFilters]):
    """Registered models, by use and newest version first."""
    models = _models(caller(request))
    if filters.use:
        models = models.filter(use=filters.use)
    if filters.status:
        models = models.filter(status=filters.status)
    return page(models.order_by("use", "-version"), filters.limit, filters.offset)


# Before /models/{model_id}: ninja tries the routes in order.
@router.post("/models/rollback", response=answers(ModelOut, 400, 403, 409, 422), url_name="model_rollback")
def rollback(request, body: RollbackIn):
    """Bring back the use's previous champion. 409 when there is none."""
    return actions.rollback(actor=caller(request), use=body.use, reason=body.reason, expected=body.expected)


@router.get("/models/{model_id}", response=answers(ModelDetailOut, 403, 404, 422), url_name="model_detail")
def get_model(request, model_id: ModelId):
    """One model: metrics, parameters, training data, the latest drift monitors and its promotion requests."""
    return _model(caller(request), model_id)


@router.post("/models/{model_id}/promotion", response=answers({201: PromotionOut}, 400, 403, 404, 409, 422),
             url_name="model_promotion")
def request_promotion(request, model_id: ModelId, body: ReasonIn):
    """Ask for the model to become its use's champion; someone else decides. 409: champion or pending."""
    user = caller(request)
    return Status(201, actions.request_promotion(actor=user, model=_model(user, model_id), reason=body.reason))


@router.post("/models/{model_id}/retire", response=answers(ModelOut, 400, 403, 404, 409, 422),
             url_name="model_retire")
def retire(request, model_id: ModelId, body: ReasonIn):
    """Take a challenger out of the shadow scoring. 409 for a champion or a retired model."""
    user = caller(request)
    return actions.retire(actor=user, model=_model(user, model_id), reason=body.reason)


@router.post("/promotions/{request_id}/decision", response=answers(PromotionOut, 400, 403, 404, 409, 422),
             url_name="promotion_decision")
def decide_promotion(request, request_id: RequestId, body: DecisionIn):
    """Approve (the model becomes champion, the old one retires) or reject with a comment. 403 on your own."""
    user = caller(request)
    return actions.decide_promotion(actor=user, request=_promotion(user, request_id), approve=body.approve,
                                     comment=body.comment)


@router.post("/promotions/{request_id}/withdraw", response=answers(PromotionOut, 403, 404, 409, 422),
             url_name="promotion_withdraw")
def withdraw_promotion(request, request_id: RequestId):
    """Take back your own pending request. 409 if already decided."""
    user = caller(request)
    return actions.withdraw_promotion(actor=user, request=_promotion(user, request_id))


# --- what the models say -----------------------------------------------------------------------------

@router.get("/customers/{key:code}/model-scores", response=answers(list[CustomerScoreOut], 403, 404, 422),
            url_name="customer_model_scores")
def customer_model_scores(request, code: CustomerCode):
    """The live models' scores of a customer with their top reasons, the champion first."""
    user = caller(request)
    require(user, "scoring.view_customermodelscore")
    customer = visible_customer(user, code)
    return [{"model": model, "as_of": score.as_of, "probability": score.probability, "score": score.score,
             "reasons": score.reasons} for model, score in book_scores.customer_scores(customer)]


@router.get("/invoice-predictions", response=answers(PredictionPage, 403, 422),
            url_name="invoice_prediction_list")
def list_predictions(request, filters: Query[PredictionFilters]):
    """Open invoices of your portfolio by expected loss, largest first: the payment-delay champion's view."""
    user = caller(request)
    require(user, "scoring.view_invoiceprediction")
    predictions = scope(InvoicePrediction.objects.select_related("invoice", "customer"), user)
    if filters.customer:
        predictions = predictions.filter(customer__code=filters.customer)
    return page(predictions.order_by("-expected_loss", "pk"), filters.limit, filters.offset)


@router.get("/cash-forecast", response=answers(ForecastOut, 403, 404, 422), url_name="cash_forecast")
def cash_forecast(request, as_of: Query[Day | None] = None):
    """Collections expected week by week over 13 weeks by the payment-delay champion: the latest forecast,
    or the one made on `as_of` (404 if none that day). A user scoped to portfolios gets the forecast of
    their portfolios' invoices (`portfolio_only`), the latest day only. With no forecast yet: empty weeks."""
    user = caller(request)
    require(user, "scoring.view_cashforecast")
    forecast = forecast_for(user, as_of)
    if forecast is None:
        if as_of is not None:
            raise Http404(f"No cash forecast made on {as_of}.")
        return {"model": None, "as_of": None, "open_amount": None, "weeks": [], "portfolio_only": False}
    return {"model": forecast.model.pk, "as_of": forecast.as_of, "open_amount": forecast.open_amount,
            "weeks": forecast.weeks, "portfolio_only": forecast.portfolio_only}
