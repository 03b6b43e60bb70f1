"""The article's credit policy (§2, §3, §9, §16) as the default config of a credit policy version.

A config is JSON. Money is in yuan as text with at most two decimals; ratios are numbers; points are
0-100. `credit.policy.parse` checks a config and fills left-out settings from these defaults.

Metrics and their bands: `bands` is a list of [threshold, points] read in order. For a metric where
higher is better ("higher": true) the first band whose threshold the value reaches (value >= threshold)
gives the points; where lower is better, the first band whose threshold the value does not exceed
(value <= threshold). A band with threshold null catches everything else. Categorical metrics
(industry outlook) use `points` by category instead.

Missing inputs follow the metric's `missing` rule, stated, never a silent zero:
- "worst": the lowest points of its bands (unknown is treated as bad),
- "neutral": the points given by `neutral_points` (a new customer has no payment history yet; a customer
  who gave no financial statements gets 40, below the middle, not the worst),
- "exclude": the metric is left out and the other metrics of its dimension carry its weight; a
  dimension with no metric left takes `neutral_points`.
Every missing input is listed on the assessment with the rule applied.

A dimension whose inputs are ALL missing (no statements at all, no payment history, no outlook for the
industry, no exposure and no guarantee, no cooperation start) follows `missing_dimensions` first:
- "rule": "reweight" leaves the dimension out of that customer's total, so the dimensions present carry
  its weight; "metrics" applies the metrics' own rules above (the behaviour before issue 11);
- "cap": the best grade the customer can have while the dimension is missing (null: no cap);
- "min_known_share" (0-1) with "little_known_cap": when the dimensions present carry less than that share
  of the configured weight, the grade is no better than the cap.
With the defaults a ledger-only company (payment history and exposure, nothing else) is graded on
payment (30) and guarantee (15): an excellent payer with no guarantee scores (30 x 100 + 15 x 45) / 45
= 81.67, grade A; without statements it could not reach A before (at most 60.5, A needs 75).

`knockouts`: danger zone (an open item in monitoring's zone 3), an active stop-supply flag, litigation and
the blacklist each cap the grade at `grade_cap`, set the suggested limit and the available credit to 0,
block credit checks and withdraw pending limit proposals that would grant credit. Each can be turned off.

Limit rounding: `round_to_cny` is the largest unit a limit is rounded down to; with
`round_significant_digits` d > 0 the unit is the power of ten that keeps d significant digits of the
limit (never above `round_to_cny`): 86.39 → 86, 3,456.78 → 3,400, 1,234,567 → 1,230,000. d = 0 rounds
every limit to `round_to_cny` (the behaviour before issue 11, which made every limit of a small book 0).
"""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_CONFIG: dict[str, Any] = {
    "dimensions": {
        "financial": {
            "weight": 30,
            "metrics": {
                "current_ratio": {"weight": 50, "higher": True, "missing": "neutral", "neutral_points": 40,
                                  "bands": [[2.0, 100], [1.5, 80], [1.2, 60], [1.0, 40], [None, 10]]},
                "debt_to_asset": {"weight": 50, "higher": False, "missing": "neutral", "neutral_points": 40,
                                  "bands": [[0.4, 100], [0.55, 80], [0.7, 50], [0.85, 20], [None, 0]]},
            },
        },
        "payment": {
            "weight": 30,
            "metrics": {
                "overdue_count_12m": {"weight": 30, "higher": False, "missing": "neutral", "neutral_points": 60,
                                      "bands": [[2, 100], [6, 80], [12, 60], [24, 30], [None, 10]]},
                "avg_days_to_pay": {"weight": 30, "higher": False, "missing": "neutral", "neutral_points": 60,
                                    "bands": [[45, 100], [60, 85], [90, 60], [120, 30], [None, 10]]},
                "max_days_overdue_12m": {"weight": 40, "higher": False, "missing": "neutral", "neutral_points": 60,
                                         "bands": [[0, 100], [30, 85], [60, 65], [90, 40], [180, 15], [None, 0]]},
            },
        },
        "industry": {
            "weight": 15,
            "metrics": {
                "industry_outlook": {"weight": 100, "missing": "neutral", "neutral_points": 60,
                                     "points": {"favourable": 100, "stable": 70, "cautious": 40, "adverse": 10}},
            },
        },
        "guarantee": {
            "weight": 15,
            "metrics": {
                # eligible guarantee and collateral value / exposure (receivables + open orders)
                "guarantee_coverage": {"weight": 100, "higher": True, "missing": "neutral", "neutral_points": 50,
                                       "bands": [[1.0, 100], [0.5, 85], [0.2, 70], [0.01, 60], [None, 45]]},
            },
        },
        "cooperation": {
            "weight": 10,
            "metrics": {
                "cooperation_years": {"weight": 100, "higher": True, "missing": "worst",
                                      "bands": [[5, 100], [3, 80], [1, 50], [None, 20]]},
            },
        },
    },
    # a dimension with every input missing: left out of the total ("reweight") or scored by its metrics'
    # rules ("metrics"), and the best grade possible while it is missing (null: no cap)
    "missing_dimensions": {
        "financial": {"rule": "reweight", "cap": "A"},
        "payment": {"rule": "reweight", "cap": "B"},      # no payment history: not A on statements alone
        "industry": {"rule": "reweight", "cap": None},
        "guarantee": {"rule": "reweight", "cap": None},
        "cooperation": {"rule": "reweight", "cap": None},
        "min_known_share": 0.3,       # the dimensions present carry at least 30 % (payment alone)...
        "little_known_cap": "B",      # ...or the grade is no better than B
    },
    "knockouts": {
        "grade_cap": "C",
        "danger_zone": True, "stop_supply": True, "litigation": True, "blacklist": True,
    },
    # total score (0-100) at or above the cut-off gives the grade; below B's is C
    "grades": {"A": 75, "B": 55},
    # an industry alarm caps the grade (no A in an industry under a systemic alarm, §11)
    "industry_alarm_cap": "B",
    # per grade: limit = min(revenue share x annual revenue, equity share x equity), or, with no
    # statements, sales share x our invoiced sales of the last 12 months; capped; plus eligible
    # collateral and third-party guarantees x collateral share; rounded down to round_to_cny.
    "terms": {
        "A": {"revenue_share": 0.10, "equity_share": 0.30, "sales_share": 0.25, "cap_cny": "20000000.00",
              "collateral_share": 1.0, "term_days": 90, "guarantee": "credit_guarantee"},
        "B": {"revenue_share": 0.05, "equity_share": 0.15, "sales_share": 0.15, "cap_cny": "5000000.00",
              "collateral_share": 1.0, "term_days": 60, "guarantee": "as_policy"},
        "C": {"revenue_share": 0.0, "equity_share": 0.0, "sales_share": 0.0, "cap_cny": "0.00",
              "collateral_share": 0.8, "term_days": 30, "guarantee": "collateral_or_third_party"},
    },
    "round_to_cny": "10000.00",       # the largest rounding unit
    "round_significant_digits": 2,    # the unit keeps this many significant digits of the limit (0: fixed)
    "review": {
        "interval_days": 91,              # quarterly
        "large_order_cny": "2000000.00",  # a credit check at least this large re-assesses the customer
        "propose_when_limit_changes_percent": 10,  # the review proposes a new limit when it moves this much
    },
    # who approves a limit: by the proposed limit (the amount the approver answers for); a decrease
    # needs the first level whatever its size
    "approval_levels": [
        {"up_to_cny": "1000000.00", "level": "manager", "votes": 1},
        {"up_to_cny": None, "level": "committee", "votes": 2},
    ],
    "credit_check": {
        "hold_when_overdue_days_over": 30,   # any open item more overdue than this holds the order
        "hold_when_review_expired": True,
        "block_grade_c_unsecured": True,
    },
}


def default_config() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_CONFIG)
