"""Where an uploaded ERP file is kept until the importer has read it.

The upload is streamed to settings.DATA_DIR / "uploads" under a random name (the user's file name is only
displayed, never used as a path), hashed on the way so the batch records its SHA-256.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.conf import settings


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(upload) -> tuple[Path, str]:
    """Write the uploaded file to the uploads directory; return its path and SHA-256."""
    suffix = Path(upload.name or "").suffix.lower()[:10]
    target = uploads_dir() / f"{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return target, digest.hexdigest()
