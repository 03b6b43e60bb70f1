"""Where an uploaded ERP file is kept until the importer has read it, and the limit on what is received.

Design decisions:
- The limit (settings.IMPORT_MAX_BYTES, 200 MB by default) is enforced while the request is received, by
  `LimitedUploadHandler`, the first of settings.FILE_UPLOAD_HANDLERS: a body that declares more than the
  limit (plus room for the form's other fields) is refused as soon as its file part begins, and a file
  that grows past the limit is refused at the chunk that crosses it. Either way the upload stops there
  (`StopUpload(connection_reset=True)`: the rest of the body is not read), Django deletes the part it had
  received, and the form says why (`refused_upload(request)`), answered 413.
- Django streams what it receives to a temporary file in `scratch_dir()` (settings.FILE_UPLOAD_TEMP_DIR,
  inside the data directory: on the same disk as the uploads, and not in a /tmp that may be memory).
- The upload is kept in settings.DATA_DIR / "uploads" under a random name (the user's file name is only
  displayed, never used as a path), hashed on the way so the batch records its SHA-256; a temporary file
  on the same disk is hard-linked there rather than copied.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

FORM_ROOM = 2 * 1024 * 1024  # the form's other parts: a mapping file (at most 1 MB), fields, part headers
COPY_BLOCK = 1024 * 1024


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_dir() -> Path:
    """Temporary files of uploads being received and of files being read (UTF-8 copies)."""
    path = Path(settings.FILE_UPLOAD_TEMP_DIR or Path(settings.DATA_DIR) / "scratch")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class RefusedUpload:
    """An upload stopped while it was received: which form field, how big it said or grew, the limit."""

    field: str
    size: int
    limit: int


def refused_upload(request) -> RefusedUpload | None:
    return getattr(request, "refused_upload", None)


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload past settings.IMPORT_MAX_BYTES while it is received; stores nothing itself (the
    handlers after it do)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length
        return None

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if getattr(self, "body_length", 0) > settings.IMPORT_MAX_BYTES + FORM_ROOM:
            self.refuse(self.body_length)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.refuse(max(start + len(raw_data), getattr(self, "body_length", 0) - FORM_ROOM))
        return raw_data

    def file_complete(self, file_size):
        return None

    def refuse(self, size: int) -> None:
        self.request.refused_upload = RefusedUpload(self.field_name, size, settings.IMPORT_MAX_BYTES)
        raise StopUpload(connection_reset=True)


def save_upload(upload) -> tuple[Path, str]:
    """Keep the uploaded file in the uploads directory; return its path and SHA-256."""
    suffix = Path(upload.name or "").suffix.lower()[:10]
    target = uploads_dir() / f"{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    if hasattr(upload, "temporary_file_path"):
        try:
            os.link(upload.temporary_file_path(), target)
        except OSError:  # another disk: copy it
            pass
        else:
            with target.open("rb") as kept:
                return target, hashlib.file_digest(kept, "sha256").hexdigest()
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks(COPY_BLOCK):
            digest.update(chunk)
            out.write(chunk)
    return target, digest.hexdigest()
