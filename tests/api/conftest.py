"""Helpers for the API tests: a client signed in as a persona (session) or holding a token."""

from __future__ import annotations

import pytest
from django.test import Client

from fengkong.accounts.actions import create_token

OPERATOR = "cli:tests"  # who issues tokens here: the operator at the command line, as `fengkong token` does


class Api:
    """GET /api/v1/… as somebody: `as_(user)` uses the browser session, `with_token(key)` a bearer token."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client, self.headers = client, headers or {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json",
                                headers=self.headers)


@pytest.fixture
def anonymous():
    return Api(Client())


@pytest.fixture
def as_():
    def signed_in(user, **client_options):
        client = Client(**client_options)
        client.force_login(user)
        return Api(client)
    return signed_in


@pytest.fixture
def with_token():
    def holding(key: str):
        return Api(Client(), {"Authorization": f"Bearer {key}"})
    return holding


@pytest.fixture
def token_for(users):
    def issue(user, days=None):
        return create_token(actor=OPERATOR, user=user, name="test client", days=days)
    return issue

