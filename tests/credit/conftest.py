"""The credit tests read messages in English (the source language), whatever the site's default: an
assertion on "own proposal" pins the rule, not its translation. Tests of the Chinese text switch
explicitly (translation.override("zh-hans") or an Accept-Language header)."""

import pytest
from django.utils import translation

from fengkong.core import later as background


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def reassessed(monkeypatch):
    """Re-assessments the actions ask for (reassess_later, before any commit): (customer ids, trigger) per call."""
    calls = []
    monkeypatch.setattr("fengkong.credit.actions.assessments.reassess_later",
                        lambda ids, trigger, actor=None: calls.append((sorted(ids), trigger)))
    return calls


@pytest.fixture
def queued(monkeypatch):
    """Re-assessments queued once their change commits (the task `credit.reassess`): (customer ids, trigger)."""
    calls = []
    monkeypatch.setitem(background.TASKS, "credit.reassess",
                        lambda ids, trigger, actor_id=None: calls.append((sorted(ids), trigger)))
    return calls
