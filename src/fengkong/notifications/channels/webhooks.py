"""Webhooks: generic JSON, and the robot formats of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).

Design decisions:
- Plain `urllib.request` with a short timeout: no HTTP dependency for four small POSTs. Redirects are not
  followed (a robot that redirects is misconfigured, and a POST must not turn into a GET elsewhere).
- A delivery fails on a non-2xx status, on a network error, and on the robots' own error codes (WeCom and
  DingTalk answer 200 with {"errcode": N}, Feishu with {"code": N}).
- Secrets live in the environment: a channel names the variable (`secret_env`), and its URL may contain
  ${VAR} placeholders for access tokens, so neither the database nor the delivery log ever holds them.
  Error messages never include the URL.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from ..choices import LEVEL_COLOURS, WebhookKind, level_name
from ..exceptions import DeliveryError
from ..rendering import Message
from ..signing import dingtalk_sign, feishu_sign, generic_signature

TIMEOUT_SECONDS = 10
MAX_RESPONSE = 64 * 1024


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict


def build(kind: str, url: str, secret: str, message: Message, *, now: float | None = None) -> Request:
    """The HTTP request a channel of `kind` sends for `message` (signed with `secret` if there is one)."""
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Fengkong-notifications"}
    if kind == WebhookKind.WECOM:
        payload = {"msgtype": "markdown", "markdown": {"content": message.markdown}}
    elif kind == WebhookKind.DINGTALK:
        payload = {"msgtype": "markdown", "markdown": {"title": message.subject[:60], "text": message.markdown}}
        if secret:
            timestamp = int(now * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    elif kind == WebhookKind.FEISHU:
        payload = _feishu(message)
        if secret:
            timestamp = int(now)
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload}
    else:
        payload = {"event": "alert", "subject": message.subject, "text": message.text,
                   "level": level_name(message.level), **message.data}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if kind == WebhookKind.GENERIC and secret:
        timestamp = int(now)
        headers["X-Fengkong-Timestamp"] = str(timestamp)
        headers["X-Fengkong-Signature"] = generic_signature(secret, timestamp, body)
    return Request(url, body, headers)


def _feishu(message: Message) -> dict:
    return {"msg_type": "interactive", "card": {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.subject[:100]},
                   "template": LEVEL_COLOURS[level_name(message.level)]},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": message.markdown}}],
    }}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(kind: str, url: str, secret: str, message: Message, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Send one message; raise DeliveryError if the receiver did not accept it."""
    request = build(kind, url, secret, message)
    http = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with _opener.open(http, timeout=timeout) as response:
            status, raw = response.status, response.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {_snippet(exc.read(2000))}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"cannot reach the webhook: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}: {_snippet(raw)}")
    _check_robot_answer(kind, raw)


def _check_robot_answer(kind: str, raw: bytes) -> None:
    if kind == WebhookKind.GENERIC:
        return
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise DeliveryError(f"the robot answered something that is not JSON: {_snippet(raw)}") from None
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0", None):
        why = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError(f"the robot refused the message: code {code} {why}".strip())


def _snippet(raw: bytes) -> str:
    return raw[:300].decode("utf-8", errors="replace").strip()


def send(delivery) -> None:
    channel = delivery.webhook
    if channel is None:
        raise DeliveryError("the webhook channel was deleted")
    post(channel.kind, channel.target_url(), channel.secret(), Message.from_json(delivery.message))
