"""The order of the collectors' worklist: open tasks first, then by due date, or by a ranking another app
knows better and registers at start-up (scoring: the largest expected loss on the customer's open invoices).

Why a registry: the worklist is monitoring's page, but what ranks a customer's risk (a payment-delay model)
lives in a higher app, which monitoring never imports. A ranking adds one value per task (`rank_value`),
shown in its own column, and is offered only to users it allows; with none offered the worklist is by due
date alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, QuerySet, When

from .choices import ActionStatus

BY_DUE = "due"


@dataclass(frozen=True)
class Ranking:
    name: str                                   # ?order=<name>
    label: Any                                  # the button
    hint: Any                                   # the button's tooltip
    column: Any                                 # the header of the column showing each task's rank_value
    allowed: Callable[[Any], bool]              # whether this user may see it
    annotate: Callable[[QuerySet], QuerySet]    # adds `rank_value` (higher first) to each task
    preferred: Callable[[], bool]               # the default order, once there is something to rank by


RANKINGS: dict[str, Ranking] = {}


def register_ranking(ranking: Ranking) -> Ranking:
    """Offer `ranking` on the worklist (an app's AppConfig.ready)."""
    RANKINGS[ranking.name] = ranking
    return ranking


@dataclass(frozen=True)
class Ordered:
    items: QuerySet
    order: str | None          # the order in force; None: by due date, nothing else offered
    ranking: Ranking | None    # the ranking whose column is shown


def ordered_worklist(items: QuerySet, order: str | None, user) -> Ordered:
    """Open tasks first; within them by the ranking asked for (or the preferred one), else by due date."""
    open_first = Case(When(status=ActionStatus.OPEN, then=0), default=1)
    by_due = (open_first, "due_date", "pk")
    ranking = next((r for r in RANKINGS.values() if r.allowed(user)), None)
    if ranking is None:
        return Ordered(items.order_by(*by_due), None, None)
    items = ranking.annotate(items)
    if order not in (ranking.name, BY_DUE):
        order = ranking.name if ranking.preferred() else BY_DUE
    if order == ranking.name:
        return Ordered(items.order_by(open_first, F("rank_value").desc(nulls_last=True), "due_date", "pk"),
                       order, ranking)
    return Ordered(items.order_by(*by_due), order, ranking)
