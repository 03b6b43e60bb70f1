"""Action items (mine / open, mark done, the reminder letter) and the stop-supply list."""

from __future__ import annotations

import pytest

from fengkong.monitoring.actions import write_reminder_letter
from fengkong.monitoring.choices import ActionKind, ActionStatus
from fengkong.monitoring.models import ActionItem, StopSupply

pytestmark = pytest.mark.django_db
TASKS = "/monitoring/actions/"
STOPS = "/monitoring/stop-supply/"


def item_ids(response) -> list[int]:
    return [int(p.split('"')[0]) for p in response.content.decode().split('data-item="')[1:]]


@pytest.mark.parametrize("persona", ["risk_manager", "credit_analyst", "collector", "legal_officer", "auditor",
                                     "finance", "admin", "industry_analyst"])
def test_the_task_list_opens_for_roles_that_read_tasks(monitored, sign_in, persona):
    assert sign_in(persona).get(TASKS).status_code == 200


@pytest.mark.parametrize("persona", ["sales", "nobody"])
def test_the_task_list_is_forbidden_to_others(monitored, sign_in, persona):
    assert sign_in(persona).get(TASKS).status_code == 403


def test_a_collector_starts_on_their_own_open_tasks(monitored, sign_in, users):
    response = sign_in("collector").get(TASKS)
    mine = set(ActionItem.objects.filter(assigned_to=users["collector"], status=ActionStatus.OPEN)
               .values_list("pk", flat=True))
    assert set(item_ids(response)) == mine and len(mine) == 2
    everything = sign_in("collector").get(TASKS, {"show": "all"})
    assert "C000003" not in everything.content.decode()  # Sichuan's tasks are not theirs to see


def test_legal_sees_the_legal_referral(monitored, sign_in):
    body = sign_in("legal_officer").get(TASKS).content.decode()
    referral = ActionItem.objects.get(kind=ActionKind.LEGAL_REFERRAL)
    assert f'data-item="{referral.pk}"' in body


def test_mark_a_task_done_with_a_note(monitored, sign_in):
    task = ActionItem.objects.get(kind=ActionKind.PHONE_CALL, customer__code="C000002")
    response = sign_in("collector").post(f"{TASKS}{task.pk}/done/", {"note": "已电话联系财务，承诺月底付款",
                                                                     "next": "/monitoring/actions/?show=all"})
    assert response.status_code == 302 and response.url == "/monitoring/actions/?show=all"
    task.refresh_from_db()
    assert task.status == ActionStatus.DONE and task.note == "已电话联系财务，承诺月底付款"


def test_done_does_not_redirect_elsewhere(monitored, sign_in):
    task = ActionItem.objects.get(kind=ActionKind.PHONE_CALL, customer__code="C000002")
    response = sign_in("collector").post(f"{TASKS}{task.pk}/done/", {"next": "https://evil.example/"})
    assert response.url == TASKS


def test_tasks_of_another_portfolio_are_not_found_and_auditors_cannot_close_tasks(monitored, sign_in):
    foreign = ActionItem.objects.get(kind=ActionKind.PHONE_CALL, customer__code="C000003")
    assert sign_in("collector").post(f"{TASKS}{foreign.pk}/done/").status_code == 404
    assert sign_in("auditor").post(f"{TASKS}{foreign.pk}/done/").status_code == 403
    foreign.refresh_from_db()
    assert foreign.status == ActionStatus.OPEN


def test_the_reminder_letter_downloads_as_docx(monitored, sign_in):
    letter = ActionItem.objects.get(kind=ActionKind.REMINDER_LETTER, customer__code="C000002")
    client = sign_in("collector")
    assert client.get(f"{TASKS}{letter.pk}/document/").status_code == 404  # not written yet
    write_reminder_letter(letter)
    response = client.get(f"{TASKS}{letter.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a DOCX is a zip
    assert f"{TASKS}{letter.pk}/document/" in client.get(TASKS, {"show": "all"}).content.decode()


def test_a_document_path_outside_the_media_directory_is_refused(monitored, sign_in):
    letter = ActionItem.objects.get(kind=ActionKind.REMINDER_LETTER, customer__code="C000002")
    ActionItem.objects.filter(pk=letter.pk).update(document="../../../../etc/passwd")
    assert sign_in("collector").get(f"{TASKS}{letter.pk}/document/").status_code == 404


@pytest.mark.parametrize("persona", ["risk_manager", "collector", "legal_officer", "auditor", "sales", "finance"])
def test_the_stop_supply_list_opens_for_sales_and_risk_roles(monitored, sign_in, persona):
    assert sign_in(persona).get(STOPS).status_code == 200


def test_the_stop_supply_list_is_scoped(monitored, sign_in):
    assert "C000002" in sign_in("collector").get(STOPS).content.decode()
    body = sign_in("sales").get(STOPS).content.decode()  # Sichuan sales: the flag is a Chongqing customer's
    assert "C000002" not in body and 'id="stop-table"' not in body
    assert sign_in("nobody").get(STOPS).status_code == 403


def test_a_risk_manager_lifts_a_flag_with_a_reason(monitored, sign_in):
    stop = StopSupply.objects.get()
    client = sign_in("risk_manager")
    client.post(f"{STOPS}{stop.pk}/lift/", {"reason": ""})
    stop.refresh_from_db()
    assert stop.active
    assert sign_in("collector").post(f"{STOPS}{stop.pk}/lift/", {"reason": "paid"}).status_code == 403
    client.post(f"{STOPS}{stop.pk}/lift/", {"reason": "签订分期还款协议"})
    stop.refresh_from_db()
    assert not stop.active and stop.lift_reason == "签订分期还款协议"
    assert 'id="stop-table"' not in client.get(STOPS).content.decode()
    assert "签订分期还款协议" in client.get(STOPS, {"lifted": "1"}).content.decode()
