"""The demo company's credit models: trained from its own ledger, put forward by the analyst and approved
by the risk manager, so the demo opens with champions that score the book, a challenger beside the
customer-risk champion, invoice predictions ordering the worklist and a 13-week cash forecast.

It goes through the registry's actions (train and register, ask, approve) like a credit team would, so the
audit trail and the models page read as real work. Skipped when models are already registered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model

from fengkong.scoring import actions
from fengkong.scoring.book_scores import score_book
from fengkong.scoring.choices import ModelKind, ModelUse
from fengkong.scoring.exceptions import ScoringError
from fengkong.scoring.models import ModelVersion

Progress = Callable[[str, int, int], None]
# The explainable scorecard is the demo's customer-risk champion; LightGBM stays a challenger beside it.
CHAMPION_KIND = {ModelUse.CUSTOMER_RISK: ModelKind.SCORECARD, ModelUse.PAYMENT_DELAY: ModelKind.DELAY}
REASONS = {
    ModelUse.CUSTOMER_RISK: "可解释评分卡,时间外样本验证通过;LightGBM 作为挑战者并行评分",
    ModelUse.PAYMENT_DELAY: "回测13周回款预测优于到期日加平均逾期天数的简单规则",
}


def load_models(as_of: date, progress: Progress | None = None) -> dict[str, int]:
    if ModelVersion.objects.exists():
        return {}
    people = {u.username: u for u in get_user_model().objects.filter(username__in=["analyst", "manager"])}
    counts = {}
    for use in (ModelUse.CUSTOMER_RISK, ModelUse.PAYMENT_DELAY):
        try:
            versions = actions.train_and_register(actor=people["analyst"], use=use, as_of=as_of,
                                                   progress=progress)
        except ScoringError as exc:  # a book too small or too young to learn from: the demo goes on without
            counts.setdefault("not_trained", {})[str(use)] = str(exc)
            continue
        champion = next(v for v in versions if v.kind == CHAMPION_KIND[use])
        request = actions.request_promotion(actor=people["analyst"], model=champion, reason=REASONS[use])
        actions.decide_promotion(actor=people["manager"], request=request, approve=True,
                                  comment="同意上线")
        counts[use] = len(versions)
    counts.update(score_book(as_of=as_of, actor=None, progress=progress) or {})
    return counts
