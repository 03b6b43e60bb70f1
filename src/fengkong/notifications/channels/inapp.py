"""The in-app inbox. Messages are written by `outbox.notify` in the caller's transaction, together with the
alert, so an alert always reaches the inbox even if every other channel is down; nothing is left to send."""

from __future__ import annotations


def send(delivery) -> None:
    """Already in the inbox since the alert's transaction committed."""
