"""The night reminds each case's owner of the legal dates coming: 30, 7 and 1 days before and on the day,
once per night however often the night runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

from fengkong.legal.actions import Claim, add_hearing, move_case, open_case
from fengkong.legal.nightly import remind_deadlines
from fengkong.notifications.models import InboxMessage

pytestmark = pytest.mark.django_db


@dataclass
class FakeNight:
    """The parts of core.nightly.Night the step uses."""

    as_of: date
    counts: dict = field(default_factory=dict)

    def checkpoint(self, counts=None, *, added=None):
        for name, n in (added or {}).items():
            self.counts[name] = self.counts.get(name, 0) + n


def test_the_owner_is_reminded_seven_days_before_a_hearing_once(users, debtor):
    officer = users["legal_officer"]
    case = open_case(actor=officer, customer=debtor, claim=Claim(Decimal("1000.00")))
    move_case(actor=officer, case=case, stage="litigation",
              details={"filed_on": "2026-11-01", "court": "渝中区法院", "procedure": "ordinary"})
    hearing = date(2027, 3, 10)
    add_hearing(actor=officer, case=case, on=hearing, note="第一次开庭")
    night = FakeNight(hearing - timedelta(days=7))
    remind_deadlines(night)
    remind_deadlines(night)
    message = InboxMessage.objects.get(user=officer)
    assert case.number in message.title and "2027-03-10" in message.title and night.counts["legal_reminders"] == 1
    remind_deadlines(FakeNight(hearing - timedelta(days=6)))
    assert InboxMessage.objects.filter(user=officer).count() == 1  # nothing on a day not in 30, 7, 1, 0
    remind_deadlines(FakeNight(hearing))
    assert InboxMessage.objects.filter(user=officer).count() == 2
