"""Signing in and out at /login/: an account locked after repeated failures (that account only), audit
events, POST-only logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fengkong.accounts.models import SignInLock
from fengkong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_renders_in_chinese_by_default():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert "登录风控系统" in response.content.decode()


def test_correct_password_signs_in_and_is_audited(users):
    client = Client()
    response = attempt(client, "risk_manager", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == users["risk_manager"] and event.after == {"ip": "10.0.0.1"}


def test_wrong_password_is_refused_with_a_clear_message_and_audited(users):
    response = attempt(Client(), "risk_manager", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="risk_manager").count() == 1


def test_sixth_attempt_after_five_failures_is_refused_with_429_even_with_the_right_password(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = Client()
    for _ in range(5):
        assert attempt(client, "collector", "wrong").status_code == 200
    response = attempt(client, "collector", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out", object_id="collector").count() == 2  # start + refusal


def test_lockout_by_username_holds_across_addresses(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        attempt(Client(), "sales", "wrong", ip=f"10.0.1.{n}")
    assert attempt(Client(), "SALES", PASSWORD, ip="10.0.2.9").status_code == 429


def test_one_users_failures_do_not_lock_another_user_out_of_the_same_address(users, settings):
    """Finding 2 of issue 20: five bad passwords for one user locked everyone behind the address."""
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        attempt(Client(), "collector", "wrong", ip="10.9.9.9")
    assert attempt(Client(), "collector", PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt(Client(), "finance", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_lock_is_kept_as_a_row_and_names_its_failures_and_address(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        attempt(Client(), "Sales", "wrong", ip=f"10.0.3.{n}")
    lock = SignInLock.objects.get()
    assert (lock.username, lock.failures, lock.last_ip, lock.is_active()) == ("sales", 3, "10.0.3.2", True)
    event = AuditEvent.objects.get(action="auth.locked_out")
    assert event.actor is None and event.after["failures"] == 3 and event.after["ip"] == "10.0.3.2"


def test_lockout_passes_when_its_period_is_over(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        attempt(Client(), "auditor", "wrong")
    response = attempt(Client(), "auditor", PASSWORD)
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS
    SignInLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))  # what the period's end does
    assert not SignInLock.objects.active().exists()
    assert attempt(Client(), "auditor", PASSWORD).status_code == 302


def test_after_a_lock_has_passed_the_name_starts_with_no_failures(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        attempt(Client(), "auditor", "wrong")
    SignInLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert attempt(Client(), "auditor", "wrong").status_code == 200  # one failure: not locked again
    assert attempt(Client(), "auditor", PASSWORD).status_code == 302


def test_a_very_long_username_is_a_plain_failure_not_an_error(users):
    response = attempt(Client(), "名" * 5000, "x")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert len(event.object_id) == 120 and len(event.after["username"]) == 150


def test_logout_needs_post_and_ends_the_session(users):
    client = Client()
    client.force_login(users["finance"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
