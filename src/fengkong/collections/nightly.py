"""Collections' steps of the night (core.nightly), between monitoring's escalations (60) and its messages (80):

  collections.cases     (65) — open, update and close the cases from the night's zoned book (less what
                               acceptance bills settle); flag the bills maturing soon or past maturity and
                               not presented (bills.watch_bills);
  collections.promises  (70) — judge the promises whose date and tolerance have passed; a broken one raises
                               an alert (sent by monitoring's messages step) and moves its case a step up;
                               an instalment of a plan is such a promise, and its plan moves with it (on
                               track, completed, broken: casework.follow_plans).
  collections.strategies (72) — choose each case's strategy from its segment, move the cases whose step's
                               wait has passed, hand over the stop-supply and legal-referral steps (strategies.py).

Each runs in one transaction that first checks the run is still this worker's, and is idempotent: a run
killed after either step is completed by the next one without doubles (casework.py says how).
"""

from __future__ import annotations

from django.db import transaction

from fengkong.core.nightly import Night, nightly_step
from fengkong.monitoring.nightly import monitored

from . import bills, casework, strategies
from .models import CollectionsPolicy


@nightly_step("collections.cases", order=65)
def cases(night: Night) -> None:
    m = monitored(night)
    policy = CollectionsPolicy.current().parsed()
    with transaction.atomic():
        night.checkpoint()
        synced = casework.sync_cases(m.book.items, night.as_of, policy, materiality_fen=m.policy.materiality_fen,
                                     people=m.recipients(), actor=night.actor)
        watched = bills.watch_bills(night.as_of, policy.bills.maturing_within_days, actor=night.actor)
        night.checkpoint({"collection_cases": synced.open},
                         added={"cases_opened": synced.opened, "cases_closed": synced.closed,
                                "bills_maturing": watched.maturing, "bills_unpresented": watched.unpresented})


@nightly_step("collections.promises", order=70)
def promises(night: Night) -> None:
    m = monitored(night)
    policy = CollectionsPolicy.current().parsed()
    with transaction.atomic():
        night.checkpoint()
        judged = casework.judge_promises(night.as_of, policy, m.policy, people=m.recipients(), actor=night.actor)
        night.checkpoint(added={"promises_kept": judged.kept, "promises_partially_kept": judged.partially_kept,
                                "promises_broken": judged.broken, "alerts_raised": judged.alerts_raised,
                                "plans_completed": judged.plans_completed, "plans_broken": judged.plans_broken})


@nightly_step("collections.strategies", order=72)
def strategy_steps(night: Night) -> None:
    m = monitored(night)
    policy = CollectionsPolicy.current().parsed()
    with transaction.atomic():
        night.checkpoint()
        done = strategies.advance_cases(night.as_of, policy, m.policy, people=m.recipients(), actor=night.actor)
        night.checkpoint(added={"strategies_chosen": done.rechosen, "strategy_steps_moved": done.moved,
                                "alerts_raised": done.alerts_raised})
