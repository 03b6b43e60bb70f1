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
# Industry risk (fengkong.industry, docs/industry.md): everyone who reads credit reads the outlooks and the
# indicator library; the industry analyst keeps them.
INDUSTRY_READ = ["industry.view_industryoutlook", "industry.view_outlookchange", "industry.view_indicator",
                 "industry.view_observation"]
INDUSTRY_KEEP = INDUSTRY_READ + ["industry.add_industryoutlook", "industry.change_industryoutlook",
                                 "industry.add_indicator", "industry.change_indicator", "industry.add_observation"]
CREDIT_READ = ["credit.view_creditprofile", "credit.view_assessment", "credit.view_guarantee",
               "credit.view_limitproposal", "credit.view_proposalvote",
               "credit.view_creditcheck", "credit.view_creditpolicy", "credit.view_riskfeedback",
               *INDUSTRY_READ]
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
                    "collections.view_dunningpause", "collections.view_instalmentplan", "collections.view_instalment",
                    "collections.view_acceptancebill", "collections.view_billallocation"]
# Acceptance bills (collections.bills): a collector or finance records a bill, its presentation, its payment or
# its dishonour.
BILLS_WORK = ["collections.add_acceptancebill", "collections.change_acceptancebill"]
COLLECTIONS_WORK = ["collections.add_contact", "collections.add_promisetopay", "collections.add_dispute",
                    "collections.take_case", "collections.set_behaviour", "collections.send_dunning",
                    "collections.pause_dunning", "collections.add_instalmentplan", *BILLS_WORK]
# Instalment plans are approved by level (collections policy `plans.approval_levels`): `approve_plan` is the
# collections manager's level, `approve_large_plan` the risk manager's (it approves the lower level too).
COLLECTIONS_MANAGE = ["collections.reassign_case", "collections.resolve_dispute", "collections.publish_policy",
                      "collections.send_final_demand", "collections.approve_plan", "collections.approve_large_plan"]
DISPUTE_OWNER = ["collections.view_dispute", "collections.resolve_dispute"]
# Collector performance (collections.performance): a collector reads their own line and the team's totals over
# their portfolios; a manager every collector's line.
PERFORMANCE_OWN = ["collections.view_performance"]
PERFORMANCE_TEAM = PERFORMANCE_OWN + ["collections.view_team_performance"]

# Contracts (fengkong.contracts, docs/contracts.md): who reads the register, who analyses and registers
# contracts and their documents, who approves them (maker-checker by value).
CONTRACTS_READ = ["contracts.view_contract", "contracts.view_contractdocument", "contracts.view_duediligenceitem"]
CONTRACTS_WORK = CONTRACTS_READ + ["contracts.analyze_contract", "contracts.add_contract", "contracts.change_contract",
                                   "contracts.submit_contract"]
CONTRACTS_APPROVE = ["contracts.approve_contract", "contracts.approve_large_contract"]

# Bad-debt provisions (fengkong.provisions): finance proposes and approves (never its own), risk and audit read.
# Write-offs: finance requests and approves them (never its own; levels by amount), and records recoveries.
PROVISIONS_READ = ["provisions.view_provisionrun", "provisions.view_provisionline", "provisions.view_provisionpolicy",
                   "provisions.view_individualprovision", "provisions.view_writeoffrequest",
                   "provisions.view_recovery", "receivables.view_writeoff"]
PROVISIONS_BOOK = PROVISIONS_READ + ["provisions.propose_provisionrun", "provisions.approve_provisionrun",
                                     "provisions.publish_provisionpolicy", "provisions.add_individualprovision",
                                     "provisions.propose_writeoffrequest", "provisions.approve_writeoffrequest",
                                     "provisions.add_recovery"]
CREDIT_SALES = ["credit.view_creditprofile", "credit.view_creditcheck", "credit.request_check",
                "credit.submit_feedback"]
