"""Every open receivable's limitation period, interrupted by the demands Fengkong knows of, with its warnings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fengkong.evidence.actions import Description, keep
from fengkong.legal.limitations import limitations
from fengkong.monitoring.choices import ActionKind, ActionStatus
from fengkong.monitoring.models import ActionItem
from fengkong.receivables.models import Invoice

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 12, 1)


@pytest.fixture
def old_invoice(debtor):
    return Invoice.objects.create(number="AR2024", customer=debtor, issue_date=date(2023, 12, 31),
                                  due_date=date(2024, 1, 31), amount=Decimal("5000.00"), open_amount=Decimal("5000.00"))


def test_an_old_receivable_warns_90_days_before_its_period_ends(old_invoice):
    found = {f.invoice: f for f in limitations(Invoice.objects.all(), AS_OF)}
    assert list(found) == ["AR2024"]  # the fixture's recent invoices are far from their end
    assert (found["AR2024"].ends, found["AR2024"].days_left, found["AR2024"].warning) == (date(2027, 1, 31), 61, 90)


def test_a_letter_kept_as_evidence_interrupts_the_period(old_invoice, debtor):
    keep(actor=None, chunks=[b"%PDF-1.4\n%%EOF\n"], filename="letter.pdf", customer=debtor,
         description=Description(title="催款函", source="letter", occurred_on=date(2025, 3, 1)))
    assert limitations(Invoice.objects.all(), AS_OF) == []
    found = limitations(Invoice.objects.filter(number="AR2024"), AS_OF, within=None)[0]
    assert (found.started, found.ends) == (date(2025, 3, 1), date(2028, 2, 29))


def test_a_done_reminder_task_interrupts_the_period(old_invoice, referral):
    ActionItem.objects.create(kind=ActionKind.REMINDER_LETTER, customer=old_invoice.customer, alert=referral.alert,
                              due_date=date(2025, 6, 1), status=ActionStatus.DONE,
                              done_at=datetime(2025, 6, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    found = limitations(Invoice.objects.all(), AS_OF, within=None)
    assert {f.invoice: f.started for f in found}["AR2024"] == date(2025, 6, 2)


def test_the_calendar_shows_what_ends_soon_to_the_legal_officers(old_invoice, sign_in):
    page = sign_in("legal_officer").get("/legal/calendar/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b"AR2024" in page.content and b"Limitation periods" in page.content
    assert sign_in("collector").get("/legal/calendar/").status_code == 403


def test_the_api_lists_the_periods_ending(old_invoice, sign_in):
    answer = sign_in("legal_officer").get("/api/v1/legal/limitations?within=3650").json()
    assert answer["count"] >= 1 and answer["items"][0]["invoice"] == "AR2024"
    assert answer["items"][0]["ends"] == (date(2027, 1, 31)).isoformat()
    assert timedelta(days=answer["items"][0]["days_left"]) == date(2027, 1, 31) - timezone.localdate()
