"""Background work queued by name, to start once the current transaction commits.

Why by name: an action that queues background work must not import the `tasks.py` whose task calls the
action's own app back (that is how import circles grew between actions and tasks). The producer names the
task; each app's `tasks.py` registers its huey tasks under their names with `@task_name(...)`, and every
`tasks.py` is imported when Django starts (core.apps), so any process can queue any task. As Zulip queues
deferred work by queue name rather than by importing the worker.

`later(name, *args)` queues after commit (at once outside a transaction); a name nobody registered is a bug
and raises at once, inside the caller's transaction, rather than losing the work silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

TASKS: dict[str, Callable[..., Any]] = {}


def task_name(name: str) -> Callable:
    """Register the decorated (huey) task under `name`, e.g. "credit.reassess"."""

    def register(task: Callable[..., Any]) -> Callable[..., Any]:
        known = TASKS.get(name)
        if known is not None and getattr(known, "name", known) != getattr(task, "name", task):
            raise ValueError(f"a background task named {name!r} is already registered")
        TASKS[name] = task
        return task

    return register


def task(name: str) -> Callable[..., Any]:
    try:
        return TASKS[name]
    except KeyError:
        raise LookupError(f"no background task is registered as {name!r} (see its app's tasks.py)") from None


def later(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task `name` with these arguments once the current transaction commits."""
    queued = task(name)
    transaction.on_commit(lambda: queued(*args, **kwargs))
