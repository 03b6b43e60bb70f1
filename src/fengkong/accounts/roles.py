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
# Collections (fengkong.collections): collectors work cases of their portfolio, managers reassign them and
# publish the policy; a dispute's owner outside collections (sales) sees and resolves the disputes given to them.
COLLECTIONS_READ = ["collections.view_collectioncase", "collections.view_caseevent", "collections.view_contact",
                    "collections.view_attachment", "collections.view_promisetopay", "collections.view_dispute",
                    "collections.view_collectionspolicy", "collections.view_dunningletter",
                    "collections.view_dunningpause"]
COLLECTIONS_WORK = ["collections.add_contact", "collections.add_promisetopay", "collections.add_dispute",
                    "collections.take_case", "collections.send_dunning", "collections.pause_dunning"]
COLLECTIONS_MANAGE = ["collections.reassign_case", "collections.resolve_dispute", "collections.publish_policy",
                      "collections.send_final_demand"]
DISPUTE_OWNER = ["collections.view_dispute", "collections.resolve_dispute"]

# Contracts (fengkong.contracts, docs/contracts.md): who reads the register, who analyses and registers
# contracts and their documents, who approves them (maker-checker by value).
CONTRACTS_READ = ["contracts.view_contract", "contracts.view_contractdocument", "contracts.view_duediligenceitem"]
CONTRACTS_WORK = CONTRACTS_READ + ["contracts.analyze_contract", "contracts.add_contract", "contracts.change_contract",
                                   "contracts.submit_contract"]
CONTRACTS_APPROVE = ["contracts.approve_contract", "contracts.approve_large_contract"]

# Bad-debt provisions (fengkong.provisions): finance proposes and approves (never its own), risk and audit read.
PROVISIONS_READ = ["provisions.view_provisionrun", "provisions.view_provisionline", "provisions.view_provisionpolicy",
                   "provisions.view_individualprovision"]
PROVISIONS_BOOK = PROVISIONS_READ + ["provisions.propose_provisionrun", "provisions.approve_provisionrun",
                                     "provisions.publish_provisionpolicy", "provisions.add_individualprovision"]
CREDIT_SALES = ["credit.view_creditprofile", "credit.view_creditcheck", "credit.request_check",
                "credit.submit_feedback"]
# Evidence (fengkong.evidence, docs/evidence.md): who reads and stores it, verifies the ledger, exports bundles.
EVIDENCE_READ = ["evidence.view_evidenceitem", "evidence.view_evidenceanchor"]
EVIDENCE_STORE = EVIDENCE_READ + ["evidence.store_evidence"]
EVIDENCE_VERIFY = EVIDENCE_READ + ["evidence.verify_evidence"]
EVIDENCE_LEGAL = EVIDENCE_STORE + ["evidence.verify_evidence", "evidence.export_evidence", "evidence.mark_retention"]
# Legal recovery (fengkong.legal, docs/legal.md): the legal officers run the cases; the risk manager reads them
# and approves a restructuring or debt-to-equity swap; finance and the auditor read.
LEGAL_READ = ["legal.view_legalcase", "legal.view_legaldeadline"]
LEGAL_WORK = LEGAL_READ + ["legal.open_case", "legal.change_legalcase"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + AUDIT + MONITOR_READ + MONITOR_MANAGE
    + DELIVERY_LOG + CHANNELS_MANAGE + CREDIT_READ + MODELS_READ + EVIDENCE_VERIFY + LEGAL_READ + [
        "customers.add_customer", "accounts.view_portfolio", "accounts.add_portfolio",
        "accounts.change_portfolio", "accounts.view_apitoken", "auth.view_user", "auth.add_user",
        "auth.change_user", "accounts.view_signinlock", "accounts.lift_signinlock",
        "integrations.add_importsource", "integrations.change_importsource",
    ] + REVIEW_CONFIRM,
    Role.RISK_MANAGER: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + ["core.view_auditevent"] + MONITOR_READ
    + MONITOR_WORK + MONITOR_MANAGE + DELIVERY_LOG + ["notifications.retry_delivery"] + CREDIT_READ + CREDIT_ANALYSE
    + CREDIT_MANAGE + ["credit.request_check"] + MODELS_READ + MODELS_MANAGE + REVIEW_CONFIRM + RECONCILE
    + EVIDENCE_STORE + ["evidence.verify_evidence", "evidence.export_evidence"] + LEGAL_READ + ["legal.approve_restructuring"]
    + COLLECTIONS_READ + COLLECTIONS_WORK + COLLECTIONS_MANAGE
    + CONTRACTS_WORK + CONTRACTS_APPROVE + PROVISIONS_READ,
    Role.RISK_COMMITTEE: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + ["credit.vote_committee"] + MODELS_READ
    + ["scoring.approve_promotion"] + RECONCILE + CONTRACTS_READ,
    Role.CREDIT_ANALYST: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + MONITOR_READ + MONITOR_WORK + CREDIT_READ
    + CREDIT_ANALYSE + ["credit.request_check"] + MODELS_READ + MODELS_PROPOSE + REVIEW_READ + EVIDENCE_STORE
    + COLLECTIONS_READ + CONTRACTS_WORK,
    Role.COLLECTOR: READ_LEDGER + MONITOR_READ + MONITOR_WORK + CREDIT_READ + [
        "scoring.view_invoiceprediction", "scoring.view_cashforecast"] + EVIDENCE_STORE + COLLECTIONS_READ
    + COLLECTIONS_WORK,
    Role.LEGAL_OFFICER: READ_LEDGER + SEE_ALL + MONITOR_READ + MONITOR_WORK + CREDIT_READ + ["credit.flag_customer"]
    + EVIDENCE_LEGAL + LEGAL_WORK + COLLECTIONS_READ + CONTRACTS_WORK
    + ["contracts.approve_contract"],
    Role.INDUSTRY_ANALYST: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + [
        "credit.add_industryoutlook", "credit.change_industryoutlook"],
    Role.SALES: ["customers.view_customer", "customers.view_contact", "receivables.view_invoice",
                 "receivables.view_salesorder", "monitoring.view_stopsupply", "monitoring.view_customersnapshot",
                 "monitoring.view_alert", *CREDIT_SALES, *DISPUTE_OWNER],
    Role.FINANCE: READ_LEDGER + SEE_ALL + IMPORT + MONITOR_READ + CREDIT_READ + ["scoring.view_cashforecast"]
    + COLLECTIONS_READ + REVIEW_READ + RECONCILE + ["receivables.manage_fxrate"] + LEGAL_READ
    + PROVISIONS_BOOK,   # exchange rates are finance's (docs/currencies.md)
    Role.AUDITOR: READ_LEDGER + SEE_ALL + AUDIT + MONITOR_READ + CREDIT_READ + MODELS_READ + DELIVERY_LOG + REVIEW_READ
    + COLLECTIONS_READ + ["integrations.view_importbatch", "integrations.view_importsource",
                          "accounts.view_portfolio", "accounts.view_signinlock"] + RECONCILE + EVIDENCE_VERIFY
    + LEGAL_READ + CONTRACTS_READ + PROVISIONS_READ,
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
