"""Why an accounts action refuses to go on; the message is written for the person who asked."""

from __future__ import annotations


class AccountsError(Exception):
    """Base of the accounts errors."""


class TokenError(AccountsError, ValueError):
    """A token request a credit manager can fix (bad name, bad lifetime, already revoked)."""


class SignInLockError(AccountsError, ValueError):
    """A sign-in lock that cannot be lifted (no longer in force: expired, or lifted by someone else)."""
