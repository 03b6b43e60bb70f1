"""What the permission matrix's writes act on: one small object per case, made directly (no risk cycle,
no assessment pipeline, no training), in the portfolio the case asks for.

Each maker takes a `Scene`: who is asking (`actor`), the customer whose portfolio the object belongs to
(`customer`: the actor's own portfolio, or the other one in a "foreign" case), who made the object
(`maker`: a colleague, or the actor in a "maker" case) and whose per-user object it is (`owner`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from tests.conftest import AS_OF
from tests.credit.approvals_fixtures import PREVIEW, pending_proposal

from fengkong.credit.choices import CheckReason, CheckStatus, Decision, FeedbackCategory, PolicyStatus
from fengkong.credit.models import CreditCheck, CreditPolicy, RiskFeedback
from fengkong.cycle.choices import CycleStatus
from fengkong.cycle.models import CycleRun
from fengkong.monitoring.choices import ActionKind, AlertKind, AlertLevel, Zone
from fengkong.monitoring.models import ActionItem, Alert, CustomerSnapshot, MonitoringDay, StopSupply
from fengkong.notifications.choices import Template
from fengkong.notifications.models import InboxMessage
from fengkong.scoring.choices import ModelKind, ModelStatus, ModelUse
from fengkong.scoring.models import ModelVersion, PromotionRequest

REFERENCE = "SO-MATRIX"


@dataclass(frozen=True)
class Scene:
    world: dict
    persona: str
    actor: object | None  # None: anonymous
    customer: object
    maker: object
    owner: object


# --- monitoring --------------------------------------------------------------------------------------

def monitored(world: dict) -> None:
    """What the risk cycle of AS_OF leaves on the book, made directly: a completed run, each customer's
    snapshot and monitored day, a zone alert with a phone-call task per customer, stop-supply for one customer of each
    portfolio. The pages read these rows; how the cycle makes them is tested in tests/monitoring."""
    CycleRun.objects.create(as_of=AS_OF, status=CycleStatus.DONE, finished_at=timezone.now())
    MonitoringDay.objects.create(as_of=AS_OF, edges=[0, 30, 60, 90, 180, 365])
    for customer in world["customers"]:
        invoices = list(customer.invoices.all())
        overdue = [i for i in invoices if i.due_date < AS_OF and i.open_amount > 0]
        open_amount = sum((i.open_amount for i in invoices), Decimal("0.00"))
        overdue_amount = sum((i.open_amount for i in overdue), Decimal("0.00"))
        CustomerSnapshot.objects.create(
            as_of=AS_OF, customer=customer, bucket_0=open_amount - overdue_amount, bucket_3=overdue_amount,
            open_amount=open_amount, overdue_amount=overdue_amount, exposure=open_amount, open_items=len(invoices),
            max_days_overdue=max(((AS_OF - i.due_date).days for i in overdue), default=0),
            zone=Zone.ATTENTION if overdue else Zone.NORMAL)
        scene = Scene(world, "system", None, customer, None, None)
        ActionItem.objects.create(kind=ActionKind.PHONE_CALL, customer=customer, alert=alert(scene), due_date=AS_OF)
    for customer in world["customers"][1:]:
        stop_supply(Scene(world, "system", None, customer, None, None))


def alert(scene: Scene) -> Alert:
    customer = scene.customer
    return Alert.objects.create(dedup_key=f"matrix:{customer.code}", kind=AlertKind.ZONE_ATTENTION,
                                level=AlertLevel.ATTENTION, customer=customer, as_of=AS_OF,
                                title=f"{customer.code} entered the attention zone")


def task(scene: Scene) -> ActionItem:
    return ActionItem.objects.create(kind=ActionKind.PHONE_CALL, customer=scene.customer, alert=alert(scene),
                                     due_date=AS_OF)


def stop_supply(scene: Scene) -> StopSupply:
    return StopSupply.objects.create(customer=scene.customer, since=AS_OF, reason="90+ days overdue")


def inbox_message(scene: Scene) -> InboxMessage:
    return InboxMessage.objects.create(user=scene.owner, template=Template.APPROVAL_REQUEST, title="Approve",
                                       body="A limit proposal waits for you.")


# --- credit ------------------------------------------------------------------------------------------

def proposal(scene: Scene):
    """A proposal awaiting one risk manager's approval, made by `maker`."""
    return pending_proposal(scene.customer, scene.maker)


def proposed_policy(scene: Scene) -> CreditPolicy:
    return CreditPolicy.objects.create(version=1, config={}, status=PolicyStatus.PROPOSED, note="tighter B",
                                       proposed_by=scene.maker, preview=PREVIEW)


def credit_check(status: str):
    """A maker of a check of `status` on an order of `maker`'s (override-requested: asked by `maker`)."""
    decision = {CheckStatus.RESERVED: Decision.APPROVE, CheckStatus.BLOCKED: Decision.BLOCK}.get(status, Decision.HOLD)
    reasons = [] if decision == Decision.APPROVE else [{"code": CheckReason.NO_LIMIT,
                                                        "params": {"amount": "5000.00", "exposure": "0.00"}}]

    def make(scene: Scene) -> CreditCheck:
        requested = scene.maker if status == CheckStatus.OVERRIDE_REQUESTED else None
        return CreditCheck.objects.create(
            reference=REFERENCE, customer=scene.customer, amount=Decimal("5000.00"), decision=decision,
            reasons=reasons, status=status, limit_at_check=Decimal("0.00"), exposure_at_check=Decimal("0.00"),
            requested_by=scene.maker, override_requested_by=requested,
            override_reason="a loyal customer" if requested else "")

    make.__name__ = f"{status}_check"
    return make


def feedback(scene: Scene) -> RiskFeedback:
    return RiskFeedback.objects.create(customer=scene.customer, category=FeedbackCategory.PAYMENT,
                                       text="The warehouse was half empty.", author=scene.maker)


# --- credit models -----------------------------------------------------------------------------------

def model(version: int = 1, status: str = ModelStatus.CHALLENGER, **extra) -> ModelVersion:
    return ModelVersion.objects.create(use=ModelUse.CUSTOMER_RISK, kind=ModelKind.SCORECARD, version=version,
                                       status=status, directory=f"models/customer_risk-v{version}",
                                       data_sha256="0" * 64, **extra)


def challenger(scene: Scene) -> ModelVersion:
    """A challenger beside the champion."""
    model(1, ModelStatus.CHAMPION, promoted_at=timezone.now())
    return model(2)


def promotion(scene: Scene) -> PromotionRequest:
    """`maker` asks for the challenger to become champion."""
    return PromotionRequest.objects.create(model=challenger(scene), reason="better AUC", requested_by=scene.maker)


def previous_champion(scene: Scene) -> ModelVersion:
    """The champion a rollback brings back: retired when version 2 was crowned."""
    now = timezone.now()
    earlier = model(1, ModelStatus.RETIRED, promoted_at=now, retired_at=now)
    model(2, ModelStatus.CHAMPION, promoted_at=now)
    return earlier
