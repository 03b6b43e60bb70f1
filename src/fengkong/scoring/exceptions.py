"""Errors of the model registry; each carries what the user must read.

The API answers ScoringError with 422 (bad input: a model directory that does not fit its use, a missing
reason), NotAllowed and SelfApproval with 403 and Conflict with 409; the CLI prints the message and
exits 2.
"""

from __future__ import annotations


class ScoringError(Exception):
    """A registry action refused for a reason the user can act on."""


class NotAllowed(ScoringError):
    """The user lacks what the step needs (a user at all, for maker-checker steps)."""


class SelfApproval(NotAllowed):
    """Nobody decides on the promotion they asked for."""


class Conflict(ScoringError):
    """The model or request is no longer in a state that allows the step (already champion, already
    decided, a pending request exists, no earlier champion to roll back to)."""
