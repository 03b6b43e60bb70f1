"""Parallel credit checks against one customer (PostgreSQL): the limit is never over-committed."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections
from tests.conftest import make_customer

from fengkong.accounts.actions import create_token
from fengkong.credit.actions.checks import run_check
from fengkong.credit.choices import CheckStatus
from fengkong.credit.models import CreditCheck, CreditProfile

THREADS = 40
LIMIT = Decimal("100000.00")
AMOUNT = Decimal("10000.00")  # the limit fits exactly ten
CLIENTS = 8


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with its database lock; the race needs PostgreSQL")


@pytest.fixture
def customer(users, portfolios):
    return make_customer("C000900", "510100", portfolios["SC"])


def _race(work, n: int) -> list:
    barrier, errors = threading.Barrier(n), []

    def worker(i: int):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def _assert_never_over_committed(customer) -> None:
    statuses = Counter(CreditCheck.objects.filter(customer=customer).values_list("status", flat=True))
    reserved = sum(CreditCheck.objects.filter(customer=customer, status=CheckStatus.RESERVED)
                   .values_list("amount", flat=True), Decimal(0))
    assert reserved <= LIMIT
    assert statuses == {CheckStatus.RESERVED: 10, CheckStatus.HELD: THREADS - 10}


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_checks_never_over_commit_the_limit(users, customer, flushable_audit_trail):
    _needs_postgres()
    CreditProfile.objects.create(customer=customer, limit=LIMIT, grade="A")
    sales = users["sales"]
    errors = _race(lambda i: run_check(actor=sales, customer=customer, amount=AMOUNT, currency="CNY",
                                       reference=f"SO-RACE-{i}"), THREADS)
    assert not errors
    _assert_never_over_committed(customer)


@pytest.mark.django_db(transaction=True)
def test_parallel_first_checks_create_one_profile(users, customer, flushable_audit_trail):
    _needs_postgres()
    errors = _race(lambda i: run_check(actor=users["sales"], customer=customer, amount="1.00", currency="CNY",
                                       reference=f"SO-FIRST-{i}"), 10)
    assert not errors
    assert CreditProfile.objects.filter(customer=customer).count() == 1
    assert CreditCheck.objects.filter(customer=customer, status=CheckStatus.HELD).count() == 10  # no limit yet


@pytest.mark.django_db(transaction=True)
def test_the_same_reference_sent_in_parallel_is_checked_once(users, customer, flushable_audit_trail):
    _needs_postgres()
    CreditProfile.objects.create(customer=customer, limit=LIMIT, grade="A")
    answers = []
    errors = _race(lambda i: answers.append(run_check(actor=users["sales"], customer=customer, amount=AMOUNT,
                                                      currency="CNY", reference="SO-SAME")), 10)
    assert not errors
    assert CreditCheck.objects.count() == 1
    assert sorted(created for _check, created in answers) == [False] * 9 + [True]


@pytest.mark.django_db(transaction=True)
def test_parallel_http_checks_never_over_commit_the_limit(users, customer, live_book):
    _needs_postgres()
    CreditProfile.objects.create(customer=customer, limit=LIMIT, grade="A")
    _token, key = create_token(actor="cli:tests", user=users["sales"], name="ERP")
    codes = []

    def post(n: int):
        body = json.dumps({"customer": customer.code, "amount": str(AMOUNT), "currency": "CNY",
                           "reference": f"SO-HTTP-{n}"}).encode()
        request = urllib.request.Request(f"{live_book.url}/api/v1/credit-checks", data=body, method="POST",
                                         headers={"Authorization": f"Bearer {key}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)

    def client(i: int):  # the test server's listen backlog is small: 8 clients, 5 orders each
        for j in range(THREADS // CLIENTS):
            post(i * 100 + j)

    errors = _race(client, CLIENTS)
    assert not errors
    assert codes == [201] * THREADS
    _assert_never_over_committed(customer)
