"""What industry tells the apps above it (a lower app never calls a higher one; it says what happened).

- `alarm_raised(sender, industry, customer_ids, actor)`: the systemic alarm of a GB/T 4754 section went on;
  `customer_ids` are that industry's customers. Sent inside the transaction that raised it; credit's receiver
  queues their re-assessment for after the commit, so a rolled-back change re-assesses nobody.
"""

from __future__ import annotations

from django.dispatch import Signal

alarm_raised = Signal()