# Evidence (fengkong.evidence, docs/evidence.md): who reads and stores it, verifies the ledger, exports bundles.
EVIDENCE_READ = ["evidence.view_evidenceitem", "evidence.view_evidenceanchor"]
EVIDENCE_STORE = EVIDENCE_READ + ["evidence.store_evidence"]
EVIDENCE_VERIFY = EVIDENCE_READ + ["evidence.verify_evidence"]
EVIDENCE_LEGAL = EVIDENCE_STORE + ["evidence.verify_evidence", "evidence.export_evidence", "evidence.mark_retention"]
# Legal recovery (fengkong.legal, docs/legal.md): the legal officers run the cases; the risk manager reads them
# and approves a restructuring or debt-to-equity swap; finance and the auditor read.
# When to act (docs/legal.md): whoever reads the cases reads the signs for preservation and the decisions; the
# legal officers decide.
LEGAL_READ = ["legal.view_legalcase", "legal.view_legaldeadline", "legal.view_preservationdecision"]
LEGAL_WORK = LEGAL_READ + ["legal.open_case", "legal.change_legalcase", "legal.add_casecost", "legal.add_recovery",
                           "legal.decide_preservation"]
# Law firms (docs/legal.md, "Law firms"): the legal officers register and engage them and check their invoices;
# the risk roles, finance and the auditor read the register and each firm's performance. A user of the external
# `law_firm` role works only the cases engaged to their firm (legal.models.works_for_firm): stage, dates and
# documents, nothing else.
FIRMS_READ = ["legal.view_lawfirm", "legal.view_engagement", "legal.view_firminvoice", "legal.view_casecost",
              "legal.view_recovery"]
FIRMS_MANAGE = FIRMS_READ + ["legal.manage_firms"]
LAW_FIRM_WORK = ["legal.view_legalcase", "legal.view_legaldeadline", "legal.change_legalcase",
                 "legal.work_firm_cases", "legal.view_preservationdecision"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + AUDIT + MONITOR_READ + MONITOR_MANAGE
    + DELIVERY_LOG + CHANNELS_MANAGE + CREDIT_READ + MODELS_READ + EVIDENCE_VERIFY + LEGAL_READ + FIRMS_READ + [
        "customers.add_customer", "accounts.view_portfolio", "accounts.add_portfolio",
        "accounts.change_portfolio", "accounts.view_apitoken", "auth.view_user", "auth.add_user",
        "auth.change_user", "accounts.view_signinlock", "accounts.lift_signinlock",
        "integrations.add_importsource", "integrations.change_importsource",
    ] + REVIEW_CONFIRM,
    Role.RISK_MANAGER: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + ["core.view_auditevent"] + MONITOR_READ
    + MONITOR_WORK + MONITOR_MANAGE + DELIVERY_LOG + ["notifications.retry_delivery"] + CREDIT_READ + CREDIT_ANALYSE
    + CREDIT_MANAGE + ["credit.request_check"] + MODELS_READ + MODELS_MANAGE + REVIEW_CONFIRM + RECONCILE
    + EVIDENCE_STORE + ["evidence.verify_evidence", "evidence.export_evidence"] + LEGAL_READ + FIRMS_READ + ["legal.approve_restructuring"]
    + COLLECTIONS_READ + COLLECTIONS_WORK + COLLECTIONS_MANAGE + PERFORMANCE_TEAM
    + CONTRACTS_WORK + CONTRACTS_APPROVE + PROVISIONS_READ,
    Role.RISK_COMMITTEE: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + ["credit.vote_committee"] + MODELS_READ
    + ["scoring.approve_promotion"] + RECONCILE + CONTRACTS_READ,
    Role.CREDIT_ANALYST: READ_LEDGER + SEE_ALL + IMPORT + EDIT_MASTER + MONITOR_READ + MONITOR_WORK + CREDIT_READ
    + CREDIT_ANALYSE + ["credit.request_check"] + MODELS_READ + MODELS_PROPOSE + REVIEW_READ + EVIDENCE_STORE
    + COLLECTIONS_READ + CONTRACTS_WORK,
    Role.COLLECTOR: READ_LEDGER + MONITOR_READ + MONITOR_WORK + CREDIT_READ + [
        "scoring.view_invoiceprediction", "scoring.view_cashforecast"] + EVIDENCE_STORE + COLLECTIONS_READ
    + COLLECTIONS_WORK + PERFORMANCE_OWN,
    Role.LEGAL_OFFICER: READ_LEDGER + SEE_ALL + MONITOR_READ + MONITOR_WORK + CREDIT_READ + ["credit.flag_customer"]
    + EVIDENCE_LEGAL + LEGAL_WORK + FIRMS_MANAGE + COLLECTIONS_READ + CONTRACTS_WORK
    + ["contracts.approve_contract"],
    Role.INDUSTRY_ANALYST: READ_LEDGER + SEE_ALL + MONITOR_READ + CREDIT_READ + INDUSTRY_KEEP,
    Role.SALES: ["customers.view_customer", "customers.view_contact", "receivables.view_invoice",
                 "receivables.view_salesorder", "monitoring.view_stopsupply", "monitoring.view_customersnapshot",
                 "monitoring.view_alert", *CREDIT_SALES, *DISPUTE_OWNER],
    Role.FINANCE: READ_LEDGER + SEE_ALL + IMPORT + MONITOR_READ + CREDIT_READ + ["scoring.view_cashforecast"]
    + COLLECTIONS_READ + REVIEW_READ + RECONCILE + ["receivables.manage_fxrate"] + LEGAL_READ + FIRMS_READ
    + PROVISIONS_BOOK + BILLS_WORK   # exchange rates are finance's (docs/currencies.md)
    + EVIDENCE_READ,    # the evidence of the write-offs finance requests and approves
    Role.AUDITOR: READ_LEDGER + SEE_ALL + AUDIT + MONITOR_READ + CREDIT_READ + MODELS_READ + DELIVERY_LOG + REVIEW_READ
    + COLLECTIONS_READ + ["integrations.view_importbatch", "integrations.view_importsource",
                          "accounts.view_portfolio", "accounts.view_signinlock"] + RECONCILE + EVIDENCE_VERIFY
    + LEGAL_READ + FIRMS_READ + CONTRACTS_READ + PROVISIONS_READ,
    Role.LAW_FIRM: LAW_FIRM_WORK,
}


