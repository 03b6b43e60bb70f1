"""Signatures of the robot webhooks, exactly as their platforms document them.

- DingTalk (钉钉) signed-secret mode: HMAC-SHA256 keyed with the secret over "timestamp\\nsecret"
  (timestamp in milliseconds), base64, URL-encoded, appended to the URL as &timestamp=…&sign=….
- Feishu (飞书) signature check: HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message
  (timestamp in seconds), base64, sent in the JSON body as "timestamp" and "sign".
- Generic: HMAC-SHA256 keyed with the secret over "timestamp.body", hex, in the X-Fengkong-Signature header,
  so a receiver can check both origin and freshness.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value, already URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def generic_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256).hexdigest()
