"""A day's alert digest: the page at /inbox/digests/<pk>/ (its person's own, by customer, only what they may
see), its one email over real SMTP, and the preference form on the inbox page (POST /inbox/preferences/)."""

from __future__ import annotations

import pytest
from django.utils import translation
from tests.conftest import AS_OF

from fengkong.core.models import AuditEvent
from fengkong.notifications import outbox
from fengkong.notifications.choices import Audience, Template
from fengkong.notifications.digests import DigestLine
from fengkong.notifications.models import Delivery, Digest, InboxMessage, NotificationPreference

from .conftest import make_alert

pytestmark = pytest.mark.django_db


def tell(alert, users, zone=1, amount="3000.00", escalated=False):
    customer = alert.customer
    line = DigestLine(as_of=AS_OF, customer_id=customer.pk, portfolio_id=customer.portfolio_id, title=alert.title,
                      level="attention", escalated=escalated, amount=amount, zone=zone, overdue_amount="3000.00")
    return outbox.notify(alert=alert, audience=Audience.COLLECTOR, template=Template.COLLECTOR_NOTICE,
                         users=users, context={"invoices": []}, digest=line)


@pytest.fixture
def digest(users, book):
    """The collector's digest of two alerts on one Chongqing customer and one on another."""
    cq1, cq2, _sc = book["customers"]
    collector = users["collector"]
    collector.email = "collector@fengkong.example"
    collector.save(update_fields=["email"])
    for alert in (make_alert(cq1), make_alert(cq1, kind="large_overdue", level=3), make_alert(cq2)):
        assert tell(alert, [collector]) == 1
    outbox.send_digests()
    return Digest.objects.get(user=collector)


def test_the_digest_page_lists_the_alerts_by_customer_with_links(client, users, digest):
    client.force_login(users["collector"])
    with translation.override("en"):
        page = client.get(f"/inbox/digests/{digest.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 new alerts on 2 customers" in html
    assert html.count('data-customer="C000001"') == 1 and html.count('data-customer="C000002"') == 1
    assert 'href="/customers/C000001/"' in html and "/monitoring/alerts/" in html and "3,000.00" in html


def test_the_inbox_holds_one_message_for_the_digest_linking_to_its_page(client, users, digest):
    client.force_login(users["collector"])
    [message] = InboxMessage.objects.filter(user=users["collector"])
    assert message.pk == digest.message_id and message.template == "alert_digest"
    assert f'href="/inbox/digests/{digest.pk}/"' in client.get("/inbox/").content.decode()


def test_the_digest_goes_out_as_one_email(smtp_server, users, digest):
    [delivery] = Delivery.objects.filter(recipient="collector@fengkong.example")
    assert delivery.digest_id == digest.pk and delivery.template == "alert_digest"
    assert outbox.send_delivery(delivery.pk) is True
    [mail] = smtp_server.messages()
    text = mail.get_body(("plain",)).get_content()
    assert "C000001" in text and "C000002" in text and f"/inbox/digests/{digest.pk}/" in text
    outbox.send_digests()  # nothing new: no second email, no second message
    assert Delivery.objects.filter(recipient="collector@fengkong.example").count() == 1
    assert InboxMessage.objects.filter(user=users["collector"]).count() == 1


def test_someone_elses_digest_is_not_found_and_visitors_sign_in_first(client, users, digest):
    client.force_login(users["risk_manager"])
    assert client.get(f"/inbox/digests/{digest.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/inbox/digests/{digest.pk}/").status_code == 302


def test_a_customer_the_person_may_no_longer_see_leaves_the_page(client, users, book, portfolios, digest):
    cq2 = book["customers"][1]
    cq2.portfolio = portfolios["SC"]
    cq2.save()
    client.force_login(users["collector"])
    html = client.get(f"/inbox/digests/{digest.pk}/").content.decode()
    assert 'data-customer="C000001"' in html and "C000002" not in html


def test_the_preference_form_chooses_each_alert_and_is_audited_once(client, users, book):
    collector = users["collector"]
    client.force_login(collector)
    assert 'action="/inbox/preferences/"' in client.get("/inbox/").content.decode()
    assert client.post("/inbox/preferences/", {"alerts": "each"}).status_code == 302
    assert NotificationPreference.objects.get(user=collector).alerts == "each"
    client.post("/inbox/preferences/", {"alerts": "each"})  # unchanged: nothing written
    assert AuditEvent.objects.filter(action="notification_preference.changed").count() == 1
    alert = make_alert(book["customers"][0])
    assert tell(alert, [collector]) == 1
    assert InboxMessage.objects.filter(user=collector, alert=alert).count() == 1
    assert not Digest.objects.exists()


def test_a_bad_preference_is_refused_with_the_choices_and_nothing_written(client, users):
    client.force_login(users["collector"])
    with translation.override("en"):
        page = client.post("/inbox/preferences/", {"alerts": "hourly"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Choose how your alerts arrive" in page.content.decode()
    assert not NotificationPreference.objects.exists() and not AuditEvent.objects.exists()
    assert client.get("/inbox/preferences/").status_code == 405
