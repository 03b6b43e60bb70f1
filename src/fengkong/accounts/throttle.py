"""Counting failed ways in, in the Django cache: per account (a user name, a token's prefix) and per
address, each on its own counter, so that one account's failures never lock another's (accounts.signin
decides what a count means).

Design decisions:
- The cache is shared by every web process when REDIS_URL is set (increments and `add` are atomic
  there); the file cache of the embedded default serves one machine.
- An account's counter starts its window at its first failure (LOGIN_LOCKOUT_SECONDS); an address's
  window slides: every failure keeps it for another period, so a steady spray stays slowed.
- Past its limit an address is *slowed*, not locked: one attempt may go through per wait, claimed with
  `cache.add` so that parallel attempts cannot all slip through the same gap, and the wait doubles with
  every further failure up to LOGIN_ADDRESS_MAX_DELAY_SECONDS.
- User names are hashed into the key (any length or script is a safe key) and compared case-insensitively,
  so "Alice" and "alice" share one counter.
- The address is the socket address (REMOTE_ADDR); a proxy's X-Forwarded-For is not trusted here. An IPv6
  address counts by its /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def address_of(ip: str) -> str:
    """The address a failure is counted against: the IP itself, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def normalised(username: str) -> str:
    return username.strip().lower()


def account_key(kind: str, name: str) -> str:
    digest = hashlib.sha256(normalised(name).encode()).hexdigest()[:32]
    return f"failures:{kind}:{digest}"


def address_key(kind: str, ip: str) -> str:
    return f"failures:{kind}-address:{address_of(ip)}"


def count_failure(key: str, *, sliding: bool) -> int:
    """Add one failure to the counter at `key`; the count within its window."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
        cache.set(key, count, timeout=window)
    if sliding:
        cache.touch(key, timeout=window)
    return count


def failures(key: str) -> int:
    return cache.get(key) or 0


def forget(key: str) -> None:
    cache.delete(key)


def address_delay(count: int, limit: int | None = None) -> int:
    """Seconds between attempts with `count` failures: none below the limit (LOGIN_ADDRESS_FAILURE_LIMIT
    unless given), then 1, 2, 4, … doubling with each failure, up to LOGIN_ADDRESS_MAX_DELAY_SECONDS."""
    over = count - (settings.LOGIN_ADDRESS_FAILURE_LIMIT if limit is None else limit)
    if over < 0:
        return 0
    return min(settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS, 2 ** min(over, 30))


def claim_attempt(kind: str, ip: str) -> int:
    """May an attempt from `ip` go ahead? 0 if so (below the limit, or this attempt took the one turn of
    the current wait); otherwise the seconds until the next turn (for Retry-After)."""
    delay = address_delay(failures(address_key(kind, ip)))
    if not delay:
        return 0
    turn = f"turn:{kind}-address:{address_of(ip)}"
    if cache.add(turn, time.time() + delay, timeout=delay):
        return 0
    return wait_for(turn)


def make_wait(kind: str, ip: str, count: int) -> int:
    """After a failure that left the address at `count`: its next attempt waits; the seconds, 0 if none."""
    delay = address_delay(count)
    if delay:
        cache.set(f"turn:{kind}-address:{address_of(ip)}", time.time() + delay, timeout=delay)
    return delay


def wait_for(turn: str) -> int:
    until = cache.get(turn)
    return max(1, math.ceil(until - time.time())) if until else 1
