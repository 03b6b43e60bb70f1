"""API tokens for machine clients: issuing, revoking and checking a presented key.

Design decisions:
- The key (``fk_`` + 43 url-safe characters) is shown once, when it is created; only its SHA-256 is
  stored (``ApiToken.digest``). A lost key is revoked and replaced, never recovered.
- A presented key is first checked for shape, so garbage never reaches the database, then looked up by
  its 8-character prefix among *active* tokens and compared with ``hmac.compare_digest``.
- ``last_used_at`` is written at most once a minute per token, by a conditional UPDATE, so a busy
  client does not turn every read into a write (and concurrent requests do not race).
- Creating and revoking are actions: keyword-only ``actor``, one transaction, one audit event.
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fengkong.core.audit import record

from .models import ApiToken

KEY_SHAPE = re.compile(r"^fk_[A-Za-z0-9_-]{43}$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_DAYS = 3650


class TokenError(ValueError):
    """A token request a credit manager can fix (bad name, bad lifetime, already revoked)."""


def create_token(*, actor, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the token and the key, which is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise TokenError("A token needs a name of 1 to 80 characters (e.g. the client system).")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lives between 1 and {MAX_DAYS} days; {days} is out of range.")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    with transaction.atomic():
        token, key = ApiToken.issue(user, name, expires_at=expires_at)
        record(actor, "api_token.create", "accounts.apitoken", token.pk, after=_audited(token))
    return token, key


def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke `token` at once; later requests with its key get 401."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenError(f"Token {token.prefix}… was already revoked on {token.revoked_at:%Y-%m-%d}.")
        before = _audited(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "api_token.revoke", "accounts.apitoken", token.pk, before=before, after=_audited(token))
    return token


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


def _audited(token: ApiToken) -> dict:
    return {"user": token.user.username, "name": token.name, "prefix": token.prefix,
            "expires_at": token.expires_at, "revoked_at": token.revoked_at}
