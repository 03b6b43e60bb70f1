"""Why a step of dual review is refused; the message is written for the person who asked."""

from __future__ import annotations


class ReviewError(Exception):
    """Base of the dual-review errors (a 4xx in the API, a message on the page)."""


class OwnChange(ReviewError):
    """Nobody confirms or rejects their own change (a 403): another person must review it."""


class NotPending(ReviewError):
    """The change has been decided, withdrawn or superseded already (a 409)."""


class ChangeStale(ReviewError):
    """What the change would replace is no longer what is stored: the change is superseded (a 409)."""


class ChangeInvalid(ReviewError):
    """The change cannot be applied as it stands (the row refuses it, a credit code now taken; a 409)."""
