"""The in-app inbox page at /inbox/: own messages only, the unread badge, mark read and mark all read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fengkong.notifications.models import InboxMessage

from .conftest import make_alert

pytestmark = pytest.mark.django_db
INBOX = "/inbox/"
URL_ATTR = re.compile(r'\b(?:src|href|action|hx-get|hx-post)\s*=\s*["\']([^"\']*)["\']', re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def message(user, title: str, alert=None, read: bool = False, minutes_ago: int = 0, template="collector_notice"):
    now = timezone.now()
    return InboxMessage.objects.create(user=user, alert=alert, template=template, level="attention", title=title,
                                       body=f"{title} body", created_at=now - timedelta(minutes=minutes_ago),
                                       read_at=now if read else None)


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-message="(\d+)"', response.content.decode())]


@pytest.fixture
def messages(users, book):
    alert = make_alert(book["customers"][0])
    collector = users["collector"]
    return {
        "old": message(collector, "Old and read", read=True, minutes_ago=60),
        "alert": message(collector, "About an alert", alert=alert, minutes_ago=10),
        "new": message(collector, "Newest", minutes_ago=1),
        "foreign": message(users["risk_manager"], "Someone else's secret"),
        "alert_obj": alert,
    }


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_user_sees_only_their_own_messages_newest_first(messages, sign_in):
    response = sign_in("collector").get(INBOX)
    assert response.status_code == 200
    assert rows(response) == [messages["new"].pk, messages["alert"].pk, messages["old"].pk]
    body = response.content.decode()
    assert "Someone else&#x27;s secret" not in body and "Someone else's secret" not in body


def test_a_user_without_a_role_has_an_empty_inbox(messages, sign_in):
    response = sign_in("nobody").get(INBOX)
    assert response.status_code == 200 and rows(response) == []


def test_unread_messages_are_bold_and_link_to_their_alert(messages, sign_in):
    body = sign_in("collector").get(INBOX).content.decode()
    assert f'<strong><a href="/monitoring/alerts/{messages["alert_obj"].pk}/">About an alert</a></strong>' in body
    assert "<strong>Newest</strong>" in body
    assert "<strong>Old and read</strong>" not in body and "Old and read" in body


def test_the_unread_filter(messages, sign_in):
    client = sign_in("collector")
    assert rows(client.get(INBOX, {"show": "unread"})) == [messages["new"].pk, messages["alert"].pk]
    assert len(rows(client.get(INBOX, {"show": "nonsense", "page": "-3"}))) == 3


def test_pagination_at_fifty(users, sign_in):
    for i in range(51):
        message(users["finance"], f"note {i}", minutes_ago=i, template=f"t{i}")
    client = sign_in("finance")
    assert len(rows(client.get(INBOX))) == 50
    assert len(rows(client.get(INBOX, {"page": "2"}))) == 1


def test_the_navigation_badge_counts_unread_messages(messages, sign_in):
    response = sign_in("collector").get("/")
    assert response.context["inbox_unread"] == 2
    body = response.content.decode()
    assert re.search(r'id="inbox-badge"><span class="badge[^"]*"[^>]*>2<', body)
    other = sign_in("finance").get("/").content.decode()
    assert '<span id="inbox-badge"></span>' in other


def test_the_badge_costs_one_count_query_and_only_when_shown(messages, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from fengkong.web.context import navigation

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert "inbox_unread" not in navigation(request)
    request.user = messages["new"].user
    context = navigation(request)
    with django_assert_num_queries(1):  # lazy: counted only when a template shows the badge
        assert str(context["inbox_unread"]) == "2"
        assert context["inbox_unread"] == 2


def test_mark_read(messages, sign_in):
    client = sign_in("collector")
    response = client.post(f"/inbox/{messages['new'].pk}/read/", {"query": "show=unread"})
    assert response.status_code == 302 and response.url == "/inbox/?show=unread"
    messages["new"].refresh_from_db()
    assert messages["new"].is_read
    assert InboxMessage.objects.unread_count(messages["new"].user) == 1


def test_marking_another_users_message_changes_nothing(messages, sign_in):
    client = sign_in("collector")
    response = client.post(f"/inbox/{messages['foreign'].pk}/read/")
    assert response.status_code == 302
    messages["foreign"].refresh_from_db()
    assert not messages["foreign"].is_read
    assert "Someone else" not in client.get(response.url).content.decode()


def test_mark_all_read_touches_only_the_users_own(messages, sign_in):
    client = sign_in("collector")
    response = client.post("/inbox/read/")
    assert response.status_code == 302 and response.url.startswith("/inbox/")
    assert InboxMessage.objects.unread_count(messages["new"].user) == 0
    assert InboxMessage.objects.unread_count(messages["foreign"].user) == 1


def test_mark_read_through_htmx_swaps_the_list_and_the_badge(messages, sign_in):
    client = sign_in("collector")
    response = client.post(f"/inbox/{messages['alert'].pk}/read/", {"query": "show=all"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="inbox-table"' in body
    assert 'id="inbox-badge" hx-swap-oob="true"' in body and ">1<" in body
    response = client.post("/inbox/read/", {"query": "show=unread"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="inbox-badge" hx-swap-oob="true"></span>' in body and rows(response) == []


def test_the_redirect_never_leaves_the_site(messages, sign_in):
    response = sign_in("collector").post("/inbox/read/", {"query": "next=https://evil.example/&show=//evil"})
    assert response.url == "/inbox/?show=all"


def test_get_is_not_allowed_on_the_actions(messages, sign_in):
    client = sign_in("collector")
    assert client.get("/inbox/read/").status_code == 405
    assert client.get(f"/inbox/{messages['new'].pk}/read/").status_code == 405


def test_csrf_is_required(messages, users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["collector"])
    assert client.post("/inbox/read/").status_code == 403
    assert InboxMessage.objects.unread_count(users["collector"]) == 2


def test_no_external_urls_and_no_inline_script(messages, sign_in):
    client = sign_in("collector")
    for url in [INBOX, f"{INBOX}?show=unread"]:
        response = client.get(url)
        body = response.content.decode()
        for target in URL_ATTR.findall(body):
            assert not re.match(r"^(https?:)?//", target.strip(), re.I), f"{url} refers to {target}"
        for attrs, script in SCRIPT.findall(body):
            assert "src=" in attrs and not script.strip(), f"inline script on {url}"


def test_the_page_is_translated(messages, sign_in):
    client = sign_in("collector")
    client.cookies["django_language"] = "zh-hans"
    body = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "标为已读" in body and "共 3 条消息" in body
