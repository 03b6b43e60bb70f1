"""Email goes over SMTP to a real local server (aiosmtpd), as text with an HTML alternative."""

from __future__ import annotations

import pytest

from fengkong.notifications import outbox
from fengkong.notifications.choices import Audience, Channel, DeliveryStatus, Template
from fengkong.notifications.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_customer_reminder_arrives_with_the_overdue_invoices_in_chinese_and_english(
        smtp_server, alert, contact, overdue):
    created = outbox.notify(alert=alert, audience=Audience.CUSTOMER, template=Template.OVERDUE_REMINDER,
                            customer_contact=contact, context={"invoices": overdue})
    assert created == 1
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.recipient == "wang@customer.example"

    assert outbox.send_delivery(delivery.pk) is True

    [mail] = smtp_server.messages()
    assert mail["To"] == "wang@customer.example"
    assert "付款提醒" in mail["Subject"] and "Payment reminder" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.index("尊敬的王经理") < text.index("Dear 王经理")
    for body in (text, html):
        assert "AR0002" in body and "3,000.00" in body and "45" in body and "2026-10-14" in body
        assert "逾期天数" in body and "Days overdue" in body and "未付金额" in body and "Open amount" in body
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None


def test_staff_get_an_email_in_the_site_language_and_an_inbox_message(smtp_server, alert, users, overdue):
    collector = users["collector"]
    collector.email = "collector@fengkong.example"
    collector.save(update_fields=["email"])
    created = outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                            users=[collector], context={"invoices": overdue})
    assert created == 2  # the inbox and the email

    assert outbox.send_due() == {"sent": 1, "failed": 0, "skipped": 0}
    [mail] = smtp_server.messages()
    subject = str(mail["Subject"]).strip()
    assert subject == "【关注】C000001 重庆渝中精密机械有限公司 逾期 45 天以上"
    assert collector.inbox.get().title == subject


def test_an_unreachable_mail_server_is_a_failed_attempt_that_is_retried(settings, alert, contact, overdue):
    from tests.notifications.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    outbox.notify(alert=alert, audience=Audience.CUSTOMER, template=Template.OVERDUE_REMINDER,
                  customer_contact=contact, context={"invoices": overdue})
    delivery = Delivery.objects.get()
    assert outbox.send_delivery(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("SMTP:")
