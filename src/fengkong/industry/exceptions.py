"""What can go wrong in the industry app, in words for the industry analyst."""


class IndustryError(Exception):
    """Base of the app's errors; the message is shown to the user as it is."""


class IndicatorInvalid(IndustryError):
    """An indicator's fields are not acceptable; `problems` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {why}" for field, why in problems.items()))


class ImportInvalid(IndustryError):
    """An observations file with problems: nothing was written. `problems` lists each with row, column, value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:20]) + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""))
