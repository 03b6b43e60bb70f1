"""Email over SMTP through Django's configured backend (settings EMAIL_*), as text with an HTML alternative."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from ..exceptions import DeliveryError
from ..rendering import Message


def send_email(recipient: str, message: Message, *, attachments=()) -> None:
    mail = EmailMultiAlternatives(subject=message.subject, body=message.text,
                                  from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient],
                                  connection=get_connection(fail_silently=False))
    mail.attach_alternative(message.html, "text/html")
    for name, content, mimetype in attachments:
        mail.attach(name, content, mimetype)
    try:
        accepted = mail.send()
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}"[:500]) from exc
    if accepted != 1:
        raise DeliveryError("SMTP: the mail server did not accept the message")


def send(delivery) -> None:
    send_email(delivery.recipient, Message.from_json(delivery.message))
