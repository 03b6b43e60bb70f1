"""What can go wrong when sending. A DeliveryError is expected (retried with backoff); anything else is a bug,
but is recorded on the delivery the same way so that one broken channel never stops the others."""


class NotificationError(Exception):
    pass


class DeliveryError(NotificationError):
    """The channel refused or could not be reached; the message is worth trying again later."""


class ChannelMisconfigured(DeliveryError):
    """The channel's settings are wrong (e.g. its secret's environment variable is not set)."""
