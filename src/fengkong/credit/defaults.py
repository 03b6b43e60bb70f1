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
    "round_to_cny": "10000.00",
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
