"""With the real notifications outbox: the cycle's alerts become deliveries, once (the staff's in their day's
digest, the customer's reminder on its own), and letters are written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.actions import pending_letters, write_reminder_letter
from fengkong.monitoring.choices import ActionKind
from fengkong.monitoring.models import ActionItem
from fengkong.notifications.models import Delivery, Digest, InboxMessage

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


def test_the_attention_reminder_and_notice_become_deliveries_once(users, customer, django_capture_on_commit_callbacks):
    users["collector"].email = "li@example.cn"
    users["collector"].save()
    invoice(customer, "AR-DELIV-1")
    with django_capture_on_commit_callbacks():
        run_cycle(as_of=day(30))
    deliveries = sorted(Delivery.objects.values_list("template", "recipient"))
    assert ("overdue_reminder", "wang@example.cn") in deliveries  # the customer's reminder: on its own
    # the collector's notice waits in the collector's digest of the day: one message, one email
    assert not InboxMessage.objects.filter(user=users["collector"], template="collector_notice").exists()
    digest = Digest.objects.get(user=users["collector"], as_of=day(30))
    assert list(digest.entries.values_list("alert__kind", "customer__code")) == [("zone_attention", "C000101")]
    assert InboxMessage.objects.filter(user=users["collector"], template="alert_digest").count() == 1
    assert ("alert_digest", "li@example.cn") in deliveries and ("collector_notice", "li@example.cn") not in deliveries
    count = Delivery.objects.count()

    run_cycle(as_of=day(30), force=True)
    run_cycle(as_of=day(31))
    assert Delivery.objects.count() == count
    assert InboxMessage.objects.filter(user=users["collector"]).count() == 1


def test_the_warning_zone_writes_a_docx_reminder_letter_for_the_collector(users, customer, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "MEDIA_ROOT", tmp_path)
    invoice(customer, "AR-LETTER-1")
    run_cycle(as_of=day(61))
    item = pending_letters().get()
    path = write_reminder_letter(item)
    assert path and ActionItem.objects.get(kind=ActionKind.REMINDER_LETTER).document == path
    with zipfile.ZipFile(Path(tmp_path) / path) as docx:
        assert "AR-LETTER-1" in docx.read("word/document.xml").decode()
    assert write_reminder_letter(item) is None  # written once
    assert not pending_letters().exists()
