"""Serving files: a stored path is served only from inside its own folder, and written downloads are streamed.

A database row that names a file (an import's problems file, a task's letter, a model's directory) is
data, and data can be edited by anyone who can write the database: a view that opened what the row says
served /etc/passwd. So every view that serves a stored file asks `resolve_inside` first, with the folder
the file belongs in (not the data directory as a whole: the secret key and the database live there).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse


def resolve_inside(folder: Path, stored: str | os.PathLike | None, *, base: Path | None = None) -> Path | None:
    """The regular file `stored` names, resolved, if it lies inside `folder`; None otherwise.

    A relative `stored` is read from `base` (default: `folder`). Refused: an empty path, a path with a `..`
    part, a path that ends outside `folder` once every symbolic link is followed (an absolute path elsewhere,
    a link leading out), anything but a regular file (a directory, a device, a pipe) and a path the system
    cannot name (a NUL byte).
    """
    if not stored:
        return None
    path = Path(stored)
    if ".." in path.parts:
        return None
    try:
        root = Path(folder).resolve()
        found = (path if path.is_absolute() else Path(base or folder) / path).resolve(strict=True)
        return found if found.is_relative_to(root) and found.is_file() else None
    except (OSError, ValueError, RuntimeError):  # missing, a NUL byte, a symlink loop
        return None


def written_download(write: Callable[[Path], object], *, filename: str, content_type: str) -> FileResponse:
    """A download of the file `write(path)` writes: written to a temporary file, which is unlinked once it is
    open (the open handle keeps its data until the response has been sent and closes it)."""
    handle = tempfile.NamedTemporaryFile(suffix=Path(filename).suffix, delete=False)  # noqa: SIM115
    handle.close()
    try:
        write(Path(handle.name))
        stream = open(handle.name, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(handle.name)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
