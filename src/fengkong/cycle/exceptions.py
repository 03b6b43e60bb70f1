"""Why the night refuses to go on."""

from __future__ import annotations


class CycleError(Exception):
    """Base of the cycle's errors; the message is written for an operator."""


class CycleTakenOver(CycleError):
    """Another worker took over this run (ours looked stalled); this worker stops writing."""
