"""notify(): what it queues, that it queues it once, and that nothing is sent before the alert commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from tests.notifications.conftest import make_alert

from fengkong.monitoring.models import Alert
from fengkong.notifications import outbox
from fengkong.notifications.choices import (
    ALERT_TEMPLATES,
    Audience,
    Channel,
    DeliveryStatus,
    Template,
    WebhookKind,
)
from fengkong.notifications.models import Delivery, InboxMessage, WebhookChannel


@pytest.mark.django_db
def test_notifying_twice_creates_nothing_new(receiver, alert, contact, overdue, users):
    WebhookChannel.objects.create(name="hook", kind=WebhookKind.GENERIC, url=receiver().url(),
                                  audiences="customer,collector")
    collector = users["collector"]
    collector.email = "c@fengkong.example"
    collector.save(update_fields=["email"])
    kwargs = {"alert": alert, "audience": Audience.CUSTOMER, "template": Template.OVERDUE_REMINDER,
              "customer_contact": contact, "context": {"invoices": overdue}}
    assert outbox.notify(**kwargs) == 2  # the contact's email and the webhook
    assert outbox.notify(**kwargs) == 0
    notice = {"alert": alert, "audience": Audience.COLLECTOR, "template": Template.COLLECTOR_NOTICE,
              "users": [collector], "context": {"invoices": overdue}}
    assert outbox.notify(**notice) == 3  # inbox, email, webhook
    assert outbox.notify(**notice) == 0
    assert Delivery.objects.count() == 5 and InboxMessage.objects.count() == 1
    other = make_alert(alert.customer, level=3, kind="zone_warning")
    assert outbox.notify(**{**notice, "alert": other}) == 3


@pytest.mark.django_db
def test_the_inbox_counts_unread_messages_per_user(alert, users, overdue):
    collector, legal = users["collector"], users["legal_officer"]
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.PHONE_TASK, users=[collector])
    outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.REMINDER_LETTER, users=[collector])
    outbox.notify(alert=alert, audience=Audience.LEGAL, template=Template.LEGAL_REFERRAL, users=[legal])
    assert InboxMessage.objects.unread_count(collector) == 2
    first = InboxMessage.objects.for_user(collector).first()
    assert InboxMessage.objects.mark_read(legal, [first.pk]) == 0  # not hers
    assert InboxMessage.objects.mark_read(collector, [first.pk]) == 1
    assert InboxMessage.objects.unread_count(collector) == 1 and InboxMessage.objects.unread_count(legal) == 1
    assert Delivery.objects.get(channel=Channel.INAPP, recipient=f"user:{legal.pk}").status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_every_template_renders_in_both_languages(alert, overdue, contact):
    from fengkong.notifications.rendering import BILINGUAL, render

    context = {"alert": alert, "customer": alert.customer, "as_of": alert.as_of, "invoices": overdue,
               "contact": contact, "utilisation": 95, "amount": "600,000.00", "days": 3, "company": "风控"}
    for template in ALERT_TEMPLATES:
        message = render(template, BILINGUAL, context, level="warning")
        assert alert.customer.name in message.subject, template
        assert message.text.count(alert.customer.name) >= 2, template
        assert "{{" not in message.text and "{%" not in message.text and "None" not in message.text, template


@pytest.mark.django_db(transaction=True)
def test_sending_happens_only_after_the_alert_commits(receiver, book, huey_immediate, flushable_audit_trail):
    rec = receiver()
    WebhookChannel.objects.create(name="hook", kind=WebhookKind.GENERIC, url=rec.url(), audiences="collector")
    customer = book["customers"][0]

    with pytest.raises(RuntimeError), transaction.atomic():
        alert = make_alert(customer)
        outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE)
        raise RuntimeError("the risk cycle failed half-way")
    assert not Alert.objects.exists() and not Delivery.objects.exists() and not rec.requests

    with transaction.atomic():
        alert = make_alert(customer)
        outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE)
        assert not rec.requests  # queued, not sent, while the transaction is open
    assert len(rec.requests) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT
