"""The demo company's credit side: industry outlooks, guarantees on file, a first assessment of every
customer a quarter ago with its limits approved by the right people, a quarterly review today, a few
proposals still waiting for votes, and sales orders checked against the limits.

Everything goes through the same actions a credit team uses (assess, propose, vote, check), so the
audit trail, the inbox and the approvals read as a team's quarter of work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from fengkong.credit.actions.assessments import assess_customers
from fengkong.credit.actions.checks import run_check
from fengkong.credit.actions.limits import propose_limit, vote
from fengkong.credit.choices import (
    ApprovalLevel,
    Grade,
    GuaranteeKind,
    ProposalStatus,
    Trigger,
    Vote,
)
from fengkong.credit.models import CreditCheck, CreditProfile, Guarantee, LimitProposal
from fengkong.customers.models import Customer
from fengkong.customers.queries import visible_customers
from fengkong.demo.indicators import load_indicators
from fengkong.industry.choices import Outlook
from fengkong.industry.models import IndustryOutlook, OutlookChange
from fengkong.notifications.models import InboxMessage
from fengkong.receivables.models import Invoice

Progress = Callable[[str, int, int], None]

OUTLOOKS = {  # GB/T 4754 section -> (outlook, alarm, note)
    "A": (Outlook.CAUTIOUS, False, "猪周期下行,饲料成本高企"),
    "B": (Outlook.CAUTIOUS, False, "煤价回落,产能利用率下降"),
    "C": (Outlook.STABLE, False, "制造业PMI在荣枯线附近"),
    "D": (Outlook.FAVOURABLE, False, "公用事业现金流稳定"),
    "E": (Outlook.ADVERSE, False, "建筑业回款周期拉长,川渝项目停工增多"),
    "F": (Outlook.CAUTIOUS, False, "批发零售毛利收窄"),
    "G": (Outlook.STABLE, False, "物流运价平稳"),
    "I": (Outlook.FAVOURABLE, False, "软件和信息技术服务增长"),
    "K": (Outlook.ADVERSE, True, "房地产系统性风险:销售面积同比下降,多家开发商债务展期"),
    "L": (Outlook.STABLE, False, "商务服务需求平稳"),
    "M": (Outlook.FAVOURABLE, False, "研发服务需求增长"),
}
GUARANTORS = ["重庆三峡融资担保集团股份有限公司", "四川省金玉融资担保有限公司", "重庆进出口融资担保有限公司",
              "成都小企业融资担保有限责任公司"]
INSURERS = ["中国出口信用保险公司重庆分公司", "中国人民财产保险股份有限公司四川省分公司"]
PENDING_RAISES = 3  # proposals left waiting for approval at the end of the demo


def load_credit(as_of: date, seed: int, progress: Progress | None = None) -> dict[str, int]:
    """Set up the credit side of the demo company as of `as_of` (idempotent: skipped when done)."""
    if IndustryOutlook.objects.exists():
        return {}
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["manager", "analyst", "director", "cfo", "industry", "sales"])}
    _outlooks(users["industry"])
    indicators = load_indicators(as_of, seed, users["industry"])
    guarantees = _guarantees(as_of, seed)
    start = as_of - timedelta(weeks=13)
    first = assess_customers(None, as_of=start, trigger=Trigger.INITIAL, progress=progress)
    approved = _approve_all(users)
    review = assess_customers(None, as_of=as_of, trigger=Trigger.QUARTERLY, progress=progress)
    _mark_inbox_read(users)
    raises = _pending_raises(users, seed)
    checks = _sales_orders(users["sales"], as_of)
    pending = LimitProposal.objects.filter(status=ProposalStatus.PENDING).count()
    return {"guarantees": guarantees, "assessed": first.get("assessed", 0), "limits_approved": approved,
            "reviewed": review.get("assessed", 0), "pending_raises": raises, "pending": pending,
            "credit_checks": checks, "indicator_observations": indicators}


def _outlooks(analyst) -> None:
    IndustryOutlook.objects.bulk_create([
        IndustryOutlook(industry=section, outlook=outlook, alarm=alarm, note=note, updated_by=analyst)
        for section, (outlook, alarm, note) in OUTLOOKS.items()])
    OutlookChange.objects.bulk_create([
        OutlookChange(industry=section, outlook=outlook, alarm=alarm, note=note, changed_by=analyst)
        for section, (outlook, alarm, note) in OUTLOOKS.items()])


def _guarantees(as_of: date, seed: int) -> int:
    """Guarantees and collateral for about half the book, sized on each customer's last year of sales."""
    rng = np.random.default_rng(seed + 4)
    sales = dict(Invoice.objects.filter(issue_date__gt=as_of - timedelta(days=365))
                 .values_list("customer_id").annotate(total=Sum("amount")).values_list("customer_id", "total"))
    rows = []
    for customer_id, code in Customer.objects.order_by("code").values_list("pk", "code"):
        draw, share = rng.random(), rng.uniform(0.1, 0.5)
        base = sales.get(customer_id) or Decimal(0)
        value = (base * Decimal(f"{share:.3f}")).quantize(Decimal("10000")) if base else Decimal(0)
        if value <= 0:
            continue
        start = as_of - timedelta(days=int(rng.integers(30, 900)))
        if draw < 0.28:
            kind, provider, eligible = GuaranteeKind.CREDIT_GUARANTEE, GUARANTORS[int(rng.integers(4))], 100
        elif draw < 0.40:
            kind, provider, eligible = GuaranteeKind.COLLATERAL, f"{code} 厂房及土地使用权抵押", 70
        elif draw < 0.47:
            kind, provider, eligible = GuaranteeKind.THIRD_PARTY, GUARANTORS[int(rng.integers(4))], 100
        elif draw < 0.52:
            kind, provider, eligible = GuaranteeKind.CREDIT_INSURANCE, INSURERS[int(rng.integers(2))], 90
        else:
            continue
        rows.append(Guarantee(customer_id=customer_id, kind=kind, provider=provider, value=value,
                              eligible_percent=eligible, valid_from=start,
                              valid_until=start + timedelta(days=int(rng.integers(365, 1460))),
                              reference=f"DB-{code}"))
    Guarantee.objects.bulk_create(rows)
    return len(rows)


def _approve_all(users) -> int:
    """The first limits: the manager approves those at manager level, the committee the large ones."""
    approved = 0
    for proposal in LimitProposal.objects.filter(status=ProposalStatus.PENDING).order_by("pk"):
        voters = ([users["manager"]] if proposal.level == ApprovalLevel.MANAGER
                  else [users["director"], users["cfo"], users["manager"]])
        for voter in voters:
            proposal = vote(actor=voter, proposal=proposal, vote=Vote.APPROVE, comment="首次授信,同意")
            if proposal.status != ProposalStatus.PENDING:
                approved += proposal.status == ProposalStatus.APPROVED
                break
    return approved


def _mark_inbox_read(users) -> None:
    InboxMessage.objects.filter(alert__isnull=True).update(read_at=timezone.now())


def _pending_raises(users, seed: int) -> int:
    """The analyst asks for larger limits for a few good customers; one waits for a second committee vote."""
    candidates = list(CreditProfile.objects.filter(grade=Grade.A, limit__gt=0).exclude(
        customer__limit_proposals__status=ProposalStatus.PENDING).select_related("customer")
        .order_by("-limit")[:PENDING_RAISES])
    for i, profile in enumerate(candidates):
        factor = Decimal("3") if i == 0 else Decimal("1.5")
        proposal = propose_limit(actor=users["analyst"], customer=profile.customer,
                                 proposed_limit=(profile.limit * factor).quantize(Decimal("10000")),
                                 proposed_term_days=profile.term_days,
                                 reason="客户新签年度框架协议,订单量预计翻番,付款记录良好,申请提高额度。")
        if i == 0 and proposal.level == ApprovalLevel.COMMITTEE:
            vote(actor=users["director"], proposal=proposal, vote=Vote.APPROVE, comment="同意,需追加第三方保证。")
    return len(candidates)


def _sales_orders(sales, as_of: date) -> int:
    """Sales checks a few orders of its portfolio: one fits, one is over the limit, one customer is flagged."""
    if CreditCheck.objects.exists():
        return 0
    customers = list(visible_customers(sales).filter(credit__limit__gt=0).select_related("credit")
                     .order_by("code")[:6])
    made = 0
    for i, customer in enumerate(customers):
        limit = customer.credit.limit
        amount = (limit * (Decimal("0.05") if i % 2 == 0 else Decimal("2"))).quantize(Decimal("0.01"))
        run_check(actor=sales, customer=customer, amount=max(amount, Decimal("1000.00")), currency="CNY",
                  reference=f"SO-{as_of:%Y%m%d}-{i + 1:03d}")
        made += 1
    return made
