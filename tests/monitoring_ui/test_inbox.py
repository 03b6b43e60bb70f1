"""The alert inbox and an alert's page: filters, scoping, bulk acknowledge, acknowledge and resolve."""

from __future__ import annotations

import pytest

from fengkong.monitoring.choices import AlertStatus
from fengkong.monitoring.models import Alert

from .conftest import alert_of

pytestmark = pytest.mark.django_db
INBOX = "/monitoring/alerts/"


def rows(response) -> list[str]:
    body = response.content.decode()
    return [part.split('"')[0] for part in body.split('data-alert="')[1:]]


@pytest.mark.parametrize("persona", ["risk_manager", "credit_analyst", "collector", "legal_officer",
                                     "industry_analyst", "finance", "auditor", "admin", "sales"])
def test_the_inbox_opens_for_roles_that_read_alerts(monitored, sign_in, persona):
    assert sign_in(persona).get(INBOX).status_code == 200


def test_the_inbox_is_forbidden_without_a_role(monitored, sign_in):
    assert sign_in("nobody").get(INBOX).status_code == 403


def test_a_collector_sees_only_chongqing_alerts(monitored, sign_in):
    response = sign_in("collector").get(INBOX, {"status": "all"})
    body = response.content.decode()
    assert len(rows(response)) == 5
    assert "C000001" in body and "C000002" in body
    assert "C000003" not in body and "成都锦江电子有限公司" not in body


def test_filters_narrow_the_inbox(monitored, sign_in):
    client = sign_in("risk_manager")
    assert len(rows(client.get(INBOX, {"status": "all"}))) == 8
    assert len(rows(client.get(INBOX, {"level": "4", "kind": "zone_danger"}))) == 1
    assert len(rows(client.get(INBOX, {"portfolio": "SC"}))) == 3
    assert len(rows(client.get(INBOX, {"q": "锦江"}))) == 3
    assert len(rows(client.get(INBOX, {"date_from": "2026-11-22", "date_to": "2026-11-28"}))) == 5
    assert len(rows(client.get(INBOX, {"status": "resolved"}))) == 0


def test_nonsense_filters_are_ignored_not_an_error(monitored, sign_in):
    response = sign_in("risk_manager").get(INBOX, {"level": "x", "kind": "'; DROP", "date_from": "2026-13-45",
                                                   "portfolio": "\x00", "page": "-3"})
    assert response.status_code == 200


