"""What each role may do, as Django permissions on groups named after the roles.

Scoping is separate (core.permissions): `customers.view_all_customers` lifts the portfolio filter;
collectors and sales lack it and see only the customers of their portfolios.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .choices import Role

READ_LEDGER = [
    "customers.view_customer", "customers.view_contact", "customers.view_customergroup",
    "customers.view_financialstatement", "receivables.view_invoice", "receivables.view_payment",
    "receivables.view_paymentallocation", "receivables.view_creditnote", "receivables.view_salesorder",
    "receivables.view_fxrate",
]
SEE_ALL = ["customers.view_all_customers"]
IMPORT = ["integrations.run_import", "integrations.view_importbatch", "integrations.view_importsource"]
# Dual review (fengkong.reviews): who reads the queue of changes waiting, who confirms another person's change.
REVIEW_READ = ["reviews.view_pendingchange"]
REVIEW_CONFIRM = REVIEW_READ + ["reviews.confirm_change"]
EDIT_MASTER = [
    "customers.change_customer", "customers.add_contact", "customers.change_contact",
    "customers.add_customergroup", "customers.change_customergroup",
]
AUDIT = ["core.view_auditevent", "core.verify_audit"]
# The AR reconciliation report (receivables.queries.reconciliation): finance, the risk roles and the auditor.
RECONCILE = ["receivables.view_reconciliation"]
MONITOR_READ = [
    "monitoring.view_alert", "monitoring.view_actionitem", "monitoring.view_stopsupply",
    "monitoring.view_customersnapshot", "monitoring.view_booksnapshot", "cycle.view_cyclerun",
    "monitoring.view_monitoringpolicy", "monitoring.view_monitoringday",
]
MONITOR_WORK = ["monitoring.acknowledge_alert", "monitoring.resolve_alert", "monitoring.change_actionitem"]
MONITOR_MANAGE = ["monitoring.publish_policy", "cycle.run_cycle", "monitoring.lift_stopsupply"]
DELIVERY_LOG = ["notifications.view_delivery", "notifications.view_webhookchannel"]
CHANNELS_MANAGE = ["notifications.add_webhookchannel", "notifications.change_webhookchannel",
                   "notifications.delete_webhookchannel", "notifications.retry_delivery",
                   "notifications.view_inboxmessage"]
CREDIT_READ = ["credit.view_creditprofile", "credit.view_assessment", "credit.view_guarantee",
               "credit.view_industryoutlook", "credit.view_limitproposal", "credit.view_proposalvote",
               "credit.view_creditcheck", "credit.view_creditpolicy", "credit.view_riskfeedback"]
CREDIT_ANALYSE = ["credit.propose_limit", "credit.run_assessment", "credit.add_guarantee", "credit.change_guarantee",
                  "credit.change_riskfeedback", "credit.flag_customer"]
CREDIT_MANAGE = ["credit.approve_limit", "credit.approve_override", "credit.propose_creditpolicy",
                 "credit.approve_creditpolicy"]
MODELS_READ = ["scoring.view_modelversion", "scoring.view_promotionrequest", "scoring.view_modelmonitor",
               "scoring.view_customermodelscore", "scoring.view_invoiceprediction", "scoring.view_cashforecast"]
MODELS_PROPOSE = ["scoring.register_model", "scoring.request_promotion"]
MODELS_MANAGE = MODELS_PROPOSE + ["scoring.approve_promotion", "scoring.rollback_model"]
# Bad-debt provisions (fengkong.provisions): finance proposes and approves (never its own), risk and audit read.
PROVISIONS_READ = ["provisions.view_provisionrun", "provisions.view_provisionline", "provisions.view_provisionpolicy",
                   "provisions.view_individualprovision"]
PROVISIONS_BOOK = PROVISIONS_READ + ["provisions.propose_provisionrun", "provisions.approve_provisionrun",
                                     "provisions.publish_provisionpolicy", "provisions.add_individualprovision"]
CREDIT_SALES = ["credit.view_creditprofile", "credit.view_creditcheck", "credit.request_check",
                "credit.submit_feedback"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + AUDIT + MONITOR_READ + MONITOR_MANAGE
    + DELIVERY_LOG + CHANNELS_MANAGE + CREDIT_READ + MODELS_READ + [
        "customers.add_customer", "accounts.view_portfolio", "accounts.add_portfolio",
        "accounts.change_portfolio", "accounts.view_apitoken", "auth.view_user", "auth.add_user",
        "auth.change_user", "accounts.view_signinlock", "accounts.lift_signinlock",
        "integrations.add_importsource", "integrations.change_importsource",
    ] + REVIEW_CONFIRM,
    Role.RISK_MANAGER: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + ["core.view_auditevent"] + MONITOR_READ
    + MONITOR_WORK + MONITOR_MANAGE + DELIVERY_LOG + ["notifications.retry_delivery"] + CREDIT_READ + CREDIT_ANALYSE
    + CREDIT_MANAGE + ["credit.request_check"] + MODELS_READ + MODELS_MANAGE + REVIEW_CONFIRM + RECONCILE
    + PROVISIONS_READ,
    Role.RISK_COMMITTEE: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + ["credit.vote_committee"] + MODELS_READ
    + ["scoring.approve_promotion"] + RECONCILE,
    Role.CREDIT_ANALYST: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + MONITOR_READ + MONITOR_WORK + CREDIT_READ
    + CREDIT_ANALYSE + ["credit.request_check"] + MODELS_READ + MODELS_PROPOSE + REVIEW_READ,
    Role.COLLECTOR: READ_LEDGER + MONITOR_READ + MONITOR_WORK + CREDIT_READ + [
        "scoring.view_invoiceprediction", "scoring.view_cashforecast"],
    Role.LEGAL_OFFICER: READ_LEDGER + SEE_ALL + MONITOR_READ + MONITOR_WORK + CREDIT_READ + ["credit.flag_customer"],
    Role.INDUSTRY_ANALYST: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + [
        "credit.add_industryoutlook", "credit.change_industryoutlook"],
    Role.SALES: ["customers.view_customer", "customers.view_contact", "receivables.view_invoice",
                 "receivables.view_salesorder", "monitoring.view_stopsupply", "monitoring.view_customersnapshot",
                 "monitoring.view_alert", *CREDIT_SALES],
    Role.FINANCE: READ_LEDGER + SEE_ALL + IMPORT + MONITOR_READ + CREDIT_READ + ["scoring.view_cashforecast"]
    + REVIEW_READ + RECONCILE + ["receivables.manage_fxrate"] + PROVISIONS_BOOK,   # exchange rates are finance's (docs/currencies.md)
    Role.AUDITOR: READ_LEDGER + SEE_ALL + AUDIT + MONITOR_READ + CREDIT_READ + MODELS_READ + DELIVERY_LOG + REVIEW_READ
    + ["integrations.view_importbatch", "integrations.view_importsource", "accounts.view_portfolio",
       "accounts.view_signinlock"] + RECONCILE + PROVISIONS_READ,
}


def ensure_roles() -> dict[str, Group]:
    """Create or refresh the role groups so their permissions are exactly the table above."""
    groups = {}
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(codes))
        groups[role] = group
    return groups


def _permissions(codes: list[str]) -> list[Permission]:
    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = [p for p in Permission.objects.select_related("content_type")
             if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"unknown permissions: {sorted(missing)}")
    return found


def roles_of(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True)) if user.is_authenticated else []
