"""Webhooks against a real local HTTP receiver: generic JSON and the WeCom, DingTalk and Feishu robots."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from fengkong.notifications import outbox
from fengkong.notifications.channels import webhooks
from fengkong.notifications.choices import Audience, DeliveryStatus, Template, WebhookKind
from fengkong.notifications.exceptions import DeliveryError
from fengkong.notifications.models import Delivery, WebhookChannel
from fengkong.notifications.rendering import Message

pytestmark = pytest.mark.django_db


def channel(kind, url, **extra):
    return WebhookChannel.objects.create(name=extra.pop("name", kind), kind=kind, url=url,
                                         audiences=extra.pop("audiences", "collector,manager"), **extra)


def notify_and_send(alert, overdue, template=Template.COLLECTOR_NOTICE, audience=Audience.COLLECTOR):
    outbox.notify(alert=alert, audience=audience, template=template, context={"invoices": overdue})
    return outbox.send_due()


def test_the_generic_webhook_posts_the_alert_fields_as_json(receiver, alert, overdue, monkeypatch):
    rec = receiver()
    monkeypatch.setenv("FK_GENERIC_SECRET", "s3cret")
    channel(WebhookKind.GENERIC, rec.url(), secret_env="FK_GENERIC_SECRET")
    assert notify_and_send(alert, overdue)["sent"] == 1

    [got] = rec.requests
    payload = got.json()
    assert payload["alert"]["id"] == alert.pk and payload["alert"]["level"] == "attention"
    assert payload["alert"]["dedup_key"] == alert.dedup_key and payload["alert"]["as_of"] == "2026-11-28"
    assert payload["customer"]["code"] == "C000001" and payload["template"] == "collector_notice"
    assert "AR0002" in payload["text"]
    timestamp = got.headers["X-Fengkong-Timestamp"]
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Fengkong-Signature"] == f"sha256={expected}"


def test_the_wecom_robot_gets_markdown_and_its_url_token_comes_from_the_environment(
        receiver, alert, overdue, monkeypatch):
    rec = receiver(answer=b'{"errcode":0,"errmsg":"ok"}')
    monkeypatch.setenv("FK_WECOM_KEY", "key-123")
    channel(WebhookKind.WECOM, rec.url("/cgi-bin/webhook/send?key=${FK_WECOM_KEY}"))
    assert notify_and_send(alert, overdue)["sent"] == 1

    [got] = rec.requests
    assert got.path == "/cgi-bin/webhook/send?key=key-123"
    payload = got.json()
    assert payload["msgtype"] == "markdown"
    assert "AR0002" in payload["markdown"]["content"] and "C000001" in payload["markdown"]["content"]
    assert "key-123" not in str(Delivery.objects.get().message)


def test_the_dingtalk_robot_gets_markdown_signed_with_the_secret_it_can_verify(receiver, alert, overdue,
                                                                                monkeypatch):
    rec = receiver(answer=b'{"errcode":0,"errmsg":"ok"}')
    monkeypatch.setenv("FK_DINGTALK_SECRET", "SECxyz")
    channel(WebhookKind.DINGTALK, rec.url("/robot/send?access_token=tok"), secret_env="FK_DINGTALK_SECRET")
    assert notify_and_send(alert, overdue)["sent"] == 1

    [got] = rec.requests
    query = parse_qs(urlsplit(got.path).query)
    assert query["access_token"] == ["tok"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECxyz", f"{timestamp}\nSECxyz".encode(), hashlib.sha256).digest())
    assert sign == expected.decode()  # parse_qs has undone the URL-encoding
    assert "%" in got.path.split("sign=")[1] or unquote(got.path.split("sign=")[1]) == sign
    payload = got.json()
    assert payload["msgtype"] == "markdown" and payload["markdown"]["title"].startswith("【关注】")
    assert "AR0002" in payload["markdown"]["text"]


def test_the_feishu_bot_gets_a_card_with_its_signature_in_the_body(receiver, alert, overdue, monkeypatch):
    rec = receiver(answer=b'{"code":0,"msg":"success","data":{}}')
    monkeypatch.setenv("FK_FEISHU_SECRET", "feishu-secret")
    channel(WebhookKind.FEISHU, rec.url("/open-apis/bot/v2/hook/abc"), secret_env="FK_FEISHU_SECRET")
    assert notify_and_send(alert, overdue)["sent"] == 1

    payload = rec.requests[0].json()
    key = f"{payload['timestamp']}\nfeishu-secret".encode()
    assert payload["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert payload["msg_type"] == "interactive"
    assert payload["card"]["header"]["template"] == "yellow"
    assert "AR0002" in payload["card"]["elements"][0]["text"]["content"]


def test_a_robot_error_code_is_a_failure_even_with_http_200(receiver):
    rec = receiver(answer=b'{"errcode":310000,"errmsg":"sign not match"}')
    message = Message(subject="s", text="t", html="<p>t</p>", markdown="m")
    with pytest.raises(DeliveryError, match="310000 sign not match"):
        webhooks.post(WebhookKind.DINGTALK, rec.url(), "", message)
    with pytest.raises(DeliveryError, match="9499"):
        webhooks.post(WebhookKind.FEISHU, receiver(answer=b'{"code":9499,"msg":"Bad Request"}').url(), "", message)


def test_a_channel_only_gets_its_audiences_from_its_lowest_level_up(receiver, alert, overdue):
    legal = channel(WebhookKind.GENERIC, receiver().url(), name="legal", audiences="legal")
    danger_only = channel(WebhookKind.GENERIC, receiver().url(), name="danger", audiences="collector",
                          min_level="danger")
    inactive = channel(WebhookKind.GENERIC, receiver().url(), name="off", audiences="collector", active=False)
    serving = channel(WebhookKind.GENERIC, receiver().url(), name="on", audiences="collector")
    assert outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                         context={"invoices": overdue}) == 1
    assert list(Delivery.objects.values_list("webhook", flat=True)) == [serving.pk]
    assert not Delivery.objects.filter(webhook__in=[legal, danger_only, inactive]).exists()


@pytest.mark.parametrize("url", ["ftp://robot.example/hook", "file:///etc/passwd", "javascript:alert(1)",
                                 "//robot.example/hook", "robot.example/hook"])
def test_a_webhook_with_a_non_http_url_is_refused(url):
    with pytest.raises(ValidationError):
        WebhookChannel.objects.create(name="bad", kind=WebhookKind.GENERIC, url=url)
    assert not WebhookChannel.objects.exists()


def test_the_database_refuses_a_non_http_url_written_around_the_model():
    with pytest.raises(IntegrityError):
        WebhookChannel.objects.bulk_create([WebhookChannel(name="bad", url="ftp://robot.example/hook")])


def test_a_missing_secret_variable_fails_the_delivery_without_leaking_anything(receiver, alert, overdue,
                                                                                monkeypatch):
    monkeypatch.delenv("FK_UNSET_SECRET", raising=False)
    rec = receiver()
    channel(WebhookKind.DINGTALK, rec.url(), secret_env="FK_UNSET_SECRET")
    assert notify_and_send(alert, overdue)["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "FK_UNSET_SECRET" in delivery.last_error and not rec.requests
