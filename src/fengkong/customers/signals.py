"""What customers tells the apps above it (a lower app never calls a higher one; it says what happened).

- `financial_statements_changed(sender, customer_ids, actor)`: statements of these customers were created,
  changed or deleted, by an import (integrations.importer) or an edit (customers.actions). It is sent inside
  the transaction that wrote them; a receiver queues its work for after commit (credit re-assesses through
  core.later), so a write that is rolled back re-assesses nobody, and the sender's audit event and the
  queued work stand or fall together.
"""

from __future__ import annotations

from django.dispatch import Signal

financial_statements_changed = Signal()
