"""Who is calling: a bearer token (machine clients) or the browser's Django session.

Design decisions:
- A request that sends ``Authorization: Bearer …`` is judged by that token alone: a wrong, revoked or
  expired token is a 401 even if the same browser also holds a session, so a client never silently
  runs as someone else.
- The session path is ninja's SessionAuth with its CSRF check for unsafe methods; the user must be
  active (Django's session backend already refuses inactive users).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from fengkong.accounts.tokens import user_for_key


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if header and not header.lower().startswith("bearer "):
            raise AuthenticationError(message="Use 'Authorization: Bearer fk_…' with an API token.")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_key(token.strip())
        if user is None:
            raise AuthenticationError(message="The API token is unknown, revoked or expired.")
        return user


class ActiveSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def api_auth() -> list:
    return [BearerToken(), ActiveSession()]
