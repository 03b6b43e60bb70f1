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


def _audit_triggers():
    import importlib

    return importlib.import_module("fengkong.core.migrations.0002_audit_append_only")


def _run_sql(statements) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _lift_statements(vendor: str) -> list[str]:
    m = _audit_triggers()
    return m.SQLITE_REVERSE if vendor == "sqlite" else m.POSTGRES_REVERSE[:2]


def _restore_statements(vendor: str) -> list[str]:
    m = _audit_triggers()
    return m.SQLITE if vendor == "sqlite" else m.POSTGRES[1:]


def _restore_triggers_after_flush(**kwargs) -> None:
    from django.db import connection
    from django.db.models.signals import post_migrate

    post_migrate.disconnect(dispatch_uid="fengkong-restore-audit-triggers")
    _run_sql(_restore_statements(connection.vendor))


@pytest.fixture
def flushable_audit_trail(transactional_db):
    """A transactional test ends with a flush of every table, which the audit trail's append-only
    triggers rightly refuse. They are dropped for that flush only: Django sends post_migrate right after
    the flush, and a one-shot receiver puts them back."""
    yield
    from django.db import connection
    from django.db.models.signals import post_migrate

    _run_sql(_lift_statements(connection.vendor))
    post_migrate.connect(_restore_triggers_after_flush, weak=False, dispatch_uid="fengkong-restore-audit-triggers")


@pytest.fixture
def live_book(flushable_audit_trail, live_server):
    """A live server on committed data (see flushable_audit_trail)."""
    return live_server
