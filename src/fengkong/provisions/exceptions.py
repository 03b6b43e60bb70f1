"""What can go wrong with a provision, in words for the finance team."""


class ProvisionError(Exception):
    """Base of the app's errors; the message is shown to the user as it is."""


class PolicyInvalid(ProvisionError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class PeriodLocked(ProvisionError):
    """The month-end already has an approved provision, which cannot be changed."""


class SelfApproval(ProvisionError):
    """Nobody approves the provision they proposed."""


class Conflict(ProvisionError):
    """The run is not in a state that allows this step."""


class NothingToProvide(ProvisionError):
    """The book has no receivables at the date."""


class WriteOffInvalid(ProvisionError):
    """A write-off request that cannot be made as given; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)
