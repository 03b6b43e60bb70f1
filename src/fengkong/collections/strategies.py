"""Collection strategies at work: the behaviour a collector sets on a case (which, with the grade, the zone and
the amount, chooses the case's strategy from the policy's segments) and the night's step that moves cases along
their strategies.

Design decisions:
- The segment is grade (the customer's credit grade, "" before it has one) × zone × amount band (of the amount
  to chase) × behaviour (set by a collector with a reason, audited). The policy's segments choose the strategy
  (policy.Policy.strategy_for); the choice is made again each night and whenever the behaviour is set, so a
  case whose zone rises or whose customer turns out wilful changes strategy at once.
- A case changing strategy keeps its position: the same step number, or the new strategy's last step if it is
  shorter (a case well up one strategy is not sent back to a first reminder).
- The night moves a case one step up when the wait of its current step has passed since it reached the step
  (`step_since`), at most one step a night, never past the last step. Dunning paused — a pending promise, or
  any hold registered with monitoring (dispatch.dunning_held) — keeps the case where it is.
- A broken promise moves the case one step up in the promises step (casework), before this one, which then
  sees the step reached today and does not move it again.
- The stop-supply and legal-referral steps use what monitoring has: reaching one raises an alert
  (strategy_stop_supply / strategy_legal) whose rule sets the stop-supply flag or opens the legal-referral task
  the legal team turns into a case (legal.actions.open_case). The alert's key is one per case, so a second
  night, or a case coming back to the step, raises nothing twice.
- The night reads the open cases as rows and writes them back in bulk (bulk_update); it runs inside its step's
  transaction and is idempotent (a second run of the same night finds every case moved today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fengkong.core import dates
from fengkong.core.audit import Change, record, record_many
from fengkong.core.money import to_fen
from fengkong.core.permissions import require, scope
from fengkong.customers.queries import customer_labels
from fengkong.monitoring.alerts import in_site_language, new_alert, raise_alerts
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.dispatch import People, dunning_held
from fengkong.monitoring.policy import Policy as MonitoringPolicy

from .choices import STEP_LABELS, Behaviour, CasePromise, EventKind
from .exceptions import BehaviourInvalid, CaseTaken
from .forms import BehaviourForm
from .models import CaseEvent, CollectionCase, CollectionsPolicy
from .policy import Policy

HANDOVER = {"stop_supply": AlertKind.STRATEGY_STOP_SUPPLY, "legal_referral": AlertKind.STRATEGY_LEGAL}
HANDOVER_TITLE = _("%(customer)s reached the %(step)s step of the %(strategy)s collection strategy")
MOVED = ("strategy", "step", "step_since", "next_action_on", "policy_version")
CHUNK = 5000


def grade_of(case: CollectionCase) -> str:
    credit = getattr(case.customer, "credit", None)
    return (credit.grade if credit is not None else "") or ""


def choose(policy: Policy, case: CollectionCase, grade: str) -> str:
    return policy.strategy_for(grade=grade, zone=case.zone, amount_fen=to_fen(case.overdue_amount),
                               behaviour=case.behaviour)


def place(policy: Policy, strategy: str, step: int) -> int:
    """The step a case keeps on `strategy`: its number, or the strategy's last step."""
    return min(step, len(policy.steps(strategy)) - 1)


def current_step(policy: Policy, case: CollectionCase) -> dict:
    """What the case page and the worklist show: the strategy, the step (1-based of n), its action and owner."""
    steps = policy.steps(case.strategy)
    index = min(case.step, len(steps) - 1)
    step = steps[index]
    return {"strategy": case.strategy if case.strategy in policy.strategies else policy.default_strategy,
            "number": index + 1, "of": len(steps), "action": step.action, "owner": step.owner,
            "wait_days": step.wait_days, "label": STEP_LABELS.get(step.action, step.action),
            "last": index == len(steps) - 1}


def page_context(case: CollectionCase, policy: Policy, user) -> dict:
    """What the case page's strategy section shows (views.case_context adds it)."""
    return {"current_step": current_step(policy, case),
            "behaviour_form": BehaviourForm(initial={"behaviour": case.behaviour}),
            "can_set_behaviour": user.has_perm("collections.set_behaviour") and case.is_open}


# --- the collector sets the behaviour ----------------------------------------------------------------

