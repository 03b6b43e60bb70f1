"""What the permission matrix's writes act on: one small object per case, made directly (no risk cycle,
no assessment pipeline, no training), in the portfolio the case asks for.

Each maker takes a `Scene`: who is asking (`actor`), the customer whose portfolio the object belongs to
(`customer`: the actor's own portfolio, or the other one in a "foreign" case), who made the object
(`maker`: a colleague, or the actor in a "maker" case) and whose per-user object it is (`owner`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from tests.conftest import AS_OF
from tests.credit.approvals_fixtures import PREVIEW, pending_proposal

from fengkong.collections.models import (
    AcceptanceBill,
    BillAllocation,
    CollectionCase,
    Dispute,
    DisputeItem,
    Instalment,
    InstalmentPlan,
)
from fengkong.contracts.models import Contract, ContractDocument, DueDiligenceItem
from fengkong.core import dates
from fengkong.core.audit import jsonable
from fengkong.core.money import to_fen
from fengkong.credit import grading
from fengkong.credit import policy as credit_policy
from fengkong.credit.choices import CheckReason, CheckStatus, Decision, FeedbackCategory, PolicyStatus
from fengkong.credit.models import CreditCheck, CreditPolicy, RiskFeedback
from fengkong.cycle.choices import CycleStatus
from fengkong.cycle.models import CycleRun
from fengkong.engine.modelling import delay
from fengkong.industry.models import Indicator
from fengkong.monitoring.choices import ActionKind, AlertKind, AlertLevel, Zone
from fengkong.monitoring.models import ActionItem, Alert, CustomerSnapshot, MonitoringDay, StopSupply
from fengkong.notifications.choices import Template
from fengkong.notifications.models import InboxMessage
from fengkong.provisions.models import ProvisionRun
from fengkong.receivables.models import Invoice
from fengkong.reviews.models import PendingChange
from fengkong.scoring.choices import ModelKind, ModelStatus, ModelUse
from fengkong.scoring.models import CashForecast, InvoicePrediction, ModelVersion, PromotionRequest

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


# --- collections -------------------------------------------------------------------------------------

def collection_case(scene: Scene) -> CollectionCase:
    """The scene's customer's open case, owned by nobody yet (as the night leaves one in a portfolio
    without a collector)."""
    overdue = scene.customer.invoices.filter(open_amount__gt=0, due_date__lt=AS_OF)
    total = sum((i.open_amount for i in overdue), Decimal("0.00"))
    return CollectionCase.objects.create(customer=scene.customer, opened_on=AS_OF, updated_on=AS_OF,
                                         next_action_on=AS_OF, zone=1, overdue_amount=total,
                                         amount_attention=total, overdue_items=overdue.count())


def open_dispute(scene: Scene) -> Dispute:
    """An open dispute on the scene's customer's first open invoice, answered by `owner`."""
    invoice = scene.customer.invoices.filter(open_amount__gt=0).order_by("number").first()
    today = dates.business_today()
    dispute = Dispute.objects.create(customer=scene.customer, reason="price", team="sales", owner=scene.owner,
                                     opened_on=today, due_date=today + timedelta(days=14), opened_by=scene.maker)
    DisputeItem.objects.create(dispute=dispute, invoice=invoice, amount=invoice.open_amount)
    return dispute


def with_open_case(scene: Scene):
    """The scene's customer, with an open case (an instalment plan is proposed on one)."""
    if not CollectionCase.objects.open().filter(customer=scene.customer).exists():
        collection_case(scene)
    return scene.customer


def proposed_plan(scene: Scene) -> InstalmentPlan:
    """A plan of 100.00 in two instalments on the scene's customer's open invoices, proposed by `maker`, waiting
    for the collections manager's level."""
    customer = with_open_case(scene)
    invoices = list(customer.invoices.filter(open_amount__gt=0))
    today = dates.business_today()
    plan = InstalmentPlan.objects.create(
        case=CollectionCase.objects.open().get(customer=customer), customer=customer, amount=Decimal("100.00"),
        owed_at_proposal=sum((i.open_amount for i in invoices), Decimal("0.00")), oldest_first=True,
        level="collections_manager", proposed_by=scene.maker, proposed_on=today)
    plan.invoices.set(invoices)
    Instalment.objects.bulk_create([Instalment(plan=plan, number=1, due_date=today + timedelta(days=5), amount=50),
                                    Instalment(plan=plan, number=2, due_date=today + timedelta(days=10), amount=50)])
    return plan


