"""Why a file is refused as evidence, or why the ledger cannot be anchored; written for the person uploading."""

from __future__ import annotations


class EvidenceError(Exception):
    """Base of the evidence errors (a 4xx in the API, a message on the page)."""


class EvidenceRefused(EvidenceError):
    """The file cannot be kept as evidence as it is (empty, too large, a lying type, a zip bomb, a path)."""


class EvidenceTooLarge(EvidenceRefused):
    """The file is larger than EVIDENCE_MAX_BYTES (a 413 in the API)."""


class SigningKeyMissing(EvidenceError):
    """EVIDENCE_SIGNING_KEY is not set or cannot be read: the ledger's head cannot be signed."""
