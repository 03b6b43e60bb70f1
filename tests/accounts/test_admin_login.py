"""The Django admin signs in through the app's own throttled path (issue 20, finding 1): the same
account lock, the same audit, the admin's page and its `next` flow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fengkong.accounts.models import SignInLock
from fengkong.accounts.views import AdminLoginView
from fengkong.core.models import AuditEvent
from fengkong.urls import urlpatterns

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


def admin_attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1", next_url: str | None = None):
    url = reverse("admin:login") + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": password, **({"next": next_url} if next_url else {})}
    return client.post(url, data, REMOTE_ADDR=ip)


def test_six_wrong_passwords_then_the_right_one_at_the_admin_login_is_refused(root, settings):
    """Finding 1 of issue 20: this let the superuser in while /login/ was locked."""
    settings.LOGIN_FAILURE_LIMIT = 5
    client = Client()
    for _ in range(6):
        assert admin_attempt(client, "root", "wrong").status_code in {200, 429}
    response = admin_attempt(client, "root", PASSWORD)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInLock.objects.active().filter(username="root").exists()


def test_failures_at_the_app_login_lock_the_admin_login_too(root, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        Client().post(reverse("login"), {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    assert admin_attempt(Client(), "root", PASSWORD).status_code == 429


def test_the_admin_login_signs_a_superuser_in_to_next_and_audits_it(root):
    client = Client()
    response = admin_attempt(client, "root", PASSWORD, next_url="/admin/accounts/portfolio/")
    assert response.status_code == 302 and response["Location"] == "/admin/accounts/portfolio/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.get(action="auth.login").actor == root


def test_without_next_the_admin_login_goes_to_the_admins_index(root):
    response = admin_attempt(Client(), "root", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_a_wrong_admin_password_is_audited_and_shows_the_admins_page(root):
    response = admin_attempt(Client(), "root", "wrong")
    assert response.status_code == 200
    assert 'id="login-form"' in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="root").count() == 1


def test_the_admin_sends_a_visitor_to_its_login_page_which_renders(db):
    response = Client().get("/admin/accounts/portfolio/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    page = Client().get(response["Location"])
    assert page.status_code == 200 and 'name="next" value="/admin/accounts/portfolio/"' in page.content.decode()


def test_signed_in_staff_asking_for_the_admin_login_go_to_the_index(root):
    client = Client()
    client.force_login(root)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_a_user_without_staff_status_is_refused_by_the_admin_but_not_locked_for_it(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(3):
        response = admin_attempt(client, "collector", PASSWORD)
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not SignInLock.objects.exists()  # the password was right: no guessing to stop
    assert Client().post(reverse("login"), {"username": "collector", "password": PASSWORD}).status_code == 302


def test_there_is_no_other_admin_sign_in_than_the_throttled_one():
    admin_urls = next(p for p in urlpatterns if str(p.pattern) == "admin/")
    logins = [p for p in admin_urls.url_patterns if str(p.pattern) == "login/"]
    assert [p.callback.view_class for p in logins] == [AdminLoginView]
