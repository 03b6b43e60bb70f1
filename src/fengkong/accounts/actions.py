"""State changes of accounts, one function each: API tokens issued and revoked.

Each takes a keyword-only `actor`, checks the actor's permission inside, and writes its change and audit
event in one transaction. The actor is a user, who needs the permission (`accounts.add_apitoken`,
`accounts.change_apitoken`: the Django admin's own), or the operator at the command line, named by
`core.console.cli_actor()`, who acts with the authority of the shell (`fengkong token`). Checking a
presented key and finding tokens are reads, in accounts.tokens.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fengkong.core.audit import record
from fengkong.core.permissions import require

from .exceptions import TokenError
from .models import ApiToken

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


def _require(actor, perm: str) -> None:
    """A user needs `perm`; the command line's operator (a name, core.console.cli_actor) has the shell's."""
    if not isinstance(actor, str):
        require(actor, perm)


def _audited(token: ApiToken) -> dict:
    return {"user": token.user.username, "name": token.name, "prefix": token.prefix,
            "expires_at": token.expires_at, "revoked_at": token.revoked_at}
