"""Revoking API tokens in the Django admin goes through accounts' revoke action: its row lock, its audit name."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fengkong.accounts.actions import create_token
from fengkong.accounts.models import ApiToken
from fengkong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_apitoken_changelist"


@pytest.fixture
def tokens(users):
    return [create_token(actor="cli:tests", user=users["finance"], name=name)[0] for name in ("ERP", "BI")]


def revoke(client: Client, tokens):
    return client.post(reverse(CHANGELIST), {"action": "revoke_tokens", "_selected_action": [t.pk for t in tokens]})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_revoking_in_the_admin_is_the_actions_revocation(tokens):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "Correct-horse-9")
    assert revoke(signed_in(root), tokens).status_code == 302
    assert not ApiToken.objects.active().exists()
    events = AuditEvent.objects.filter(actor=root).order_by("seq")
    assert [(e.action, e.object_type) for e in events] == [("api_token.revoke", "accounts.apitoken")] * 2
    assert all(e.before["revoked_at"] is None and e.after["revoked_at"] for e in events)


def test_a_token_revoked_already_is_left_as_it_was(tokens):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "Correct-horse-9")
    client = signed_in(root)
    revoke(client, tokens[:1])
    revoked_at = ApiToken.objects.get(pk=tokens[0].pk).revoked_at
    revoke(client, tokens)
    assert ApiToken.objects.get(pk=tokens[0].pk).revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 2


def test_the_admin_role_sees_tokens_but_may_not_revoke_them(users, tokens):
    client = signed_in(users["admin"])
    assert client.get(reverse(CHANGELIST)).status_code == 200
    revoke(client, tokens)
    assert ApiToken.objects.active().count() == 2
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()