def held_bill(scene: Scene) -> AcceptanceBill:
    """A held acceptance bill of 1.00 on the scene's customer's first open invoice, recorded by `maker`; each
    call a new bill number."""
    invoice = scene.customer.invoices.filter(open_amount__gt=0).order_by("number").first()
    today = dates.business_today()
    bill = AcceptanceBill.objects.create(
        number=f"MX-{AcceptanceBill.objects.count() + 1:05d}-{scene.customer.code}", customer=scene.customer,
        acceptor_name="重庆承兑人有限公司", amount=Decimal("1.00"), issue_date=today,
        maturity_date=today + timedelta(days=90), received_on=today, recorded_by=scene.maker)
    BillAllocation.objects.create(bill=bill, invoice=invoice, amount=Decimal("1.00"))
    return bill


def open_invoice(customer) -> Invoice:
    return customer.invoices.filter(open_amount__gt=0).order_by("number").first()


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
            reference=REFERENCE, customer=scene.customer, amount=Decimal("5000.00"),
            functional_amount=Decimal("5000.00"), decision=decision,
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


# --- stored figures: what training, proposing and the night store for the whole company -------------------
# The permission matrix's aggregate check calls these on the book as it stands (with and without a marker
# invoice in the other portfolio), after the URL's kwargs are made. Each stores the company's figures the
# way the product does, so a page that showed them to a portfolio-bound persona would change with the marker.

P_WEEKS = [0.5, 0.25] + [0.0] * 11 + [0.25]   # half in week 1, a quarter in week 2, the rest after 13 weeks


def forecast_figures(world: dict) -> None:
    """A payment-delay champion with its back-test (the company's figures and each portfolio's part, as
    training stores them), a prediction for every open invoice and the company's 13-week cash forecast."""
    model, _ = ModelVersion.objects.get_or_create(
        use=ModelUse.PAYMENT_DELAY, version=1, defaults={
            "kind": ModelKind.DELAY, "status": ModelStatus.CHAMPION, "directory": "models/payment_delay-v1",
            "data_sha256": "0" * 64, "promoted_at": timezone.now()})
    origin = AS_OF - timedelta(weeks=13)
    parts: dict[str, list[dict]] = {}
    expected = [0] * 13
    invoices = list(Invoice.objects.filter(open_amount__gt=0).select_related("customer").order_by("pk"))
    for invoice in invoices:
        fen = to_fen(invoice.open_amount)
        InvoicePrediction.objects.create(
            invoice=invoice, customer=invoice.customer, model=model, as_of=AS_OF, open_amount=invoice.open_amount,
            p_late=0.5, expected_days=20, expected_date=AS_OF + timedelta(days=20), p_weeks=P_WEEKS,
            expected_loss=(invoice.open_amount / 2).quantize(Decimal("0.01")), reasons=[])
        weeks = [{"week": k, "start": (origin + timedelta(days=7 * k - 6)).isoformat(),
                  "end": (origin + timedelta(days=7 * k)).isoformat(), "forecast_fen": round(fen * p),
                  "actual_fen": fen if k == 3 else 0, "reference_fen": fen if k == 2 else 0}
                 for k, p in enumerate(P_WEEKS[:13], start=1)]
        parts.setdefault(str(invoice.customer.portfolio_id), []).append(
            {"open_invoices": 1, "open_fen": fen, "weeks": weeks})
        expected = [e + round(fen * p) for e, p in zip(expected, P_WEEKS[:13], strict=True)]
    groups = {key: delay.combine_origins(found) for key, found in parts.items()}
    tested = {"origin": origin.isoformat(), "training_rows": len(invoices),
              **delay.combine_origins(list(groups.values())), "groups": groups}
    model.metrics = {"test": {"auc": 0.8}, "backtest": {"origins": [tested], "summary": delay.backtest_summary([tested])}}
    model.save(update_fields=["metrics"])
    CashForecast.objects.update_or_create(model=model, as_of=AS_OF, defaults={
        "open_amount": sum((i.open_amount for i in invoices), Decimal("0.00")),
        "weeks": [{"week": k, "start": (AS_OF + timedelta(days=7 * k - 6)).isoformat(),
                   "end": (AS_OF + timedelta(days=7 * k)).isoformat(), "expected_fen": e}
                  for k, e in enumerate(expected, start=1)]})


