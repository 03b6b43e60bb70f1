"""State changes of accounts, one function each: API tokens issued and revoked, sign-in locks set (by
the sign-in throttle, accounts.signin) and lifted (by an administrator).

Each takes a keyword-only `actor`, checks the actor's permission inside, and writes its change and audit
event in one transaction. The actor is a user, who needs the permission (`accounts.add_apitoken`,
`accounts.change_apitoken`: the Django admin's own), or the operator at the command line, named by
`core.console.cli_actor()`, who acts with the authority of the shell (`fengkong token`). Checking a
presented key and finding tokens are reads, in accounts.tokens.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.permissions import require

from . import throttle
from .exceptions import SignInLockError, TokenError
from .models import ApiToken, SignInLock

MAX_DAYS = 3650


def create_token(*, actor, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the token and the key, which is never shown again."""
    _require(actor, "accounts.add_apitoken")
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
    """Revoke `token` at once; later requests with its key get 401. The row is locked, so two people
    revoking it at once record one revocation and the other is told it was already revoked."""
    _require(actor, "accounts.change_apitoken")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenError(f"Token {token.prefix}… was already revoked on {token.revoked_at:%Y-%m-%d}.")
        before = _audited(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "api_token.revoke", "accounts.apitoken", token.pk, before=before, after=_audited(token))
    return token


def lock_account(*, actor=None, username: str, failures: int, ip: str) -> SignInLock:
    """Lock sign-in to `username` for LOGIN_LOCKOUT_SECONDS after `failures` failed attempts, the last
    from `ip`. The actor is None: the sign-in throttle acts on its own. A name is locked whether or not
    such a user exists, so the lock tells nobody which names are real."""
    name = throttle.normalised(username)[:150]
    now = timezone.now()
    until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    fields = {"locked_at": now, "locked_until": until, "failures": failures, "last_ip": ip[:45],
              "lifted_at": None, "lifted_by": None}
    with transaction.atomic():
        lock, _created = SignInLock.objects.select_for_update().update_or_create(username=name, defaults=fields)
        record(actor, "auth.locked_out", "user", name[:120],
               after={"username": username, "ip": ip, "failures": failures, "locked_until": until})
    return lock


def lift_sign_in_lock(*, actor, lock: SignInLock) -> SignInLock:
    """Lift a lock in force at once: the user may sign in again and starts with no failures counted.
    The row is locked, so two administrators lifting it at once record one lift."""
    _require(actor, "accounts.lift_signinlock")
    with transaction.atomic():
        lock = SignInLock.objects.select_for_update().get(pk=lock.pk)
        if not lock.is_active():
            raise SignInLockError(_("The lock on %(username)s is no longer in force.") % {"username": lock.username})
        before = _lock_audited(lock)
        lock.lifted_at = timezone.now()
        lock.lifted_by = None if isinstance(actor, str) else actor
        lock.save(update_fields=["lifted_at", "lifted_by"])
        record(actor, "auth.lock_lifted", "user", lock.username[:120], before=before, after=_lock_audited(lock))
        username = lock.username
        transaction.on_commit(lambda: throttle.forget(throttle.account_key("user", username)))
    return lock


def _lock_audited(lock: SignInLock) -> dict:
    return {"username": lock.username, "locked_until": lock.locked_until, "failures": lock.failures,
            "last_ip": lock.last_ip, "lifted_at": lock.lifted_at}


def _require(actor, perm: str) -> None:
    """A user needs `perm`; the command line's operator (a name, core.console.cli_actor) has the shell's."""
    if not isinstance(actor, str):
        require(actor, perm)


def _audited(token: ApiToken) -> dict:
    return {"user": token.user.username, "name": token.name, "prefix": token.prefix,
            "expires_at": token.expires_at, "revoked_at": token.revoked_at}
