"""Every generated letter lands in the evidence store by itself, attached to its task and ledgered."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import make_invoice

from fengkong.evidence.ledger import verify
from fengkong.evidence.models import EvidenceItem
from fengkong.monitoring.actions import write_reminder_letter
from fengkong.monitoring.choices import ActionKind, AlertKind, AlertLevel
from fengkong.monitoring.models import ActionItem, Alert

pytestmark = pytest.mark.django_db


def test_a_reminder_letter_is_kept_as_evidence_of_its_task(customers, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = customers["CQ"]
    make_invoice(customer, "AR0001", days_overdue=65)
    alert = Alert.objects.create(dedup_key="zone_warning:C000001", kind=AlertKind.ZONE_WARNING,
                                 level=min(AlertLevel.values), customer=customer, as_of=date(2026, 11, 28), title="预警")
    task = ActionItem.objects.create(kind=ActionKind.REMINDER_LETTER, customer=customer, alert=alert,
                                     due_date=date(2026, 11, 29))
    assert write_reminder_letter(task, language="zh-hans")
    item = EvidenceItem.objects.of_subject(task).get()
    assert item.customer == customer and item.source == "letter" and item.filename.endswith(".docx")
    assert item.file.mime.startswith("application/vnd.openxmlformats") or item.file.mime == "application/zip"
    assert item.occurred_on is None  # generated, not yet sent: no interruption of the limitation period
    assert verify().ok
