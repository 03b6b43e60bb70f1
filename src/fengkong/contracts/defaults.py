"""The contracts policy, version 1: which clauses each grade requires and which values it accepts.

Data, not code: a new version is a new dict here (or, later, an approved row), and every analysis records
the version it was judged by. The payment term each grade allows is the credit policy's (credit.policy).
"""

from __future__ import annotations

from decimal import Decimal

COMMON = ["payment_terms", "breach_liability", "dispute_resolution", "governing_law"]

CLAUSE_POLICY: dict = {
    "version": 1,
    "grades": {
        "A": {"required": COMMON, "critical": ["payment_terms"], "guarantee_kinds": [],
              "refused_methods": [], "min_damages_share": None, "max_acceptance_days": 30,
              "deemed_acceptance": False},
        "B": {"required": [*COMMON, "late_payment_interest", "liquidated_damages", "acceptance_period"],
              "critical": ["payment_terms"], "guarantee_kinds": [], "refused_methods": [],
              "min_damages_share": 5, "max_acceptance_days": 15, "deemed_acceptance": True},
        "C": {"required": [*COMMON, "late_payment_interest", "liquidated_damages", "acceptance_period",
                           "retention_of_title", "cross_default", "guarantee", "termination"],
              "critical": ["payment_terms", "retention_of_title", "guarantee"],
              "guarantee_kinds": ["joint_and_several", "bank_guarantee", "mortgage", "pledge", "deposit"],
              "refused_methods": ["commercial_acceptance_bill"], "min_damages_share": 10,
              "max_acceptance_days": 10, "deemed_acceptance": True},
    },
    # maker-checker: a contract up to `up_to` (functional currency) needs contracts.approve_contract,
    # above the last bound contracts.approve_large_contract as well
    "approval": [{"up_to": Decimal("5000000"), "permission": "contracts.approve_contract"},
                 {"up_to": None, "permission": "contracts.approve_large_contract"}],
}


# The pre-signing due-diligence checklist (article §3), version 1: which items a contract needs, by the
# customer's grade and the contract's value (functional currency). An item applies when the grade is in
# `grades` or the value is at least `from_value`.
CHECKLIST_POLICY: dict = {
    "version": 1,
    "items": [
        {"code": "business_registration", "grades": ["A", "B", "C"], "from_value": None},
        {"code": "litigation_search", "grades": ["A", "B", "C"], "from_value": None},
        {"code": "dishonest_debtor_check", "grades": ["A", "B", "C"], "from_value": None},
        {"code": "site_visit", "grades": ["B", "C"], "from_value": Decimal("5000000")},
        {"code": "financial_statements", "grades": ["B", "C"], "from_value": Decimal("1000000")},
        {"code": "guarantees_in_place", "grades": ["C"], "from_value": None},
    ],
}
