"""The steps of the night, registered by the domain apps and run in order by the `cycle` app.

Design decisions:
- A step is a plain function `step(night)`, registered with `@nightly_step(name, order=N)` in its app's
  `nightly.py` (the cycle app imports every installed app's `nightly` module at start-up, as Django's admin
  finds `admin.py`). Adding an app adds steps without editing the orchestrator; domain apps never import
  `cycle`, only this registry.
- Steps run in ascending `order`, each on its own: a step opens its own transaction(s) and calls
  `night.checkpoint(...)` inside each, which checks that the run is still this worker's (a worker that lost
  its claim stops writing) and records the step and its counts. Every step must be idempotent: a run killed
  after any step is completed by running every step again.
- `after_done=True` marks a step that runs once the run is marked done (the credit models' scoring): its
  failure is recorded on the run and in the audit trail but never fails the night.
- `night.shared` carries what a step leaves for the later steps of the same run (monitoring's aged book);
  it is rebuilt on a resumed run, since every step runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

Progress = Callable[[str, int, int], None]


class Night(Protocol):
    """What a step is given: the business date, who runs it, and the run's bookkeeping."""

    as_of: date
    actor: Any
    progress: Progress
    send_now: bool  # messages are sent inside the run (tests, `run-cycle --send-now`), not by the worker
    shared: dict[str, Any]

    def checkpoint(self, counts: dict[str, Any] | None = None, *, added: dict[str, int] | None = None) -> None:
        """Inside a transaction of the step: check the run is still ours, record the step; `counts` replace
        the run's counts of the same name, `added` are added to them (alerts raised by several steps)."""


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    run: Callable[[Night], Any]
    after_done: bool = False


@dataclass
class Registry:
    steps: dict[str, Step] = field(default_factory=dict)

    def add(self, step: Step) -> None:
        known = self.steps.get(step.name)
        if known is not None and known.run is not step.run:
            raise ValueError(f"a nightly step named {step.name!r} is already registered")
        self.steps[step.name] = step

    def ordered(self, *, after_done: bool = False) -> list[Step]:
        return sorted((s for s in self.steps.values() if s.after_done == after_done), key=lambda s: (s.order, s.name))


REGISTRY = Registry()


def nightly_step(name: str, *, order: int, after_done: bool = False) -> Callable:
    """Register the decorated function as the step `name` of the night, run at `order` (ascending)."""

    def register(fn: Callable[[Night], Any]) -> Callable[[Night], Any]:
        REGISTRY.add(Step(name, order, fn, after_done))
        return fn

    return register


def steps(*, after_done: bool = False) -> list[Step]:
    """The registered steps in the order they run (those of the run itself, or those after it is done)."""
    return REGISTRY.ordered(after_done=after_done)


@contextmanager
def registered_step(name: str, fn: Callable[[Night], Any], *, order: int, after_done: bool = False) -> Iterator[Step]:
    """Register a step for the duration of a `with` block (tests, one-off runs)."""
    step = Step(name, order, fn, after_done)
    REGISTRY.add(step)
    try:
        yield step
    finally:
        REGISTRY.steps.pop(name, None)
