"""The collections app's errors; each message is written for the collector or manager who sees it."""

from __future__ import annotations


class CollectionsError(Exception):
    """Something the user asked for cannot be done; the message says why, `field` which value is at fault
    (the API names it in its 422)."""

    def __init__(self, message: str = "", field: str = ""):
        self.field = field
        super().__init__(message)


class PolicyInvalid(CollectionsError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems), "config")


class PromiseInvalid(CollectionsError):
    """A promise in the past, above what is owed, on a paid invoice or another customer's."""


class DisputeInvalid(CollectionsError):
    """A dispute over more than is open, or on an invoice the customer does not owe."""


class DisputeClosed(DisputeInvalid):
    """The dispute is already resolved."""


class ContactInvalid(CollectionsError):
    """A contact with a time in the future, a negative duration, an unknown channel or outcome; `problems`
    holds (field, message) of each."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _f, m in problems), problems[0][0] if problems else "")


class CaseTaken(CollectionsError):
    """Somebody else took or was given the case first."""


class ImportInvalid(CollectionsError):
    """A call-record file with row errors: nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} row error(s); nothing was imported: " + "; ".join(errors[:5]), "file")


class BehaviourInvalid(CollectionsError):
    """A behaviour that is not one of the policy's, or set without a reason."""
class DunningRefused(CollectionsError):
    """A letter that cannot go: nothing overdue and undisputed to list, dunning paused or waiting on a promise, a
    bad email address or EMS number; or a pause without a reason or an end date."""


class PlanInvalid(PromiseInvalid):
    """An instalment plan that does not add up, with a date in the past or out of order, more than is owed, or
    for a customer without an open case; a rejection or cancellation without a reason."""


class PlanDecided(CollectionsError):
    """The plan is no longer proposed (somebody approved or rejected it first), or no longer followed."""


class BillInvalid(CollectionsError):
    """An acceptance bill refused: its number already recorded, a maturity not after its issue or past the
    policy's term, a bad 统一社会信用代码, more than the invoices owe; a dishonour without a reason."""


class BillClosed(CollectionsError):
    """The bill is no longer in a state that allows the step (a paid or dishonoured bill, one somebody moved
    first)."""
