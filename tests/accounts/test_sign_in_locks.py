"""Sign-in locks in the Django admin: listed for whoever may see them, lifted through accounts' action
(permission inside, `auth.lock_lifted` with the actor), after which the user signs in at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengkong.accounts.actions import lift_sign_in_lock
from fengkong.accounts.exceptions import SignInLockError
from fengkong.accounts.models import SignInLock
from fengkong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"
CHANGELIST = "admin:accounts_signinlock_changelist"


@pytest.fixture
def locked(users, settings):
    """The collector, locked after LOGIN_FAILURE_LIMIT wrong passwords."""
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in("collector", "wrong")
    assert sign_in("collector", PASSWORD).status_code == 429
    return SignInLock.objects.get(username="collector")


def sign_in(username: str, password: str):
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lift(client: Client, locks):
    return client.post(reverse(CHANGELIST), {"action": "lift_locks", "_selected_action": [lock.pk for lock in locks]},
                       follow=True)


def test_the_admin_lists_the_lock_and_lifts_it_audited_then_the_user_signs_in(users, locked):
    client = signed_in(users["admin"])
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "collector" in listing and "10.1.1.1" in listing and "lift_locks" in listing
    response = lift(client, [locked])
    assert response.status_code == 200
    locked.refresh_from_db()
    assert locked.lifted_at is not None and locked.lifted_by == users["admin"] and not locked.is_active()
    event = AuditEvent.objects.get(action="auth.lock_lifted")
    assert event.actor == users["admin"] and event.object_id == "collector"
    assert event.before["lifted_at"] is None and event.after["lifted_at"]
    assert sign_in("collector", PASSWORD).status_code == 302


def test_after_a_lift_the_user_starts_with_no_failures(users, locked, settings):
    lift_sign_in_lock(actor=users["admin"], lock=locked)
    assert sign_in("collector", "wrong").status_code == 200
    assert sign_in("collector", "wrong").status_code == 200  # two of three: not locked again
    assert sign_in("collector", PASSWORD).status_code == 302


def test_the_in_force_filter_shows_only_locks_that_hold(users, locked):
    SignInLock.objects.create(username="old", locked_at=timezone.now() - timedelta(days=1),
                              locked_until=timezone.now() - timedelta(hours=23), failures=5, last_ip="10.2.2.2")
    body = signed_in(users["admin"]).get(reverse(CHANGELIST), {"in_force": "yes"}).content.decode()
    assert "collector" in body and "10.2.2.2" not in body


def test_the_auditor_sees_the_locks_but_may_not_lift_them(users, locked):
    client = signed_in(users["auditor"])
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200 and "collector" in listing.content.decode()
    assert "lift_locks" not in listing.content.decode()
    lift(client, [locked])
    assert SignInLock.objects.active().filter(pk=locked.pk).exists()
    assert not AuditEvent.objects.filter(action="auth.lock_lifted").exists()


@pytest.mark.parametrize("role", ["risk_manager", "collector", "nobody"])
def test_the_action_refuses_whoever_lacks_the_permission(users, locked, role):
    with pytest.raises(PermissionDenied):
        lift_sign_in_lock(actor=users[role], lock=locked)
    assert SignInLock.objects.active().filter(pk=locked.pk).exists()


def test_a_lock_that_has_expired_or_was_lifted_cannot_be_lifted_again(users, locked):
    lift_sign_in_lock(actor=users["admin"], lock=locked)
    with pytest.raises(SignInLockError):
        lift_sign_in_lock(actor=users["admin"], lock=locked)
    assert AuditEvent.objects.filter(action="auth.lock_lifted").count() == 1


def test_a_superuser_lifts_in_the_admin_and_a_second_lift_is_a_warning_not_an_error(locked):
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client = signed_in(root)
    assert lift(client, [locked]).status_code == 200
    second = lift(client, [locked])
    assert second.status_code == 200 and AuditEvent.objects.filter(action="auth.lock_lifted").count() == 1


def test_locks_cannot_be_added_changed_or_deleted_in_the_admin(users, locked):
    client = signed_in(get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD))
    assert client.get(reverse("admin:accounts_signinlock_add")).status_code == 403
    change = reverse("admin:accounts_signinlock_change", args=[locked.pk])
    assert client.post(change, {"username": "x", "locked_until": "2020-01-01 00:00"}).status_code == 403
    assert client.post(reverse("admin:accounts_signinlock_delete", args=[locked.pk]), {"post": "yes"}).status_code == 403
    assert SignInLock.objects.filter(pk=locked.pk, username="collector").exists()
