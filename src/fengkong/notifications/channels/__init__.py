"""The channels a delivery goes out on. Each has `send(delivery)`, which returns when the message was
accepted and raises DeliveryError (or anything else) when it was not; the outbox records the outcome."""

from __future__ import annotations

from ..choices import Channel
from . import email, inapp, webhooks

SENDERS = {Channel.INAPP: inapp.send, Channel.EMAIL: email.send, Channel.WEBHOOK: webhooks.send}
