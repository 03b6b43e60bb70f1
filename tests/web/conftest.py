"""Fixtures for the web tests: fast password hashing, a clean cache (login throttling, import
progress), huey running tasks immediately, the business date pinned to the book's as-of date, and a
signed-in client per persona."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

AS_OF = date(2026, 11, 28)  # the as-of date of the shared `book` fixture (tests/conftest.py)
PASSWORD = "Correct-horse-9"  # the personas' password (tests/conftest.py)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """argon2 is deliberately slow; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.web.book.today", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


@pytest.fixture
def sign_in(users):
    """sign_in("collector") -> a Client signed in as that persona."""

    def _sign_in(persona: str) -> Client:
        client = Client()
        client.force_login(users[persona])
        return client

    return _sign_in
