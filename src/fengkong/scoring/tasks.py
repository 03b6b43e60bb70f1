"""Background work of the model registry (huey).

Nothing periodic of its own: the night scores the book (nightly.py, after the risk cycle is done).
`rescore` runs after a promotion or rollback commits; `retrain` trains a model on the ledger and
registers it as a challenger, then tells whoever asked. Both are queued by name (core.later).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task, lock_task

from fengkong.core.later import task_name
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from .actions import train_and_register
from .book_scores import last_scored, score_book
from .exceptions import ScoringError
from .registry import model_link

log = logging.getLogger(__name__)


def _user(user_id: int | None):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@task_name("scoring.rescore")
@db_task()
def rescore(use: str, actor_id: int | None = None) -> dict:
    """Score the book again for `use` with its new champion, as of the book's last scoring date."""
    return score_book(as_of=last_scored(use), actor=_user(actor_id), uses=[use])


@task_name("scoring.retrain")
@db_task()
@lock_task("scoring-retrain")
def retrain(use: str, actor_id: int | None = None) -> list[int]:
    """Train a model for `use` on the ledger and register it; the person who asked hears how it went."""
    actor = _user(actor_id)
    try:
        versions = train_and_register(actor=actor, use=use)
    except ScoringError as exc:
        if actor is not None:
            tell([actor], template=Template.APPROVAL_DECIDED, title=_("Training failed"), body=str(exc),
                 level="warning")
        raise
    if actor is not None:
        tell([actor], template=Template.APPROVAL_DECIDED, link=model_link(versions[0]),
             title=_("Trained: %(models)s") % {"models": ", ".join(v.label for v in versions)},
             body=_("The new model is registered as a challenger; ask for its promotion when it earns it."))
    return [v.pk for v in versions]
