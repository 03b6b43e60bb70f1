"""Errors of the credit app; each carries what the user must read."""

from __future__ import annotations


class PolicyInvalid(ValueError):
    """A credit policy config with problems; `problems` lists every one, each naming the setting."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class CreditError(Exception):
    """A credit action refused for a reason the user can act on (shown as 4xx / a form error)."""


class SelfApproval(CreditError):
    """Nobody approves or votes on their own proposal, request or policy."""


class NotAllowed(CreditError):
    """The user lacks the role the step needs (approval level, committee membership)."""


class Conflict(CreditError):
    """The object is no longer in a state that allows the step (already decided, voted twice, replayed
    reference with different content)."""
