"""Why an import stops. Row problems are values (a frame of problems), never exceptions; only a problem
with the whole file (cannot be read, is not a table, lacks required columns) is raised, and the importer
turns it into a rejected batch with the message."""


class ImportError_(Exception):
    """Base of the import errors (named so as not to shadow the builtin ImportError)."""


class FileRejected(ImportError_):
    """The file as a whole cannot be imported; the message says why, in words a credit manager reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotText(FileRejected):
    """The bytes are text in none of the encodings tried. `positions` maps each encoding to the (line, byte)
    where reading it failed, so a caller can say where in its own words."""

    def __init__(self, message: str, positions: dict[str, tuple[int, int]]):
        super().__init__(message)
        self.positions = positions
