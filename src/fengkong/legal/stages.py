"""The stages of a legal case as a state machine: which moves are allowed, what each stage must record, and
why a move is refused.

Design decisions:
- The moves are a table (NEXT), so the case page can offer exactly the allowed ones and a refusal can say
  where the case may go instead. A move the table allows can still be refused by its conditions (the
  judgment's appeal window still open, enforcement applied for after its two years); the reason names the
  dates.
- Each stage's details are checked by `parse_details` into plain values (dates, amounts, texts) before
  anything is written; every problem is named at once.
- Mediation, bankruptcy and closing are reachable from every open stage: a settlement or the debtor's
  bankruptcy can come at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from fengkong.engine import legal_periods as periods

from .choices import Outcome, Procedure, RestructuringKind, Stage
from .exceptions import StageDetailsInvalid

EXITS = {Stage.MEDIATION, Stage.BANKRUPTCY, Stage.CLOSED}
NEXT: dict[str, set[str]] = {
    Stage.OPENED: {Stage.DEMAND_LETTER, Stage.PAYMENT_ORDER, Stage.PRESERVATION, Stage.LITIGATION,
                   Stage.RESTRUCTURING} | EXITS,
    Stage.DEMAND_LETTER: {Stage.PAYMENT_ORDER, Stage.PRESERVATION, Stage.LITIGATION, Stage.RESTRUCTURING} | EXITS,
    Stage.PAYMENT_ORDER: {Stage.LITIGATION, Stage.PRESERVATION, Stage.ENFORCEMENT} | EXITS,
    Stage.PRESERVATION: {Stage.LITIGATION, Stage.PAYMENT_ORDER, Stage.JUDGMENT} | EXITS,
    Stage.LITIGATION: {Stage.JUDGMENT, Stage.PRESERVATION} | EXITS,
    Stage.JUDGMENT: {Stage.APPEAL, Stage.ENFORCEMENT, Stage.PRESERVATION} | EXITS,
    Stage.APPEAL: {Stage.ENFORCEMENT} | EXITS,
    Stage.ENFORCEMENT: set(EXITS),
    Stage.MEDIATION: {Stage.LITIGATION, Stage.ENFORCEMENT, Stage.CLOSED},
    Stage.RESTRUCTURING: {Stage.LITIGATION, Stage.BANKRUPTCY, Stage.CLOSED},
    Stage.BANKRUPTCY: {Stage.CLOSED},
    Stage.CLOSED: set(),
}
ORDER = list(Stage.values)

# Each stage's details: name -> (kind, required). Kinds: date, money, text, choice:<Choices>, bool.
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    Stage.DEMAND_LETTER: {"sent_on": ("date", True), "firm": ("text", False)},
    Stage.PAYMENT_ORDER: {"applied_on": ("date", True), "court": ("text", True), "served_on": ("date", False)},
    Stage.PRESERVATION: {"applied_on": ("date", True), "court": ("text", True), "ruled_on": ("date", False),
                         "guarantee_deposit": ("money", False), "before_suit": ("bool", False)},
    Stage.LITIGATION: {"filed_on": ("date", True), "court": ("text", True), "procedure": ("procedure", True),
                       "court_case_number": ("text", False), "judge": ("text", False),
                       "objected_on": ("date", False)},
    Stage.JUDGMENT: {"judgment_on": ("date", True), "served_on": ("date", True),
                     "performance_deadline": ("date", False), "awarded": ("money", False)},
    Stage.APPEAL: {"filed_on": ("date", True), "court": ("text", False)},
    Stage.ENFORCEMENT: {"applied_on": ("date", True), "court": ("text", False),
                        "final_judgment_on": ("date", False), "performance_deadline": ("date", False)},
    Stage.MEDIATION: {"started_on": ("date", True), "agreement_on": ("date", False), "agreed": ("money", False)},
    Stage.RESTRUCTURING: {"started_on": ("date", True), "kind": ("restructuring", True)},
    Stage.BANKRUPTCY: {"accepted_on": ("date", True), "claim_deadline": ("date", True),
                       "administrator": ("text", False), "claimed": ("money", False)},
    Stage.CLOSED: {"closed_on": ("date", True), "outcome": ("outcome", True), "recovered": ("money", False)},
}
CHOICES = {"procedure": Procedure, "restructuring": RestructuringKind, "outcome": Outcome}
# The date of a stage: the first required date among its details.
DATE_OF = {stage: next(name for name, (kind, req) in fields.items() if kind == "date" and req)
           for stage, fields in FIELDS.items()}


def label(stage: str) -> str:
    return str(Stage(stage).label)


def allowed(stage: str) -> list[str]:
    """The stages a case at `stage` may move to, in the order of the stages."""
    return [s for s in ORDER if s in NEXT[stage]]


def parse_details(stage: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The stage's details as values (dates as date, amounts as Decimal); every problem at once."""
    fields, problems, out = FIELDS.get(stage, {}), [], {}
    for name in raw:
        if name not in fields:
            problems.append(_("%(stage)s has no detail “%(name)s”") % {"stage": label(stage), "name": name})
    for name, (kind, required) in fields.items():
        value = raw.get(name)
        if value in (None, ""):
            if required:
                problems.append(_("%(stage)s needs “%(name)s”") % {"stage": label(stage), "name": name})
            continue
        parsed = parse_value(kind, value)
        if parsed is None:
            problems.append(_("“%(name)s” of %(stage)s is not a valid %(kind)s: %(value)r")
                            % {"name": name, "stage": label(stage), "kind": kind, "value": value})
        else:
            out[name] = parsed
    if problems:
        raise StageDetailsInvalid(problems)
    return out


