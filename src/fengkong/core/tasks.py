"""Core's own work of the night: anchoring the audit trail outside the database once the night is done.

It is a step of the night (core.nightly) rather than a huey schedule of its own, so the anchor is written
after the night's last events (the cycle's and the models'). It is here because core's `nightly` module is
the registry itself; every `tasks` module is imported at start-up (core.apps), so the step is known in every
process that runs the cycle.
"""

from __future__ import annotations

from .audit import write_anchor
from .nightly import Night, nightly_step


@nightly_step("core.audit_anchor", order=1000, after_done=True)
def anchor_audit_trail(night: Night) -> dict:
    """The audit trail's head, signed, appended to the anchor file (AUDIT_ANCHOR_DIR)."""
    return {"anchored_seq": write_anchor(night.actor).seq}
