"""What every page promises: a strict CSP, no inline script, nothing fetched from another host, a
working language switch, and the locally served JavaScript."""

from __future__ import annotations

import re

import plotly
import pytest
from django.test import Client
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.integrations.models import ImportBatch

pytestmark = pytest.mark.django_db

URL_ATTR = re.compile(r'\b(?:src|href|action|hx-get|hx-post)\s*=\s*["\']([^"\']*)["\']', re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def every_page(batch_pk: int) -> list[str]:
    return [reverse("login"), reverse("home"), reverse("customer-list"), reverse("customer-detail", args=["C000001"]),
            reverse("import-list"), reverse("import-upload"), reverse("import-detail", args=[batch_pk]),
            reverse("import-list") + "?page=x", "/no-such-page/", reverse("customer-detail", args=["NOPE"])]


@pytest.fixture
def rendered(book, users, sign_in):
    batch = ImportBatch.objects.create(kind="invoices", file_name="x.csv", file_sha256="5" * 64, status="rejected",
                                       actor_name="admin", error_count=1,
                                       errors=[{"row": 2, "column": "到期日", "value": "x", "message": "not a date"}])
    client = sign_in(Role.ADMIN)
    return {url: client.get(url) for url in every_page(batch.pk)}


def test_every_page_sends_a_self_only_content_security_policy(rendered):
    for url, response in rendered.items():
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
        assert "http" not in policy, url


def test_no_page_links_or_loads_anything_from_another_host(rendered):
    for url, response in rendered.items():
        html = response.content.decode()
        for target in URL_ATTR.findall(html):
            assert not re.match(r"^(https?:)?//", target.strip(), re.I), f"{url} refers to {target}"


def test_no_page_has_an_inline_script(rendered):
    for url, response in rendered.items():
        for attrs, body in SCRIPT.findall(response.content.decode()):
            is_data = 'type="application/json"' in attrs
            assert is_data or ("src=" in attrs and not body.strip()), f"inline script on {url}"


def test_htmx_is_served_from_the_django_htmx_package(rendered):
    html = rendered[reverse("home")].content.decode()
    src = re.search(r'<script src="([^"]*htmx[^"]*)"', html).group(1)
    assert src.startswith("/static/django_htmx/")
    assert Client().get(src).status_code == 200


def test_plotly_is_served_locally_with_long_caching(rendered):
    html = rendered[reverse("home")].content.decode()
    src = reverse("plotly-js", args=[plotly.__version__])
    assert f'src="{src}"' in html
    response = Client().get(src)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()


def test_an_unknown_plotly_version_is_not_found():
    assert Client().get(reverse("plotly-js", args=["0.0.0"])).status_code == 404


def test_pages_are_in_chinese_by_default_and_in_english_after_the_switch(book, sign_in):
    client = sign_in(Role.RISK_MANAGER)
    assert "客户" in client.get(reverse("customer-list")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("customer-list")})
    assert response.status_code == 302 and response["Location"] == reverse("customer-list")
    html = client.get(reverse("customer-list")).content.decode()
    assert '<html lang="en">' in html and "All industries" in html and "Manufacturing" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("customer-list")).content.decode()
    assert '<html lang="zh-hans">' in html and "全部行业" in html and "制造业" in html


def test_language_switch_does_not_redirect_to_another_host(users, sign_in):
    response = sign_in(Role.FINANCE).post(reverse("set_language"),
                                          {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_missing_pages_answer_404_with_the_friendly_page(rendered):
    response = rendered["/no-such-page/"]
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_session_and_csrf_cookies_are_httponly_and_samesite(users):
    client = Client()
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "finance", "password": "Correct-horse-9"})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_security_headers_are_set(rendered):
    response = rendered[reverse("home")]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
