"""With REDIS_URL set the throttle's counters and turns live in Redis, shared by every web process: the
account lock, the address's slowing and the token throttle, against the real local Redis server."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from tests.core.test_redis import REDIS_URL, redis_or_skip

from fengkong.accounts import throttle
from fengkong.accounts.actions import lift_sign_in_lock
from fengkong.accounts.models import SignInLock

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"


@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis, under a prefix of this test's own (and its keys removed after)."""
    client = redis_or_skip()
    prefix, before = f"fk-test-throttle-{uuid.uuid4().hex}", settings.CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3, 6
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    settings.CACHES = before  # before the suite's clean_cache clears "the" cache: never flush Redis


def attempt(username: str, password: str, ip: str = "10.20.0.1"):
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_counters_are_in_redis(users, redis_cache):
    attempt("finance", "wrong")
    keys = [key.decode() for key in redis_cache.scan_iter("fk-test-throttle-*")]
    assert any("failures:user:" in key for key in keys) and any("failures:sign-in-address:" in key for key in keys)


def test_an_account_lock_on_redis_locks_that_name_only_and_lifts(users, redis_cache):
    for _ in range(3):
        attempt("collector", "wrong")
    assert attempt("collector", PASSWORD).status_code == 429
    assert attempt("finance", PASSWORD).status_code == 302
    lift_sign_in_lock(actor=users["admin"], lock=SignInLock.objects.get(username="collector"))
    assert attempt("collector", PASSWORD).status_code == 302


def test_an_address_on_redis_is_slowed_with_retry_after(users, redis_cache):
    for n in range(6):
        attempt(f"guess{n}", "wrong")
    response = attempt("finance", PASSWORD)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert throttle.failures(throttle.address_key("sign-in", "10.20.0.1")) == 6


def test_refused_tokens_on_redis_get_429(users, redis_cache):
    answers = [Client().get("/api/v1/me", headers={"Authorization": f"Bearer fk_{n:08d}{'x' * 35}"},
                            REMOTE_ADDR="10.20.0.2").status_code for n in range(7)]
    assert answers == [401] * 5 + [429] * 2