def policy_figures(world: dict) -> None:
    """Every proposed policy version's what-if, made on the book as it stands, as proposing stores it."""
    for version in CreditPolicy.objects.filter(status=PolicyStatus.PROPOSED):
        full = dict(credit_policy.parse(version.config).config)
        version.preview = jsonable(grading.preview(full)) or {}
        version.save(update_fields=["preview"])


# --- dual review -------------------------------------------------------------------------------------

def pending_change(scene: Scene) -> PendingChange:
    """A new legal name of the scene's customer, asked for by the maker and waiting for review."""
    customer = scene.customer
    return PendingChange.objects.create(kind="customer", object_id=customer.pk, customer=customer,
                                        old={"name": customer.name}, new={"name": f"{customer.name}（更名）"},
                                        requested_by=scene.maker, via="admin")


# --- legal recovery ----------------------------------------------------------------------------------

def legal_case(scene: Scene, stage: str = "opened", details: dict | None = None):
    """A case against the scene's customer, opened by the maker, at `stage` (moved there by the maker)."""
    from fengkong.legal.models import LegalCase, StageRecord

    number = f"FW-MATRIX-{LegalCase.objects.count() + 1:04d}"
    case = LegalCase.objects.create(number=number, customer=scene.customer, origin="person", currency="CNY",
                                    principal=Decimal("1000.00"), opened_by=scene.maker, stage=stage)
    StageRecord.objects.create(case=case, stage="opened", entered_on=AS_OF, by=scene.maker)
    if stage != "opened":
        StageRecord.objects.create(case=case, stage=stage, entered_on=AS_OF, by=scene.maker, details=details or {})
    if scene.persona == "law_firm":  # its own case is one engaged to its firm; a foreign one, to another firm
        own = scene.actor.law_firms.first()
        engage(case, own if scene.owner is scene.actor else law_firm("四川蜀都律师事务所"))
    return case


def law_firm(name: str):
    from fengkong.legal.models import LawFirm

    return LawFirm.objects.get_or_create(name=name)[0]


def engage(case, firm, fixed_fee: Decimal = Decimal("0.00")) -> None:
    """Engage `firm` on `case` directly (a fixed fee, or a 15% contingency share when there is none)."""
    from fengkong.legal.models import Engagement

    number = f"WT-MATRIX-{Engagement.objects.count() + 1:04d}"
    kind, share = ("fixed", Decimal("0.00")) if fixed_fee else ("contingency", Decimal("15.00"))
    engagement = Engagement.objects.create(number=number, firm=firm, scope="case", fee_kind=kind, fixed_fee=fixed_fee,
                                           contingency_share=share, engaged_on=AS_OF)
    case.engagement, case.engaged_on = engagement, AS_OF
    case.save(update_fields=["engagement", "engaged_on"])


def engaged_case(scene: Scene):
    """A case with a firm engaged at a fixed fee of 5,000.00 (the law_firm persona's own firm for that persona)."""
    case = legal_case(scene)
    if case.engagement_id is None:
        engage(case, law_firm("重庆渝律律师事务所"), Decimal("5000.00"))
    return case


def engagement(scene: Scene):
    """The engagement of an engaged case (the law_firm persona's own firm for that persona)."""
    return engaged_case(scene).engagement


def preserved_case(scene: Scene):
    return legal_case(scene, "preservation", {"applied_on": AS_OF.isoformat(), "court": "渝中区法院"})


def litigated_case(scene: Scene):
    return legal_case(scene, "litigation", {"filed_on": AS_OF.isoformat(), "court": "渝中区法院",
                                            "procedure": "ordinary"})


def restructuring_case(scene: Scene):
    return legal_case(scene, "restructuring", {"started_on": AS_OF.isoformat(), "kind": "debt_to_equity"})
# --- contracts ---------------------------------------------------------------------------------------

def contract(status: str):
    """A contract of the scene's customer in `status`, registered and submitted by `maker`, with one
    analysed document version."""

    def make(scene: Scene) -> Contract:
        made = Contract.objects.create(customer=scene.customer, number=f"HT-{scene.customer.code}-{status}",
                                       status=status, value=Decimal("800000.00"), created_by=scene.maker,
                                       submitted_by=scene.maker if status != "draft" else None)
        ContractDocument.objects.create(contract=made, version=1, file="contracts/matrix.txt", filename="草稿.txt",
                                        size=10, sha256="0" * 64, kind="txt", language="zh", text="第一条 付款方式",
                                        policy_version=1, uploaded_by=scene.maker)
        return made

    return make


