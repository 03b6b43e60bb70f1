"""Login throttling: after LOGIN_FAILURE_LIMIT failures for one username or one IP address within
LOGIN_LOCKOUT_SECONDS, further attempts are refused until the lockout passes.

Design decisions:
- Counters live in the Django cache (shared by all web processes when REDIS_URL is set); a counter
  starts its window at the first failure, and reaching the limit restarts the window so the lockout
  lasts the full period from the last counted failure.
- Usernames are hashed into the key (any length or script is safe as a cache key) and compared
  case-insensitively, so "Alice" and "alice" share one counter.
- The IP is the socket address (REMOTE_ADDR); a proxy's X-Forwarded-For is not trusted here.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str, ip: str) -> list[str]:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-failures:user:{digest}", f"login-failures:ip:{ip}"]


def is_locked_out(username: str, ip: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(username, ip))


def note_failure(username: str, ip: str) -> bool:
    """Count one failed attempt; True when this failure starts a lockout."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    locked = False
    for key in _keys(username, ip):
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1
            cache.set(key, count, timeout=window)
        if count >= settings.LOGIN_FAILURE_LIMIT:
            cache.touch(key, timeout=window)
            locked = locked or count == settings.LOGIN_FAILURE_LIMIT
    return locked


def forget_failures(username: str) -> None:
    """A successful login clears its username's counter (the IP's stays, against password spraying)."""
    cache.delete(_keys(username, "")[0])
