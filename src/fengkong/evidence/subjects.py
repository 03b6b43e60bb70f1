"""What an evidence item can be linked to besides its customer and invoice: one object of an app above this one
(a legal case, a collection case, a contact, a dispute), registered by that app at start-up.

Design decisions:
- The evidence store sits below the apps whose objects it links (docs/architecture.md), so it never imports
  them: each registers a kind (`register_subject("legal_case", find=…, store=…)` in its `apps.ready()`), the way
  `core.panels` is filled. The API's `subject_type` is one of the registered kinds.
- `find(user, pk)` returns the object only when `user` may see it (the app's own `for_user`), else None: an
  object outside the caller's scope is "not found" like one that does not exist.
- `store` is the owning app's action when storing on its object means more than a link (a legal case's document
  belongs to the stage the case is at, and a law firm's user may store on its firm's cases without the
  evidence role); it checks its own permissions. Without one, `actions.store_evidence` links the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SubjectKind:
    name: str
    find: Callable[[Any, int], Any]  # (user, pk) -> the object, or None when the user may not see it
    store: Callable[..., Any] | None = None  # (*, actor, subject, chunks, filename, description, invoice) -> item


# The kinds the API's schema names (its `subject_type` pattern): a new kind is added here and registered by its app.
SUBJECT_TYPES = ("collection_case", "contact", "dispute", "legal_case")
SUBJECTS: dict[str, SubjectKind] = {}


def register_subject(name: str, *, find: Callable[[Any, int], Any], store: Callable[..., Any] | None = None) -> None:
    """Let evidence be linked to the objects of kind `name` (called from the owning app's `ready()`)."""
    if name not in SUBJECT_TYPES:
        raise ValueError(f"add {name!r} to evidence.subjects.SUBJECT_TYPES, which the API's schema names")
    SUBJECTS[name] = SubjectKind(name, find, store)


def subject_kind(name: str) -> SubjectKind | None:
    return SUBJECTS.get(name)


def subject_names() -> list[str]:
    return sorted(SUBJECTS)
