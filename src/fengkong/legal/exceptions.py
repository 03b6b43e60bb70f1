"""Why a step of a legal case is refused; the message is written for the legal officer."""

from __future__ import annotations


class LegalError(Exception):
    """Base of the legal errors (a 4xx in the API, a message on the page)."""


class IllegalMove(LegalError):
    """The case cannot move to that stage from where it stands, or not yet (a 409), with the reason."""


class StageDetailsInvalid(LegalError):
    """A stage's dates or amounts are missing or impossible (a 422); `problems` names each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class FeeMismatch(LegalError):
    """A firm's invoice asks for more than its fee arrangement gives (a 409); the message names the
    amount expected and how it is made up."""

    def __init__(self, message: str, expected):
        self.expected = expected
        super().__init__(message)
