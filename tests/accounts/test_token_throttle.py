"""Refused API tokens are counted per address and per the key's visible prefix: past the limits the
answer is 429 with Retry-After instead of 401; a valid key is always let in."""

from __future__ import annotations

import pytest
from django.test import Client

from fengkong.accounts.actions import create_token, revoke_token
from fengkong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.50"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    return settings


def call(key: str, ip: str = ADDRESS, scheme: str = "Bearer"):
    return Client().get("/api/v1/me", headers={"Authorization": f"{scheme} {key}"}, REMOTE_ADDR=ip)


def wrong_key(n: int) -> str:
    return "fk_" + f"{n:08d}" + "x" * 35


def test_many_wrong_tokens_from_one_address_get_429_with_retry_after(users, limits):
    answers = [call(wrong_key(n)).status_code for n in range(12)]
    assert answers[:9] == [401] * 9 and answers[9:] == [429] * 3
    response = call(wrong_key(99))
    assert response.status_code == 429 and response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) >= 1 and response.json()["detail"]


def test_the_retry_after_grows_with_the_failures(users, limits):
    for n in range(9):
        call(wrong_key(n))
    waits = [int(call(wrong_key(n))["Retry-After"]) for n in range(9, 14)]
    assert waits == [1, 2, 4, 8, 16]


def test_a_valid_token_still_works_from_an_address_past_its_limit(users, limits):
    _token, key = create_token(actor="cli:tests", user=users["finance"], name="ERP")
    for n in range(15):
        call(wrong_key(n))
    response = call(key)
    assert response.status_code == 200 and response.json()["username"] == "finance"


def test_wrong_keys_for_one_prefix_are_throttled_from_any_address_and_audited_once(users, limits):
    token, key = create_token(actor="cli:tests", user=users["finance"], name="ERP")
    guesses = [key[:11] + ("A" if key[11] != "A" else "B") + key[12:-1] + c for c in "abcdefg"]
    answers = [call(guess, ip=f"198.51.100.{n}").status_code for n, guess in enumerate(guesses)]
    assert answers == [401] * 4 + [429] * 3
    events = AuditEvent.objects.filter(action="auth.token_throttled")
    assert [(e.object_id, e.after["prefix"]) for e in events] == [(token.prefix, token.prefix)]
    assert call(key, ip="198.51.100.200").status_code == 200  # the real key is not shut out


def test_a_revoked_token_counts_as_a_failure(users, limits):
    token, key = create_token(actor="cli:tests", user=users["finance"], name="ERP")
    revoke_token(actor="cli:tests", token=token)
    assert [call(key).status_code for _ in range(6)] == [401] * 4 + [429] * 2


def test_another_scheme_or_garbage_counts_too_and_never_errors(users, limits):
    answers = [call(junk, scheme=scheme).status_code
               for scheme, junk in [("Basic", "dXNlcjpwYXNz"), ("Bearer", ""), ("Bearer", "名" * 3000),
                                    ("Bearer", "fk_" + "\x00" * 43), ("Token", "x")] * 3]
    assert set(answers[:9]) == {401} and set(answers[10:]) == {429}


def test_sign_in_failures_do_not_slow_the_api_nor_the_other_way_round(users, limits):
    _token, key = create_token(actor="cli:tests", user=users["finance"], name="ERP")
    for n in range(12):
        call(wrong_key(n))
    response = Client().post("/login/", {"username": "finance", "password": "Correct-horse-9"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
