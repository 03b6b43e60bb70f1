"""Fixtures for the web tests: the business date pinned to the book's as-of date. (Fast password
hashing, a clean cache, huey_immediate, sign_in and the live-server fixtures are in tests/conftest.py.)"""

from __future__ import annotations

from datetime import date

import pytest

AS_OF = date(2026, 11, 28)  # the as-of date of the shared `book` fixture (tests/conftest.py)
PASSWORD = "Correct-horse-9"  # the personas' password (tests/conftest.py)


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    return AS_OF
