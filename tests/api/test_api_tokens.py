"""Token actions and the `fengkong token` commands: issued once, stored hashed, audited, revocable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengkong.accounts.actions import create_token, revoke_token
from fengkong.accounts.exceptions import TokenError
from fengkong.accounts.models import ApiToken
from fengkong.cli.commands import fengkong
from fengkong.core.audit import verify
from fengkong.core.models import AuditEvent


@pytest.fixture
def root(db):
    """Who may issue and revoke tokens as a user: one with accounts.add_apitoken and change_apitoken."""
    return get_user_model().objects.create_superuser("root", "root@example.com", "Correct-horse-9")


def test_created_token_is_stored_only_as_its_hash(users, root):
    token, key = create_token(actor=root, user=users["finance"], name="ERP sync")
    assert key.startswith("fk_") and len(key) == 46
    assert token.prefix == key[3:11]
    assert token.key_hash == ApiToken.digest(key) and key not in token.key_hash
    assert token.expires_at is None


def test_token_with_days_expires_then(users, root):
    token, _key = create_token(actor=root, user=users["finance"], name="BI", days=30)
    assert 29 < (token.expires_at - timezone.now()).total_seconds() / 86400 <= 30


def test_creating_and_revoking_a_token_is_audited_without_the_key(users, root):
    token, key = create_token(actor=root, user=users["finance"], name="ERP sync")
    revoke_token(actor=root, token=token)
    events = list(AuditEvent.objects.filter(object_type="accounts.apitoken").order_by("seq"))
    assert [e.action for e in events] == ["api_token.create", "api_token.revoke"]
    assert events[0].actor == root and events[0].after["user"] == "finance"
    assert events[1].before["revoked_at"] is None and events[1].after["revoked_at"]
    assert all(key not in str(e.after) for e in events)
    assert verify().ok


@pytest.mark.parametrize(("name", "days"), [("", None), ("   ", None), ("x" * 81, None), ("ok", 0),
                                            ("ok", 3651), ("ok", -1)])
def test_bad_token_requests_are_refused_with_a_reason(users, root, name, days):
    with pytest.raises(TokenError):
        create_token(actor=root, user=users["finance"], name=name, days=days)
    assert not ApiToken.objects.exists()


def test_revoking_twice_is_refused(users, root):
    token, _key = create_token(actor=root, user=users["finance"], name="x")
    revoke_token(actor=root, token=token)
    with pytest.raises(TokenError, match="already revoked"):
        revoke_token(actor=root, token=token)


def test_a_user_without_the_token_permissions_may_neither_issue_nor_revoke(users, root):
    with pytest.raises(PermissionDenied):  # the admin role may list tokens in the admin, not issue them
        create_token(actor=users["admin"], user=users["finance"], name="ERP sync")
    token, _key = create_token(actor=root, user=users["finance"], name="ERP sync")
    with pytest.raises(PermissionDenied):
        revoke_token(actor=users["admin"], token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["api_token.create"]


def test_token_commands_create_list_and_revoke(users, with_token):
    runner = CliRunner()
    created = runner.invoke(fengkong, ["token", "create", "--user", "collector", "--name", "催收App", "--days", "7"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert with_token(key).get("/me").json()["username"] == "collector"

    listed = runner.invoke(fengkong, ["token", "list"])
    assert listed.exit_code == 0 and key[3:11] in listed.stdout and "active" in listed.stdout
    assert key not in listed.stdout

    revoked = runner.invoke(fengkong, ["token", "revoke", key[:11]])
    assert revoked.exit_code == 0, revoked.output
    assert with_token(key).get("/me").status_code == 401
    assert "revoked" in runner.invoke(fengkong, ["token", "list", "--user", "collector"]).stdout
    assert AuditEvent.objects.get(action="api_token.revoke").actor_name.startswith("cli:")


def test_token_commands_explain_mistakes(users):
    runner = CliRunner()
    unknown_user = runner.invoke(fengkong, ["token", "create", "--user", "ghost", "--name", "x"])
    assert unknown_user.exit_code == 2 and "no user 'ghost'" in unknown_user.output
    unknown_prefix = runner.invoke(fengkong, ["token", "revoke", "zzzzzzzz"])
    assert unknown_prefix.exit_code == 2 and "no token has the prefix" in unknown_prefix.output
