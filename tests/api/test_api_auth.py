"""Who may call the API: tokens, sessions, 401 and 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fengkong.accounts.actions import revoke_token
from fengkong.accounts.models import ApiToken

ENDPOINTS = ["/me", "/customers", "/customers/C000001", "/customers/C000001/invoices", "/invoices",
             "/invoices/AR0001"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_caller_gets_401_json_on_every_endpoint(book, anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response["WWW-Authenticate"]
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_valid_token_reads_every_endpoint(book, users, token_for, with_token, path):
    _token, key = token_for(users["credit_analyst"])
    assert with_token(key).get(path).status_code == 200


def test_token_caller_is_the_tokens_user(users, token_for, with_token):
    _token, key = token_for(users["collector"])
    body = with_token(key).get("/me").json()
    assert body["username"] == "collector"
    assert body["roles"] == ["collector"]
    assert [p["code"] for p in body["portfolios"]] == ["CQ"]
    assert body["sees_all_customers"] is False


def test_revoked_token_gets_401(users, token_for, with_token):
    token, key = token_for(users["admin"])
    revoke_token(actor="cli:tests", token=token)
    response = with_token(key).get("/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_expired_token_gets_401(users, token_for, with_token):
    token, key = token_for(users["admin"], days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert with_token(key).get("/me").status_code == 401


def test_token_of_a_deactivated_user_gets_401(users, token_for, with_token):
    _token, key = token_for(users["finance"])
    users["finance"].is_active = False
    users["finance"].save(update_fields=["is_active"])
    assert with_token(key).get("/me").status_code == 401


@pytest.mark.parametrize("header", [
    "Bearer garbage", "Bearer fk_" + "x" * 43, "Bearer ", "Bearer fk_\x00", "Token abc", "Basic Zm9vOmJhcg==",
    "Bearer " + "fk_" + "a" * 5000, "Bearer fk_' OR 1=1 --",
])
def test_garbage_authorization_header_gets_401(users, anonymous, header):
    anonymous.headers = {"Authorization": header}
    response = anonymous.get("/me")
    assert response.status_code == 401, header


def test_a_token_that_differs_in_one_character_gets_401(users, token_for, with_token):
    _token, key = token_for(users["admin"])
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert with_token(forged).get("/me").status_code == 401


def test_bad_token_is_401_even_with_a_valid_session(users, as_):
    api = as_(users["admin"])
    api.headers = {"Authorization": "Bearer fk_" + "y" * 43}
    assert api.get("/me").status_code == 401


def test_use_of_a_token_is_recorded_at_most_once_a_minute(users, token_for, with_token):
    token, key = token_for(users["admin"])
    client = with_token(key)
    client.get("/me")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=1)


def test_browser_session_reads_the_api(book, users, as_):
    assert as_(users["risk_manager"]).get("/customers").status_code == 200


def test_user_without_a_role_gets_403_on_data_endpoints(book, users, as_, token_for, with_token):
    _token, key = token_for(users["nobody"])
    for api in (as_(users["nobody"]), with_token(key)):
        for path in ENDPOINTS[1:]:
            response = api.get(path)
            assert response.status_code == 403, path
            assert response.json()["detail"]


def test_user_without_a_role_still_sees_who_they_are(users, as_):
    body = as_(users["nobody"]).get("/me").json()
    assert body == {"username": "nobody", "name": "", "email": "", "roles": [], "portfolios": [],
                    "sees_all_customers": False}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_write_methods_on_read_endpoints_get_405(book, users, as_, path):
    assert as_(users["admin"]).post(path).status_code == 405
