"""An address with many failed sign-ins across many names is slowed (429 + Retry-After), never locked:
password spraying crawls, a colleague behind the same NAT signs in after a short wait."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from fengkong.accounts import throttle
from fengkong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"
NAT = "203.0.113.7"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 60
    return settings


def attempt(username: str, password: str, ip: str = NAT, url: str = "login"):
    return Client().post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=ip)


def spray(count: int, ip: str = NAT) -> None:
    for n in range(count):
        assert attempt(f"guess{n}", "Password1", ip).status_code == 200


def test_spraying_many_names_from_one_address_is_slowed_with_429_and_retry_after(users, limits):
    spray(8)
    response = attempt("finance", PASSWORD)  # even the right password waits its turn
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "请等待" in response.content.decode() or "Wait" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_no_single_name_is_locked_by_spraying(users, limits):
    spray(8)
    assert not throttle.failures(throttle.account_key("user", "finance"))
    assert attempt("finance", PASSWORD, ip="198.51.100.1").status_code == 302  # from elsewhere: at once


def test_a_colleague_behind_the_same_address_signs_in_after_the_short_wait(users, limits):
    spray(8)
    response = attempt("finance", PASSWORD)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    time.sleep(1.1)  # the wait the answer asked for
    assert attempt("finance", PASSWORD).status_code == 302


def test_the_wait_doubles_with_every_further_failure_up_to_the_maximum(limits):
    waits = [throttle.address_delay(count) for count in range(6, 18)]
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


def test_attempts_turned_away_while_waiting_are_not_judged_or_audited_one_by_one(users, limits):
    spray(8)
    throttle.make_wait("sign-in", NAT, 14)  # the minute's wait a longer spray has earned: no turn comes up
    before = AuditEvent.objects.count()
    for _ in range(20):
        assert attempt("finance", "wrong").status_code == 429
    assert AuditEvent.objects.count() == before
    assert throttle.failures(throttle.address_key("sign-in", NAT)) == 8


def test_passing_the_address_limit_is_audited_once(users, limits):
    spray(8)
    for _ in range(5):
        attempt("finance", "wrong")
    events = AuditEvent.objects.filter(action="auth.address_throttled")
    assert [(e.object_id, e.after["way"], e.after["failures"]) for e in events] == [(NAT, "sign-in", 8)]


def test_the_admin_login_is_slowed_the_same_way(users, limits):
    spray(8)
    response = attempt("root", PASSWORD, url="admin:login")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_an_ipv6_subscriber_is_counted_by_its_network_not_by_each_address(users, limits):
    for n in range(8):
        attempt(f"guess{n}", "Password1", ip=f"2001:db8:1:2::{n + 1:x}")
    assert attempt("finance", PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
    assert attempt("finance", PASSWORD, ip="2001:db8:1:3::1").status_code == 302


@pytest.mark.parametrize("ip", ["", "not-an-address", "::ffff:203.0.113.7", "fe80::1%eth0"])
@pytest.mark.parametrize("name", ["名" * 5000, "x\x00y", " ", "' OR 1=1 --"])
def test_throttled_answers_are_never_server_errors(users, limits, ip, name):
    for url in ("login", "admin:login"):
        for _ in range(10):
            response = Client().post(reverse(url), {"username": name, "password": "x"}, REMOTE_ADDR=ip)
            assert response.status_code in {200, 429}, (url, response.status_code)