def test_htmx_asks_only_for_the_results(monitored, sign_in):
    response = sign_in("risk_manager").get(INBOX, {"level": "4"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="alert-table"' in body and "<html" not in body


def test_bulk_acknowledge_acknowledges_exactly_the_selected_visible_alerts(monitored, sign_in):
    mine = alert_of("C000001", kind="zone_attention")
    other_mine = alert_of("C000002", kind="zone_danger")
    foreign = alert_of("C000003", kind="zone_warning")
    response = sign_in("collector").post(f"{INBOX}acknowledge/", {
        "alert": [str(mine.pk), str(foreign.pk), "abc", "-1", "999999"], "query": "status=all"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "1" in response.content.decode().split('role="status">')[1][:12]
    statuses = {a.pk: a.status for a in Alert.objects.all()}
    assert statuses[mine.pk] == AlertStatus.ACKNOWLEDGED
    assert statuses[other_mine.pk] == AlertStatus.NEW  # not ticked
    assert statuses[foreign.pk] == AlertStatus.NEW  # ticked, but another portfolio's
    assert sum(s == AlertStatus.ACKNOWLEDGED for s in statuses.values()) == 1


def test_bulk_acknowledge_without_htmx_redirects_back_with_the_filters(monitored, sign_in):
    alert = alert_of("C000002", kind="zone_danger")
    response = sign_in("risk_manager").post(f"{INBOX}acknowledge/", {"alert": [alert.pk], "query": "level=4"})
    assert response.status_code == 302 and response.url.endswith("?level=4")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_bulk_acknowledge_needs_the_permission_and_a_csrf_token(monitored, users, sign_in):
    alert = alert_of("C000002", kind="zone_danger")
    assert sign_in("auditor").post(f"{INBOX}acknowledge/", {"alert": [alert.pk]}).status_code == 403
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["risk_manager"])
    assert strict.post(f"{INBOX}acknowledge/", {"alert": [alert.pk]}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_the_alert_page_shows_invoices_tasks_and_messages(monitored, sign_in):
    alert = alert_of("C000002", kind="zone_danger")
    body = sign_in("collector").get(f"{INBOX}{alert.pk}/").content.decode()
    assert "AR0003" in body and "50,000.00" in body
    assert 'id="alert-actions"' in body and 'id="alert-messages"' in body  # deliveries: when the log has any
    assert 'id="acknowledge"' in body and 'id="resolve-form"' in body


def test_an_alert_of_another_portfolio_is_not_found(monitored, sign_in):
    foreign = alert_of("C000003", kind="zone_warning")
    client = sign_in("collector")
    assert client.get(f"{INBOX}{foreign.pk}/").status_code == 404
    assert client.post(f"{INBOX}{foreign.pk}/acknowledge/").status_code == 404
    assert client.post(f"{INBOX}{foreign.pk}/resolve/", {"resolution": "paid"}).status_code == 404
    assert sign_in("collector").get(f"{INBOX}999999/").status_code == 404


def test_auditors_read_alerts_but_cannot_act(monitored, sign_in):
    alert = alert_of("C000002", kind="zone_danger")
    client = sign_in("auditor")
    body = client.get(f"{INBOX}{alert.pk}/").content.decode()
    assert 'id="acknowledge"' not in body and 'id="resolve-form"' not in body
    assert client.post(f"{INBOX}{alert.pk}/acknowledge/").status_code == 403
    assert client.post(f"{INBOX}{alert.pk}/resolve/", {"resolution": "paid"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_acknowledge_from_the_alert_page(monitored, sign_in, users):
    alert = alert_of("C000001", kind="zone_attention")
    response = sign_in("collector").post(f"{INBOX}{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, users["collector"])
    again = sign_in("collector").post(f"{INBOX}{alert.pk}/acknowledge/", follow=True)
    assert again.status_code == 200  # a second click says the alert is no longer new


def test_resolve_requires_a_note(monitored, sign_in):
    alert = alert_of("C000001", kind="zone_attention")
    client = sign_in("collector")
    response = client.post(f"{INBOX}{alert.pk}/resolve/", {"resolution": "   "})
    assert response.status_code == 400 and 'class="field-error"' in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW
    client.post(f"{INBOX}{alert.pk}/resolve/", {"resolution": "客户已付款"})
    alert.refresh_from_db()
    assert (alert.status, alert.resolution) == (AlertStatus.RESOLVED, "客户已付款")


def test_sales_read_the_alerts_of_their_portfolio_only(monitored, sign_in):
    response = sign_in("sales").get(INBOX, {"status": "all"})
    body = response.content.decode()
    assert len(rows(response)) == 3 and "C000003" in body and "C000001" not in body
    assert 'id="bulk-acknowledge"' not in body


def test_the_alert_page_lists_its_deliveries_with_recipients_by_name(monitored, sign_in, users):
    from fengkong.notifications.models import Delivery

    alert = alert_of("C000001", kind="zone_attention")
    Delivery.objects.filter(alert=alert).delete()
    Delivery.objects.create(alert=alert, audience="collector", channel="inapp", recipient=f"user:{users['collector'].pk}",
                            template="collector_notice")
    body = sign_in("risk_manager").get(f"{INBOX}{alert.pk}/").content.decode()
    table = body.split('id="alert-deliveries"')[1].split("</table>")[0]
    assert ">collector<" in table and "user:" not in table
