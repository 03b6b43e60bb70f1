"""The credit models' step of the night (core.nightly): once the risk cycle is done, the live models
score the book (book_scores.score_book). It runs after the night is marked done, so a scoring failure is
recorded on the run and in the audit trail and never fails the risk cycle."""

from __future__ import annotations

from fengkong.core.nightly import Night, nightly_step

from .book_scores import score_book


@nightly_step("scoring.models", order=100, after_done=True)
def score_models(night: Night) -> dict:
    return score_book(as_of=night.as_of, actor=night.actor, progress=night.progress)
