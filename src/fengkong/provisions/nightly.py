"""The provisions' step of the night: on the first night after a month-end, compute that month-end's provision
and propose it for finance's approval (docs/provisions.md, "The month-end in practice").

Design decisions:
- The month-end is the last day of the month before the night's date. The step acts when that month-end has
  no run yet (proposed, approved or rejected) and is not inside an approved (locked) period; otherwise it
  does nothing. So the first night of a month proposes, a resumed or repeated night finds the run and
  proposes nothing twice, and a night missed is made up by the next one. A rejected proposal is finance's
  to propose again, never the night's.
- The proposal is the system's (proposed_by empty), so every finance user may approve it; the run's lines
  (balance and provision per customer and aging bucket at the month-end) are the month-end snapshot kept.
- Proposing is its own durable transaction (actions.propose_system_run); the night's checkpoint comes before
  (the run is still ours) and after (the count).
"""

from __future__ import annotations

from django.db import transaction

from fengkong.core.nightly import Night, nightly_step
from fengkong.receivables.exceptions import MissingRate

from . import actions
from .exceptions import ProvisionError
from .models import ProvisionRun


@nightly_step("provisions.month_end", order=95)
def propose_month_end(night: Night) -> None:
    month_end = actions.previous_month_end(night.as_of)
    with transaction.atomic():
        night.checkpoint()
        due = (not ProvisionRun.objects.filter(as_of=month_end).exists()
               and not ProvisionRun.objects.approved().filter(as_of__gte=month_end).exists())
    proposed = 0
    if due:
        try:
            actions.propose_system_run(as_of=month_end, progress=night.progress)
            proposed = 1
        except (ProvisionError, MissingRate):
            # nothing open at the month-end, another worker proposed it at this moment, or a currency has no
            # rate for it (finance proposes once the rate is in): the night goes on
            proposed = 0
    with transaction.atomic():
        night.checkpoint({"provisions_proposed": proposed})
