"""Reasons and missing inputs of an assessment, in words of the reader's language.

An Assessment stores them as structured dicts (a code and its figures), never prose, so the same
assessment reads in Chinese to one user and in English to another, and a translation fixed later
fixes old assessments too. Codes:
- {"code": "metric", "metric", "dimension", "value", "points", "lost", "missing"}: a metric that cost
  the total `lost` points (value None when missing; `missing` the rule applied or None);
- {"code": "industry_alarm_cap", "cap", "grade"}: the total gave `grade` but an industry alarm capped it;
- {"code": "knockout", "knockouts", "cap", "grade"}: a knock-out (danger_zone, stop_supply, litigation,
  blacklist) capped the grade and set the limit to 0;
- {"code": "little_known", "known_percent", "minimum_percent", "cap"}: too little was known to grade better;
- {"code": "missing_dimension", "dimension", "dimension_rule" (reweight | metrics), "cap"}: a dimension with
  no input at all and what the policy did with it;
- missing items: {"metric", "dimension", "rule", "points"} (points None when excluded).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengkong.industry.choices import Outlook

from .choices import Dimension

METRIC_LABELS = {
    "current_ratio": gettext_lazy("Current ratio"),
    "debt_to_asset": gettext_lazy("Debt-to-asset ratio"),
    "overdue_count_12m": gettext_lazy("Invoices paid late in 12 months"),
    "avg_days_to_pay": gettext_lazy("Average days to pay"),
    "max_days_overdue_12m": gettext_lazy("Maximum days overdue in 12 months"),
    "industry_outlook": gettext_lazy("Industry outlook"),
    "guarantee_coverage": gettext_lazy("Guarantee and collateral coverage of exposure"),
    "cooperation_years": gettext_lazy("Years of cooperation"),
}
RULE_LABELS = {
    "worst": gettext_lazy("treated as the worst band"),
    "neutral": gettext_lazy("neutral points given"),
    "exclude": gettext_lazy("left out, the other metrics of the dimension carry its weight"),
}


KNOCKOUT_LABELS = {
    "danger_zone": gettext_lazy("an open item in the danger zone"),
    "stop_supply": gettext_lazy("stop-supply flag active"),
    "litigation": gettext_lazy("litigation"),
    "blacklist": gettext_lazy("blacklisted"),
}
DIMENSION_MISSING_LABELS = {
    "financial": gettext_lazy("Financial statements missing"),
    "payment": gettext_lazy("No payment history"),
    "industry": gettext_lazy("No industry outlook"),
    "guarantee": gettext_lazy("No exposure and no guarantee"),
    "cooperation": gettext_lazy("No cooperation start date"),
}


def knockout_text(names) -> str:
    return "; ".join(str(KNOCKOUT_LABELS.get(n, n)) for n in names)


def metric_label(name: str) -> str:
    return str(METRIC_LABELS.get(name, name))


def dimension_label(name: str) -> str:
    try:
        return str(Dimension(name).label)
    except ValueError:
        return name


def value_text(metric: str, value: Any) -> str:
    """A metric value as a person reads it: ratios with two decimals, days and counts whole, coverage in %."""
    if value is None:
        return _("no data")
    if metric == "industry_outlook":
        try:
            return str(Outlook(value).label)
        except ValueError:
            return str(value)
    number = float(value)
    if metric in ("overdue_count_12m", "avg_days_to_pay", "max_days_overdue_12m"):
        return f"{number:.0f}"
    if metric == "guarantee_coverage":
        return f"{number * 100:.0f}%"
    if metric == "cooperation_years":
        return f"{number:.1f}"
    return f"{number:.2f}"


def describe(reason: dict) -> str:
    """One reason in words, e.g. "Current ratio 0.90: 10 of 100 points, costs 13.5 points of the total"."""
    code = reason.get("code")
    if code == "industry_alarm_cap":
        return _("The industry is under a systemic alarm: grade capped at %(cap)s (the score gives %(grade)s)") % {
            "cap": reason.get("cap"), "grade": reason.get("grade")}
    if code == "knockout":
        return _("Knock-out (%(knockouts)s): grade capped at %(cap)s, no credit available (the score gives "
                 "%(grade)s)") % {"knockouts": knockout_text(reason.get("knockouts") or ()),
                                  "cap": reason.get("cap"), "grade": reason.get("grade")}
    if code == "missing_dimension":
        return describe_missing_dimension(reason)
    if code == "little_known":
        return _("Too little is known: the dimensions present carry %(known)s %% of the weight, below "
                 "%(minimum)s %%; grade at most %(cap)s") % {
            "known": reason.get("known_percent"), "minimum": reason.get("minimum_percent"), "cap": reason.get("cap")}
    if code == "metric":
        metric = reason.get("metric", "")
        params = {"metric": metric_label(metric), "value": value_text(metric, reason.get("value")),
                  "points": _points(reason.get("points")), "lost": _points(reason.get("lost"))}
        if reason.get("missing"):
            params["rule"] = str(RULE_LABELS.get(reason["missing"], reason["missing"]))
            return _("%(metric)s: no data (%(rule)s), %(points)s of 100 points, costs %(lost)s points "
                     "of the total") % params
        return _("%(metric)s %(value)s: %(points)s of 100 points, costs %(lost)s points of the total") % params
    return str(reason)


def describe_missing(item: dict) -> str:
    """A missing input and the rule applied to it."""
    metric = item.get("metric", "")
    params = {"metric": metric_label(metric), "dimension": dimension_label(item.get("dimension", "")),
              "rule": str(RULE_LABELS.get(item.get("rule"), item.get("rule"))), "points": _points(item.get("points"))}
    if item.get("rule") == "exclude":
        return _("%(metric)s (%(dimension)s): no data, %(rule)s") % params
    return _("%(metric)s (%(dimension)s): no data, %(rule)s: %(points)s points") % params


def _points(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


def describe_missing_dimension(item: dict) -> str:
    """A dimension with no input at all and what the policy did, e.g. "Financial statements missing: weight
    re-distributed over the other dimensions, grade at most A"."""
    name = item.get("dimension", "")
    what = str(DIMENSION_MISSING_LABELS.get(name, dimension_label(name)))
    if item.get("dimension_rule") == "reweight":
        done = _("weight re-distributed over the other dimensions")
    else:
        done = _("scored by its metrics' missing-input rules")
    if item.get("cap"):
        return _("%(what)s: %(done)s, grade at most %(cap)s") % {"what": what, "done": done, "cap": item["cap"]}
    return _("%(what)s: %(done)s") % {"what": what, "done": done}
