"""State changes of the ledger (invoices, payments and their allocations, credit notes, sales orders): none
here yet, and on purpose.

The ledger is written by imports (integrations.importer and its writers, audited per batch) and, for the
odd correction, in the Django admin, where core.admin.AuditedModelAdmin writes each save's audit event
with the fields before and after. No page, endpoint, command or task of this app changes the ledger, and a
correction sets nothing off (the night reads the ledger as it stands). When one must — a corrected invoice
re-assessing its customer, say — it becomes an action here, and the admin calls it, as customers' does.
"""
