"""The GET half of the permission matrix (tests/test_permission_matrix.py holds the matrix, its writes and
its aggregates): every page and endpoint, as every persona, expects what MATRIX says, and no
portfolio-bound persona sees another portfolio's rows.

Its thousands of reads share one world, made once for this module (`shared_world`): each test runs in a
savepoint within it, so what a test adds (a monitoring run, a sample check) is gone for the next one.
"""

from __future__ import annotations

import pytest
from django.test import Client
from tests import matrix_targets as targets
from tests.test_permission_matrix import (
    ANONYMOUS,
    CASES,
    MATRIX,
    assert_no_foreign_rows,
    assert_outcome,
    url_of,
)


@pytest.mark.parametrize(("key", "persona"), CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_permission_matrix(fresh_world, key, persona):
    world = fresh_world
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(world["users"][persona])
    if MATRIX[key].monitored:
        targets.monitored(world)
    url = url_of(key, world)
    response = client.get(url)
    expected = MATRIX[key].expect[persona]
    assert_outcome(response, expected, persona, url)
    assert_no_foreign_rows(response, persona, url)