def checklist_item(scene: Scene) -> DueDiligenceItem:
    """An open litigation-search item of a draft contract of the scene's customer."""
    return DueDiligenceItem.objects.create(contract=contract("draft")(scene), code="litigation_search",
                                           policy_version=1)
# --- industry -----------------------------------------------------------------------------------------

def indicator(scene=None) -> Indicator:
    """A national monthly indicator of construction, made directly (the library's own tests are in tests/industry)."""
    return Indicator.objects.get_or_create(code="e-cement", defaults={
        "name": "水泥产量", "industry": "E", "unit": "万吨", "source": "国家统计局", "direction": "lower",
        "warning_level": Decimal("1500"), "alarm_level": Decimal("1200")})[0]


# --- provisions ----------------------------------------------------------------------------------------

PROVISION_MATRIX = {"edges": [0, 30, 60, 90], "rolled_fen": [10, 5, 5, 5, 0], "collected_fen": [90, 5, 5, 0, 0],
                    "roll_rates": [0.1, 0.5, 0.5, 1.0], "loss_rates": [0.025, 0.25, 0.5, 1.0, 1.0],
                    "adjusted_rates": [0.025, 0.25, 0.5, 1.0, 1.0], "multiplier": 1.0, "recovery_rate": 0.0,
                    "balance_fen": [0, 0, 0, 0, 5000000], "provision_fen": [0, 0, 0, 0, 5000000],
                    "months": [], "scenarios": [], "individual_customers": []}


def provision_run(proposed_by) -> ProvisionRun:
    """A proposed provision of 31 October, made directly (how one is computed is tested in tests/provisions)."""
    money = Decimal("50000.00")
    return ProvisionRun.objects.create(as_of=AS_OF.replace(month=10, day=31), matrix=PROVISION_MATRIX,
                                       gross_amount=money, opening=Decimal(0), charge=money, reversal=Decimal(0),
                                       write_off=Decimal(0), recoveries=Decimal(0), closing=money,
                                       proposed_by=proposed_by)


def proposed_provision(scene: Scene) -> ProvisionRun:
    return provision_run(scene.maker)


def write_off_evidence(customer) -> int:
    from fengkong.evidence.actions import Description, keep

    return keep(actor=None, chunks=[b"%PDF-1.4 ruling\n%%EOF\n"], filename="ruling.pdf", customer=customer,
                description=Description(title="民事裁定书", source="court_document")).pk


def write_off_request(scene: Scene) -> dict:
    """The form (and API body) of a write-off of 1.00 of an open invoice of the scene's customer."""
    return {"invoice": open_invoice(scene.customer).number, "amount": "1.00", "ground": "court",
            "statement": "终结执行", "evidence": str(write_off_evidence(scene.customer))}


def proposed_write_off(scene: Scene):
    """A write-off request of 1.00 awaiting one approval, made by `maker`."""
    from fengkong.provisions.models import WriteOffRequest

    invoice = open_invoice(scene.customer)
    made = WriteOffRequest.objects.create(invoice=invoice, amount=Decimal("1.00"), ground="court",
                                          statement="终结执行", approvers_needed=1, proposed_by=scene.maker)
    made.evidence.set([write_off_evidence(scene.customer)])
    return made


def posted_write_off(scene: Scene):
    """A write-off of 1.00 posted to the ledger, for recoveries."""
    from fengkong.receivables.ledger import post_write_off

    made = proposed_write_off(scene)
    made.posted = post_write_off(made.invoice_id, made.amount, AS_OF, made.reference)
    made.status = "posted"
    made.save(update_fields=["posted", "status"])
    return made
# --- collections: dunning ----------------------------------------------------------------------------

def dunning_pause(scene: Scene):
    """A running dunning pause on the scene's customer, made by `maker`."""
    from fengkong.collections.models import DunningPause

    today = dates.business_today()
    return DunningPause.objects.create(customer=scene.customer, reason="reconciling", since=today,
                                       until=today + timedelta(days=10), created_by=scene.maker)


def sent_letter(scene: Scene):
    """A first reminder posted today to the scene's customer (its delivery not yet recorded)."""
    from fengkong.collections.models import DunningLetter

    return DunningLetter.objects.create(customer=scene.customer, level="first", language="zh-hans", channel="post",
                                        as_of=dates.business_today(), reference="TX-MATRIX",
                                        totals={"CNY": "100.00"}, ems_number="1012345678901", status="sent",
                                        sent_at=timezone.now(), created_by=scene.maker)
