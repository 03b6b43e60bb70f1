"""The evidence ledger's daily anchor: a step of the night, after the night is done, signing the head."""

from __future__ import annotations

from fengkong.core.nightly import Night, nightly_step

from .actions import anchor_ledger
from .exceptions import SigningKeyMissing
from .models import EvidenceAnchor, LedgerEntry


@nightly_step("evidence.anchor", order=990, after_done=True)
def anchor_evidence_ledger(night: Night) -> dict:
    """The ledger's head signed with EVIDENCE_SIGNING_KEY (before core's audit anchor, which seals the event).

    Nothing to do when the ledger is empty or its head is anchored already. Without a key the night goes
    on and says so in its record: the evidence stays chained, and `fengkong evidence verify` reports the
    head as not anchored."""
    head = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    if not head or EvidenceAnchor.objects.filter(seq=head).exists():
        return {"evidence_anchored_seq": head or 0}
    try:
        return {"evidence_anchored_seq": anchor_ledger(actor=night.actor).seq}
    except SigningKeyMissing as exc:
        return {"evidence_anchor_skipped": str(exc)}
