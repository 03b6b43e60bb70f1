"""Why a monitoring action or the risk cycle refuses to go on."""

from __future__ import annotations


class MonitoringError(Exception):
    """Base of the monitoring errors; the message is written for a credit manager."""


class PolicyInvalid(MonitoringError):
    """A monitoring policy config was refused; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class AlertStateError(MonitoringError):
    """The alert is not in a state that allows the change (e.g. acknowledging a resolved alert)."""


class CycleTakenOver(MonitoringError):
    """Another worker took over this cycle run (ours looked stalled); this worker stops writing."""
