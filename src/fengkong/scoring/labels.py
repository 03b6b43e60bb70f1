"""How model features, reasons and risk bands read on a page, in the reader's language.

The engine names features by column (`dbt_mean_12m`); a reason is stored as {"feature", "value", "effect"}
and rendered here. A feature this table does not know (a model trained on a customer's own file) shows
its column name.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengkong.core.money import format_amount, from_fen

FEATURE_LABELS = {
    # customer features (engine/modelling/ledger.FEATURES)
    "dbt_mean_12m": gettext_lazy("Average days beyond terms (12 months)"),
    "dbt_max_12m": gettext_lazy("Most days beyond terms (12 months)"),
    "dbt_trend_3m": gettext_lazy("Change in days beyond terms (last 3 months)"),
    "overdue_count_12m": gettext_lazy("Invoices overdue (12 months)"),
    "late_share_12m": gettext_lazy("Share of invoices paid late"),
    "partial_share_12m": gettext_lazy("Share of invoices paid in part"),
    "disputed_count_12m": gettext_lazy("Disputed invoices (12 months)"),
    "disputed_share_12m": gettext_lazy("Share of invoices disputed"),
    "invoices_12m": gettext_lazy("Invoices issued (12 months)"),
    "sales_12m_fen": gettext_lazy("Sales (12 months)"),
    "open_fen": gettext_lazy("Open receivables"),
    "overdue_fen": gettext_lazy("Overdue receivables"),
    "max_days_overdue": gettext_lazy("Most days overdue now"),
    "current_ratio": gettext_lazy("Current ratio"),
    "debt_to_asset": gettext_lazy("Debt-to-asset ratio"),
    "revenue_growth": gettext_lazy("Revenue growth"),
    "industry": gettext_lazy("Industry"),
    "tenure_years": gettext_lazy("Years of cooperation"),
    # invoice features (engine/modelling/delay)
    "log_amount": gettext_lazy("Invoice amount"),
    "open_share": gettext_lazy("Share of the invoice still open"),
    "term_days": gettext_lazy("Payment term (days)"),
    "days_to_due": gettext_lazy("Days to due date"),
    "age_days": gettext_lazy("Days since issue"),
    "partially_paid": gettext_lazy("Paid in part"),
    "disputed": gettext_lazy("Disputed"),
    "invoice_month": gettext_lazy("Month of issue"),
    "customer_open_invoices": gettext_lazy("Customer's open invoices"),
    "customer_open_fen": gettext_lazy("Customer's open receivables"),
    "customer_overdue_fen": gettext_lazy("Customer's overdue receivables"),
}


FLAGS = ("partially_paid", "disputed")


def feature_label(name: str) -> str:
    return str(FEATURE_LABELS.get(name, name))


def value_text(feature: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("no data")
    if isinstance(value, str):  # the delay model stores values as text
        try:
            value = float(value)
        except ValueError:
            return value
    if feature == "log_amount":  # log1p of the amount in fen, stored to 4 decimals: whole yuan are exact enough
        return f"{math.expm1(float(value)) / 100:,.0f}"
    if feature in FLAGS:
        return _("yes") if float(value) else _("no")
    number = float(value)
    if feature.endswith("_fen"):
        return format_amount(from_fen(round(number)))
    if "share" in feature or feature == "revenue_growth":
        return f"{number * 100:.0f}%"
    if number.is_integer():
        return f"{number:.0f}"
    return f"{number:.2f}"


def describe(reason: dict, unit: str) -> str:
    """One stored reason as a sentence: the feature, its value and how much it moved the score."""
    feature = str(reason.get("feature") or "")
    params = {"feature": feature_label(feature), "value": value_text(feature, reason.get("value")),
              "effect": _effect(reason.get("effect"))}
    if unit == "points":
        return _("%(feature)s %(value)s: costs %(effect)s points") % params
    return _("%(feature)s %(value)s: raises the log-odds of the event by %(effect)s") % params


def short(reason: dict) -> str:
    """A reason in a few words for a table cell: the feature and its value."""
    feature = str(reason.get("feature") or "")
    return f"{feature_label(feature)} {value_text(feature, reason.get('value'))}"


def _effect(value) -> str:
    try:
        return f"{abs(float(value)):.2f}".rstrip("0").rstrip(".")
    except (TypeError, ValueError):
        return "—"


GRADES = ("A", "B", "C")


def implied_grade(safer_share: float, grade_shares: dict[str, float]) -> str | None:
    """The grade the model's ranking gives when the book is cut in the same proportions as the expert
    grades: with 15 % A and 54 % B, the safest 15 % by the model read A, the next 54 % B, the rest C.
    `safer_share` is the share of the scored book with a lower probability than this customer."""
    total = sum(grade_shares.get(g, 0.0) for g in GRADES)
    if total <= 0:
        return None
    edge = 0.0
    for grade in GRADES[:-1]:
        edge += grade_shares.get(grade, 0.0) / total
        if safer_share < edge:
            return grade
    return GRADES[-1]


def disagreement(grade: str | None, implied: str | None) -> int:
    """How many grades apart the expert grade and the model's implied grade are (0 agree, 2 opposite ends)."""
    if grade not in GRADES or implied not in GRADES:
        return 0
    return abs(GRADES.index(grade) - GRADES.index(implied))
