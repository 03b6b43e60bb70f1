"""Who is calling: a bearer token (machine clients) or the browser's Django session.

Design decisions:
- A request that sends ``Authorization: Bearer …`` is judged by that token alone: a wrong, revoked or
  expired token is a 401 even if the same browser also holds a session, so a client never silently
  runs as someone else.
- The session path is ninja's SessionAuth with its CSRF check for unsafe methods; the user must be
  active (Django's session backend already refuses inactive users).
- Every refused token is counted by accounts.signin, per address and per the key's visible prefix; past
  the limits the answer is 429 with Retry-After (TooManyAttempts) instead of 401. A valid key is always
  let in: it cannot be guessed, and a neighbour's broken client must not shut a working one out.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from fengkong.accounts import signin
from fengkong.accounts.tokens import user_for_key


class TooManyAttempts(HttpError):
    """429: too many refused tokens from this address or for this prefix; `headers` carry Retry-After."""

    def __init__(self, seconds: int) -> None:
        super().__init__(429, signin.token_slowed_message(seconds))
        self.headers = {"Retry-After": str(seconds)}


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if header and not header.lower().startswith("bearer "):
            refused(request, "", "Use 'Authorization: Bearer fk_…' with an API token.")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        key = token.strip()
        user = user_for_key(key)
        if user is None:
            refused(request, key, "The API token is unknown, revoked or expired.")
        return user


def refused(request: HttpRequest, key: str, message: str):
    """Count a refused token and answer it: 429 past the limits, else 401 with `message`."""
    wait = signin.token_failed(request, key)
    if wait:
        raise TooManyAttempts(wait)
    raise AuthenticationError(message=message)


class ActiveSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def api_auth() -> list:
    return [BearerToken(), ActiveSession()]
