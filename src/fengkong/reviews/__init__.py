"""Dual review (双人复核, article §16): changes to sensitive master data wait for a second person.

See docs/dual-review.md. The apps that own the reviewed rows (customers, credit) register them here
(targets.register_reviewed) and call actions.withhold and actions.request_change from their save actions; this app keeps the queue of
pending changes and confirms, rejects or withdraws them.
"""
