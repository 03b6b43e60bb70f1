"""Shared fixtures: the roles, two portfolios (Chongqing, Sichuan), one user per role, and a small book.

Personas: every role has a user named after it; the collector works the Chongqing portfolio and the
sales user the Sichuan one, so scoping can be checked both ways.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from fengkong.accounts.choices import PortfolioKind, Role
from fengkong.accounts.models import Portfolio
from fengkong.accounts.roles import ensure_roles
from fengkong.core import uscc
from fengkong.customers.models import Customer
from fengkong.integrations.models import ImportBatch
from fengkong.legal.models import LawFirm
from fengkong.receivables.models import Invoice

PASSWORD = "Correct-horse-9"
AS_OF = date(2026, 11, 28)


@pytest.fixture
def roles(db):
    return ensure_roles()


def make_portfolios() -> dict[str, Portfolio]:
    cq = Portfolio.objects.create(code="CQ", name="重庆", kind=PortfolioKind.REGION, region_prefixes="50")
    sc = Portfolio.objects.create(code="SC", name="四川", kind=PortfolioKind.REGION, region_prefixes="51")
    return {"CQ": cq, "SC": sc}


@pytest.fixture
def portfolios(db):
    return make_portfolios()


def make_user(username: str, role: str | None, groups, portfolios=()):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                is_staff=role in {Role.ADMIN, Role.AUDITOR})
    if role:
        user.groups.add(groups[role])
    for portfolio in portfolios:
        portfolio.members.add(user)
    return user


@pytest.fixture
def users(roles, portfolios):
    """One user per role, named after the role; plus `nobody` with no role."""
    return make_users(roles, portfolios)


def make_users(roles, portfolios) -> dict:
    made = {}
    for role in Role.values:
        scoped = {Role.COLLECTOR: [portfolios["CQ"]], Role.SALES: [portfolios["SC"]]}.get(role, [])
        made[role] = make_user(role, role, roles, scoped)
    made["nobody"] = make_user("nobody", None, roles)
    LawFirm.objects.create(name="重庆渝律律师事务所").members.add(made[Role.LAW_FIRM])  # the law_firm persona's firm
    return made


def make_customer(code: str, region: str, portfolio=None, **extra) -> Customer:
    credit = uscc.make("9", "1", region, f"{int(code[1:]):08d}")
    return Customer.objects.create(code=code, name=extra.pop("name", f"测试客户{code}有限公司"),
                                   credit_code=credit, region=region, industry=extra.pop("industry", "C"),
                                   portfolio=portfolio, **extra)


def make_invoice(customer, number: str, amount="10000.00", open_amount=None, days_overdue=0) -> Invoice:
    due = AS_OF - timedelta(days=days_overdue)
    amount = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=due - timedelta(days=30),
                                  due_date=due, amount=amount,
                                  open_amount=amount if open_amount is None else Decimal(open_amount))


@pytest.fixture
def book(portfolios):
    """Two customers in Chongqing, one in Chengdu, each with invoices in several aging buckets."""
    return make_book(portfolios)


def make_book(portfolios) -> dict:
    cq1 = make_customer("C000001", "500103", portfolios["CQ"], name="重庆渝中精密机械有限公司")
    cq2 = make_customer("C000002", "500112", portfolios["CQ"], industry="E")
    sc1 = make_customer("C000003", "510100", portfolios["SC"], name="成都锦江电子有限公司")
    invoices = [
        make_invoice(cq1, "AR0001", "12000.00", days_overdue=-10),
        make_invoice(cq1, "AR0002", "8000.00", "3000.00", days_overdue=45),
        make_invoice(cq2, "AR0003", "50000.00", days_overdue=95),
        make_invoice(sc1, "AR0004", "20000.00", days_overdue=5),
        make_invoice(sc1, "AR0005", "7000.00", "0.00", days_overdue=100),
    ]
    return {"customers": [cq1, cq2, sc1], "invoices": invoices}


# --- shared test machinery -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def module_rows(django_db_setup, django_db_blocker):
    """Rows a whole test module reads, made once: inside a transaction that is rolled back after the module,
    each of its tests (asking for `db` as well) runs in a savepoint within it — what Django's
    TestCase.setUpTestData does for a class. For tests that only read the rows: their objects are shared."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as TestCase's own: a durable atomic block in the code under test may open
        atomic.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_world(book, users) -> dict:
    """The permission matrix's world: the book, its users and an import batch."""
    batch = ImportBatch.objects.create(kind="invoices", file_name="ar.csv", file_sha256="0" * 64,
                                       user=users["admin"], actor_name="admin")
    return {**book, "batch": batch, "users": users}


@pytest.fixture(scope="module")
def shared_world(module_rows):
    """The world made once for a module of thousands of requests (tests/test_permission_reads.py and
    _writes.py; conftest's `module_rows`): each test runs in a savepoint within it."""
    portfolios = make_portfolios()
    return make_world(make_book(portfolios), make_users(ensure_roles(), portfolios))


@pytest.fixture
def fresh_world(shared_world, db) -> dict:
    """The shared world's rows as new instances: what one test changes on an object in memory, or memoises
    in its world (a sample's ids), is not the next one's, as what it writes is rolled back with its savepoint."""
    users = get_user_model().objects.in_bulk([u.pk for u in shared_world["users"].values()])
    customers = Customer.objects.in_bulk([c.pk for c in shared_world["customers"]])
    invoices = Invoice.objects.in_bulk([i.pk for i in shared_world["invoices"]])
    return {"customers": [customers[c.pk] for c in shared_world["customers"]],
            "invoices": [invoices[i.pk] for i in shared_world["invoices"]],
            "batch": ImportBatch.objects.get(pk=shared_world["batch"].pk),
            "users": {name: users[u.pk] for name, u in shared_world["users"].items()}}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """argon2 is deliberately slow; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def audit_anchors(settings, tmp_path):
    """Each test its own audit anchor file: it lives outside the database, so no rollback empties it."""
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


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


# A test that touches no database (pytest-django refuses it any query) gives the same answer on SQLite and
# PostgreSQL: scripts/test runs it once, on SQLite, and sets FENGKONG_TESTS_DATABASE_ONLY=1 for the second run.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("FENGKONG_TESTS_DATABASE_ONLY") != "1":
        return
    kept, free = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or \
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses_db else free).append(item)
    if free:
        config.hook.pytest_deselected(items=free)
        items[:] = kept