@transaction.atomic(durable=True)
def set_behaviour(*, actor, case: CollectionCase, behaviour: str, reason: str,
                  today: date | None = None) -> CollectionCase:
    """Say why the customer does not pay (short of cash, wilful, unknown), with a reason: the case's strategy
    is chosen again from its segment at once."""
    require(actor, "collections.set_behaviour")
    if not scope(CollectionCase.objects.filter(pk=case.pk), actor).exists():
        raise PermissionDenied("this case's customer is not in your portfolio")
    if behaviour not in Behaviour.values:
        raise BehaviourInvalid(f"behaviour must be one of {', '.join(Behaviour.values)}, not {behaviour!r}",
                               field="behaviour")
    reason = (reason or "").strip()
    if not reason:
        raise BehaviourInvalid("say why (the reason is kept with the behaviour)", field="reason")
    if len(reason) > 300:
        raise BehaviourInvalid(f"the reason is {len(reason)} characters; at most 300 are kept", field="reason")
    today = today or dates.business_today()
    locked = (CollectionCase.objects.select_for_update(of=("self",)).select_related("customer__credit")
              .get(pk=case.pk))
    if not locked.is_open:
        raise CaseTaken("the case is closed")
    before = locked.behaviour
    locked.behaviour, locked.behaviour_reason = behaviour, reason
    locked.behaviour_set_by, locked.behaviour_set_on = actor, today
    policy = CollectionsPolicy.current().parsed()
    fields = ["behaviour", "behaviour_reason", "behaviour_set_by", "behaviour_set_on"]
    CaseEvent.objects.create(case=locked, kind=EventKind.BEHAVIOUR, user=actor,
                             params={"before": before, "after": behaviour, "reason": reason})
    strategy = choose(policy, locked, grade_of(locked))
    if strategy != locked.strategy:
        step = place(policy, strategy, locked.step)
        CaseEvent.objects.create(case=locked, kind=EventKind.STRATEGY, user=actor, params={
            "from": locked.strategy, "to": strategy, "step": step, "why": "behaviour"})
        locked.strategy, locked.step, locked.step_since, locked.next_action_on = strategy, step, today, today
        locked.policy_version = policy.version
        fields += list(MOVED)
    locked.save(update_fields=fields)
    record(actor, "collection_case.behaviour_set", "collectioncase", locked.pk,
           before={"behaviour": before}, after={"behaviour": behaviour, "reason": reason,
                                                "strategy": locked.strategy, "step": locked.step})
    return locked


# --- the night ---------------------------------------------------------------------------------------

@dataclass
class Advanced:
    rechosen: int = 0
    moved: int = 0
    handed_over: int = 0
    alerts_raised: int = 0


def paused(customer_ids: list[int]) -> set[int]:
    """The customers whose dunning waits: every hold registered with monitoring (a pending promise, ...)."""
    out: set[int] = set()
    for start in range(0, len(customer_ids), CHUNK):
        out |= dunning_held(customer_ids[start:start + CHUNK])
    return out


def advance_cases(as_of: date, policy: Policy, monitoring_policy: MonitoringPolicy, *, people: People | None,
                  actor=None) -> Advanced:
    """Choose each open case's strategy from its segment, move it a step up when its step's wait has passed,
    and hand over the cases on a stop-supply or legal-referral step. Call inside the step's transaction."""
    cases = list(CollectionCase.objects.open().select_related("customer__credit").only(
        "pk", "customer_id", "customer__credit__grade", "strategy", "step", "step_since", "opened_on", "zone",
        "overdue_amount", "behaviour", "promise_status", "next_action_on", "policy_version"))
    held = paused(sorted(c.customer_id for c in cases))
    out, changed, events = Advanced(), [], []
    for case in cases:
        strategy = choose(policy, case, grade_of(case))
        if strategy != case.strategy:
            step = place(policy, strategy, case.step)
            events.append(CaseEvent(case_id=case.pk, kind=EventKind.STRATEGY, params={
                "from": case.strategy, "to": strategy, "step": step, "why": "segment"}))
            case.strategy, case.step, case.step_since, case.next_action_on = strategy, step, as_of, as_of
            case.policy_version = policy.version
            changed.append(case)
            out.rechosen += 1
            continue
        if _due_to_move(policy, case, as_of, held):
            events.append(CaseEvent(case_id=case.pk, kind=EventKind.STEP, params={
                "from": case.step, "to": case.step + 1, "why": "wait_passed"}))
            case.step, case.step_since, case.next_action_on = case.step + 1, as_of, as_of
            changed.append(case)
            out.moved += 1
    CollectionCase.objects.bulk_update(changed, list(MOVED), batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    if changed:
        record_many(actor, [Change("collection_cases.advanced", "collectioncase", str(as_of), after={
            "strategies_chosen": out.rechosen, "steps_moved": out.moved})])
    alerts = _handovers(cases, as_of, policy, monitoring_policy)
    out.handed_over = len(alerts)
    if alerts:
        counts = raise_alerts(alerts, policy=monitoring_policy, as_of=as_of, actor=actor, people=people,
                              send_messages=False)
        out.alerts_raised = counts["alerts_raised"]
    return out


def _due_to_move(policy: Policy, case: CollectionCase, as_of: date, held: set[int]) -> bool:
    steps = policy.steps(case.strategy)
    if case.step >= len(steps) - 1 or case.customer_id in held or case.promise_status == CasePromise.PENDING:
        return False
    since = case.step_since or case.opened_on
    return since < as_of and since + timedelta(days=steps[case.step].wait_days) <= as_of


def _handovers(cases: list[CollectionCase], as_of: date, policy: Policy, monitoring_policy: MonitoringPolicy) -> list:
    """An alert for each case on a stop-supply or legal-referral step (one per case and kind: the key)."""
    on = [(c, policy.steps(c.strategy)[place(policy, c.strategy, c.step)].action) for c in cases]
    on = [(c, action) for c, action in on if action in HANDOVER]
    if not on:
        return []
    names = customer_labels(sorted({c.customer_id for c, _action in on}))
    template = in_site_language(HANDOVER_TITLE)
    return [new_alert(HANDOVER[action], customer_id=c.customer_id, key=f"{HANDOVER[action]}:c{c.pk}", as_of=as_of,
                      policy=monitoring_policy,
                      title=template % {"customer": names.get(c.customer_id, str(c.customer_id)),
                                        "step": in_site_language(STEP_LABELS[action]), "strategy": c.strategy},
                      details={"case": c.pk, "strategy": c.strategy, "step": c.step, "action": action})
            for c, action in on]