def parse_value(kind: str, value: Any) -> Any:
    if kind == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None
    if kind == "money":
        try:
            amount = Decimal(str(value)) if not isinstance(value, float | bool) else None
        except InvalidOperation:
            return None
        return amount if amount is not None and amount.is_finite() and amount >= 0 and \
            amount.as_tuple().exponent >= -2 else None
    if kind == "bool":
        return value if isinstance(value, bool) else {"true": True, "1": True, "on": True, "false": False,
                                                      "0": False, "": False}.get(str(value).lower())
    if kind in CHOICES:
        return str(value) if str(value) in CHOICES[kind].values else None
    text = str(value).strip()
    return text[:200] if text else None


@dataclass(frozen=True)
class Past:
    """What a case has been through: each stage's details by stage (the latest record of each)."""

    details: dict[str, dict[str, Any]]

    def has(self, stage: str) -> bool:
        return stage in self.details

    def get(self, stage: str, name: str):
        return self.details.get(stage, {}).get(name)


def refusal(current: str, target: str, details: dict[str, Any], past: Past, *, restructuring_approved: bool,
            claim: Decimal, recovered: Decimal) -> str | None:
    """Why the case at `current` cannot move to `target` with these details; None when it may."""
    if target not in NEXT[current]:
        return not_next(current, target, past)
    day = details.get(DATE_OF[target])
    checks = {Stage.APPEAL: appeal_refusal, Stage.ENFORCEMENT: enforcement_refusal,
              Stage.JUDGMENT: judgment_refusal}
    if target in checks and (reason := checks[target](current, details, past, day)):
        return reason
    if target == Stage.BANKRUPTCY and details["claim_deadline"] < details["accepted_on"]:
        return _("The claim filing deadline (%(d)s) is before the court accepted the bankruptcy (%(a)s).") % {
            "d": details["claim_deadline"], "a": details["accepted_on"]}
    if target == Stage.CLOSED:
        return closing_refusal(current, details, restructuring_approved, claim, recovered)
    return None


def not_next(current: str, target: str, past: Past) -> str:
    if current == Stage.CLOSED:
        return _("The case is closed: it cannot move any more.")
    hints = {Stage.JUDGMENT: _("a judgment comes after litigation: record the filing of the suit first"),
             Stage.APPEAL: _("an appeal is against a first-instance judgment: record the judgment first"),
             Stage.ENFORCEMENT: _("enforcement needs an enforceable title: an effective judgment, an unopposed "
                                  "payment order or a mediation agreement")}
    hint = hints.get(target, "")
    where = ", ".join(label(s) for s in allowed(current))
    return _("A case at “%(current)s” cannot move to “%(target)s”%(hint)s. From here it may go to: %(where)s.") % {
        "current": label(current), "target": label(target), "hint": f" ({hint})" if hint else "", "where": where}


def judgment_refusal(current: str, details: dict, past: Past, day: date) -> str | None:
    if current == Stage.PRESERVATION and not past.has(Stage.LITIGATION):
        return not_next(Stage.OPENED, Stage.JUDGMENT, past)
    if details["served_on"] < details["judgment_on"]:
        return _("The judgment cannot be served (%(s)s) before it was given (%(j)s).") % {
            "s": details["served_on"], "j": details["judgment_on"]}
    return None


def appeal_refusal(current: str, details: dict, past: Past, day: date) -> str | None:
    served = past.get(Stage.JUDGMENT, "served_on")
    if served and day > periods.appeal_ends(served):
        return _("The appeal window ended on %(end)s (15 days from service on %(served)s): the judgment is "
                 "effective and can only be enforced.") % {"end": periods.appeal_ends(served), "served": served}
    return None


def enforcement_refusal(current: str, details: dict, past: Past, day: date) -> str | None:
    if current == Stage.PAYMENT_ORDER:
        served = past.get(Stage.PAYMENT_ORDER, "served_on")
        if not served:
            return _("Record when the payment order was served first: the debtor may object within 15 days of "
                     "service.")
        if day <= periods.objection_ends(served):
            return _("The debtor may object to the payment order until %(end)s: enforcement can be applied for "
                     "from the day after.") % {"end": periods.objection_ends(served)}
    if current == Stage.JUDGMENT:
        served = past.get(Stage.JUDGMENT, "served_on")
        if day <= periods.appeal_ends(served):
            return _("The judgment is not effective yet: the appeal window ends on %(end)s.") % {
                "end": periods.appeal_ends(served)}
    deadline = details.get("performance_deadline") or past.get(Stage.JUDGMENT, "performance_deadline")
    if deadline and day > periods.enforcement_ends(deadline):
        return _("Enforcement had to be applied for by %(end)s (two years from the performance deadline "
                 "%(deadline)s).") % {"end": periods.enforcement_ends(deadline), "deadline": deadline}
    return None


def closing_refusal(current: str, details: dict, approved: bool, claim: Decimal, recovered: Decimal) -> str | None:
    total = details.get("recovered", recovered)
    outcome = details["outcome"]
    if current == Stage.RESTRUCTURING and not approved and outcome != Outcome.WRITTEN_OFF:
        return _("A restructuring or debt-to-equity swap needs the approval of a second person (a risk manager) "
                 "before the case is closed on it.")
    if outcome == Outcome.RECOVERED and total < claim:
        return _("“Recovered” means the whole claim of %(claim)s was paid; %(total)s was recovered: close it as "
                 "partly recovered.") % {"claim": claim, "total": total}
    if outcome == Outcome.PARTLY and not (0 < total < claim):
        return _("“Partly recovered” needs an amount recovered above 0 and below the claim of %(claim)s, not "
                 "%(total)s.") % {"claim": claim, "total": total}
    return None
