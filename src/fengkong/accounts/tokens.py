"""API tokens for machine clients: checking a presented key, finding tokens (issuing and revoking them
are actions, accounts.actions).

Design decisions:
- The key (``fk_`` + 43 url-safe characters) is shown once, when it is created; only its SHA-256 is
  stored (``ApiToken.digest``). A lost key is revoked and replaced, never recovered.
- A presented key is first checked for shape, so garbage never reaches the database, then looked up by
  its 8-character prefix among *active* tokens and compared with ``hmac.compare_digest``.
- ``last_used_at`` is written at most once a minute per token, by a conditional UPDATE, so a busy
  client does not turn every read into a write (and concurrent requests do not race).
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .models import ApiToken

KEY_SHAPE = re.compile(r"^fk_[A-Za-z0-9_-]{43}$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_key(key: str):
    """The active user a presented key belongs to, or None (unknown, revoked, expired, inactive user)."""
    if not isinstance(key, str) or not KEY_SHAPE.match(key):
        return None
    digest = ApiToken.digest(key)
    candidates = ApiToken.objects.active().filter(prefix=key[3:11]).select_related("user")
    token = next((t for t in candidates if hmac.compare_digest(t.key_hash, digest)), None)
    if token is None or not token.user.is_active:
        return None
    mark_used(token)
    return token.user


def mark_used(token: ApiToken) -> None:
    """Record the token's use, at most once per LAST_USED_RESOLUTION: most requests write nothing, so a
    busy client does not take the database's write lock on every call."""
    now = timezone.now()
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(pk=token.pk).filter(stale).update(last_used_at=now)


def tokens_by_prefix(prefix: str):
    return ApiToken.objects.filter(prefix=prefix.removeprefix("fk_")[:8]).select_related("user")

