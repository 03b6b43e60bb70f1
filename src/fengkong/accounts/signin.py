"""The one way in: every password sign-in (the app's /login/ and the admin's /admin/login/, both
accounts.views) and every API token presented (fengkong.api.auth) is judged, counted and audited here.

Design decisions:
- **By account and by address, separately.** LOGIN_FAILURE_LIMIT failures for one user name within
  LOGIN_LOCKOUT_SECONDS lock that name alone (a SignInLock row, which an administrator sees and may lift;
  it expires by itself); the right password is refused while it holds. Colleagues signing in from the
  same address are not affected.
- **An address is slowed, never locked.** Past LOGIN_ADDRESS_FAILURE_LIMIT failures (across every name)
  an address gets one attempt per wait, 429 with Retry-After in between, the wait doubling with each
  further failure up to LOGIN_ADDRESS_MAX_DELAY_SECONDS: password spraying from one address crawls, a
  colleague behind the same NAT signs in after a short wait.
- **Tokens** are 256-bit keys nobody guesses, so a valid key is always let in; failures are counted per
  address and per visible prefix (the key's 8 characters after ``fk_``), and past the limits a wrong
  key is answered 429 with Retry-After instead of 401, telling a misconfigured client to back off.
- **Audit without a flood**: each failed or refused password attempt is an event (`auth.login_failed`,
  `auth.locked_out`); attempts turned away while an address waits are not (one `auth.address_throttled`
  when the address passes its limit says it), nor are wrong tokens (one `auth.token_throttled` per prefix).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengkong.core.audit import record

from . import throttle
from .actions import lock_account
from .models import SignInLock
from .tokens import KEY_SHAPE

USERNAME_MAX = 150
OBJECT_ID_MAX = 120  # AuditEvent.object_id
SIGN_IN, TOKEN = "sign-in", "token"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is turned away before it is judged, and when to come back (Retry-After)."""

    message: str
    retry_after: int


def attempted_name(request) -> str:
    """The user name as typed, shortened to fit; a NUL (which PostgreSQL cannot store) shown as U+FFFD."""
    return request.POST.get("username", "")[:USERNAME_MAX].replace("\x00", "\ufffd")


def refusal(request, username: str) -> Refusal | None:
    """Before checking a password: None to go ahead, or the refusal (address waiting, account locked)."""
    ip = throttle.client_ip(request)
    wait = throttle.claim_attempt(SIGN_IN, ip)
    if wait:
        return Refusal(slowed_message(wait), wait)
    lock = SignInLock.objects.active().filter(username=throttle.normalised(username)[:150]).first()
    if lock is None:
        return None
    record_attempt("auth.locked_out", username, ip)
    address_failed(SIGN_IN, ip)
    remaining = max(1, math.ceil((lock.locked_until - timezone.now()).total_seconds()))
    return Refusal(locked_message(remaining), remaining)


def failed(request, username: str, *, password_right: bool = False) -> None:
    """A password attempt failed: audit it, count it for the address and, unless the password was right
    but the user may not sign in here (the admin without staff status), for the account."""
    ip = throttle.client_ip(request)
    record_attempt("auth.login_failed", username, ip)
    address_failed(SIGN_IN, ip)
    if password_right:
        return
    key = throttle.account_key("user", username)
    count = throttle.count_failure(key, sliding=False)
    if count >= settings.LOGIN_FAILURE_LIMIT:
        throttle.forget(key)  # the lock holds from here; after it the name starts afresh
        lock_account(username=username, failures=count, ip=ip)


def succeeded(request, user) -> None:
    """A successful sign-in clears its account's failures (the address's stay, against password spraying)."""
    throttle.forget(throttle.account_key("user", user.get_username()))
    record(user, "auth.login", "user", user.pk, after={"ip": throttle.client_ip(request)})


def token_failed(request, key: str) -> int:
    """A presented API key was refused: count it; the seconds for Retry-After when its address or its
    prefix is past the limit (answer 429), else 0 (answer 401)."""
    ip = throttle.client_ip(request)
    wait = throttle.address_delay(address_failed(TOKEN, ip))
    if KEY_SHAPE.match(key):
        prefix = key[3:11]
        count = throttle.count_failure(f"failures:token:{prefix}", sliding=False)
        if count == settings.LOGIN_FAILURE_LIMIT:
            record(None, "auth.token_throttled", "accounts.apitoken", prefix, after={"prefix": prefix, "ip": ip})
        wait = max(wait, throttle.address_delay(count, settings.LOGIN_FAILURE_LIMIT))
    return wait


def address_failed(kind: str, ip: str) -> int:
    """Count a failure against the address; audit the moment it passes its limit; the count."""
    count = throttle.count_failure(throttle.address_key(kind, ip), sliding=True)
    if count == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        address = throttle.address_of(ip)
        record(None, "auth.address_throttled", "address", address,
               after={"address": address, "ip": ip, "way": kind, "failures": count})
    if kind == SIGN_IN:
        throttle.make_wait(kind, ip, count)
    return count


def record_attempt(action: str, username: str, ip: str) -> None:
    """Audit a refused or failed sign-in: the attempted name (as typed, shortened to fit) and the address."""
    record(None, action, "user", username[:OBJECT_ID_MAX], after={"username": username, "ip": ip})


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("Too many failed sign-in attempts. For your security, sign-in is blocked for %(minutes)d "
             "minutes. Try again later or ask your administrator.") % {"minutes": minutes}


def slowed_message(seconds: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts from your network. Wait %(seconds)d second, then sign in again.",
        "Too many failed sign-in attempts from your network. Wait %(seconds)d seconds, then sign in again.",
        seconds) % {"seconds": seconds}


def token_slowed_message(seconds: int) -> str:
    return ngettext(
        "Too many failed API token attempts. Wait %(seconds)d second before trying again.",
        "Too many failed API token attempts. Wait %(seconds)d seconds before trying again.",
        seconds) % {"seconds": seconds}
