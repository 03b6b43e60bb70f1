"""`fengkong token create|list|revoke`: API tokens for machine clients (see docs/api.md)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from fengkong.core.console import cli_actor, console, user_or_system, when

from .actions import create_token, revoke_token
from .exceptions import TokenError
from .models import ApiToken
from .tokens import tokens_by_prefix


@click.group()
def token() -> None:
    """API tokens for machine clients (see docs/api.md)."""


@token.command("create")
@click.option("--user", "username", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. the client system.")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expire after D days (default never).")
def token_create(username: str, name: str, days: int | None) -> None:
    """Create a token and print its key once; only its hash is kept."""
    try:
        created, key = create_token(actor=cli_actor(), user=user_or_system(username), name=name, days=days)
    except TokenError as exc:
        raise click.UsageError(str(exc)) from None
    expiry = f"expires {when(created.expires_at)}" if created.expires_at else "does not expire"
    console.print(f"Token {created.prefix}… for {username} created; it {expiry}. Copy the key now, "
                  "it is not shown again:")
    click.echo(key)


@token.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
def token_list(username: str | None) -> None:
    """List tokens (prefix, user, name, dates, state); keys are never shown."""
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if username:
        tokens = tokens.filter(user=user_or_system(username))
    active = set(ApiToken.objects.active().values_list("pk", flat=True))
    table = Table("prefix", "user", "name", "created", "expires", "last used", "state")
    for t in tokens:
        state = "active" if t.pk in active else ("revoked" if t.revoked_at else "expired")
        table.add_row(t.prefix, t.user.username, t.name, when(t.created_at), when(t.expires_at),
                      when(t.last_used_at), state)
    Console(width=max(Console().width, 120)).print(table)


@token.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token whose key starts with PREFIX (the 8 characters after fk_)."""
    found = list(tokens_by_prefix(prefix))
    if len(found) != 1:
        why = "no token has" if not found else f"{len(found)} tokens have"
        raise click.UsageError(f"{why} the prefix {prefix!r}; see `fengkong token list`.")
    try:
        revoked = revoke_token(actor=cli_actor(), token=found[0])
    except TokenError as exc:
        raise click.UsageError(str(exc)) from None
    console.print(f"Token {revoked.prefix}… of {revoked.user.username} ({revoked.name}) revoked.")
