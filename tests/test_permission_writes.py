"""The writes of the permission matrix (tests/test_permission_matrix.py holds the matrix): every page and
endpoint that takes a POST (PUT, PATCH, DELETE), as every persona sends it, on an object of its own
portfolio, of the other one, and of its own making: what WRITES says is written, and nothing else.

Its requests share one world made once for this module (`shared_world`): each test runs in a savepoint
within it and gets the world's rows as new instances (`fresh_world`), so what one write changes is gone
for the next.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from tests.conftest import make_user
from tests.credit.approvals_fixtures import PREVIEW
from tests.test_permission_matrix import (
    ALLOWED,
    COLLEAGUE,
    WRITE_CASES,
    WRITES,
    Footprint,
    assert_no_foreign_rows,
    assert_nothing_written,
    assert_write_status,
    assert_written,
    scene_for,
    send,
    split_key,
)

from fengkong.accounts.choices import Role
from fengkong.core import later as background


@pytest.fixture
def write_world(fresh_world, settings, tmp_path, monkeypatch):
    """The matrix's world, a colleague who made what the personas act on, and no work beyond the request:
    background tasks are noted rather than queued, a crowned model need not load, a policy's what-if is
    a fixed answer."""
    settings.DATA_DIR = tmp_path
    noted = []
    monkeypatch.setitem(background.TASKS, "scoring.retrain", lambda *args: noted.append(("retrain", args)))
    monkeypatch.setitem(background.TASKS, "integrations.import", lambda *args: noted.append(("import", args)))
    monkeypatch.setattr("fengkong.scoring.actions.load", lambda model: None)
    monkeypatch.setattr("fengkong.credit.grading.preview", lambda config: PREVIEW)
    groups = {group.name: group for group in Group.objects.all()}
    return {**fresh_world, "colleague": make_user(COLLEAGUE, Role.CREDIT_ANALYST, groups), "queued": noted}


@pytest.mark.parametrize(("key", "persona", "case"), WRITE_CASES, ids=[f"{k}-{p}-{c}" for k, p, c in WRITE_CASES])
def test_write_matrix(write_world, key, persona, case):
    entry = WRITES[key]
    scene = scene_for(write_world, persona, case)
    target = entry.target(scene) if entry.target else None
    name, method = split_key(key)
    url = reverse(entry.sample or name, kwargs=entry.kwargs(target))
    data = entry.data(scene, target) if callable(entry.data) else entry.data
    client = Client()
    if scene.actor is not None:
        client.force_login(scene.actor)
    before = Footprint.take(target)
    response = send(client, method, url, data, entry.api)
    after = Footprint.take(target)
    expected = {"own": entry.expect, "foreign": entry.foreign, "maker": entry.maker}[case][persona]
    where = f"{persona} {method} {url} ({case} case) answered {response.status_code}, expected {expected}"
    assert_write_status(response, expected, where)
    mark = entry.written(scene, target, response, client) if entry.written else None
    if expected == ALLOWED:
        assert_written(entry, before, after, mark, where)
    else:
        assert_nothing_written(before, after, mark, where)
    assert_no_foreign_rows(response, persona, url)