def ensure_roles() -> dict[str, Group]:
    """Create or refresh the role groups so their permissions are exactly the table above.

    A handful of queries whatever the number of roles (the permission table is read once, the grants are
    compared as pairs): it runs at every set-up and before most tests."""
    ids = {(app, code): pk for pk, app, code in
           Permission.objects.values_list("pk", "content_type__app_label", "codename")}
    missing = sorted({code for codes in ROLE_PERMISSIONS.values() for code in codes
                      if tuple(code.split(".", 1)) not in ids})
    if missing:
        raise LookupError(f"unknown permissions: {missing}")
    groups = Group.objects.in_bulk(list(ROLE_PERMISSIONS), field_name="name")
    absent = [Group(name=role) for role in ROLE_PERMISSIONS if role not in groups]
    if absent:
        Group.objects.bulk_create(absent, ignore_conflicts=True)
        groups = Group.objects.in_bulk(list(ROLE_PERMISSIONS), field_name="name")
    granted = Group.permissions.through
    want = {(groups[role].pk, ids[tuple(code.split(".", 1))]) for role, codes in ROLE_PERMISSIONS.items()
            for code in codes}
    rows = {(g, p): pk for pk, g, p in granted.objects.filter(group_id__in=[g.pk for g in groups.values()])
            .values_list("pk", "group_id", "permission_id")}
    have = set(rows)
    if have - want:
        granted.objects.filter(pk__in=[rows[pair] for pair in have - want]).delete()
    granted.objects.bulk_create([granted(group_id=g, permission_id=p) for g, p in sorted(want - have)],
                                ignore_conflicts=True)
    return {role: groups[role] for role in ROLE_PERMISSIONS}


def roles_of(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True)) if user.is_authenticated else []
