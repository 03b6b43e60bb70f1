"""The night after a month-end proposes that month-end's provision once (a resumed night proposes nothing
twice, a rejected proposal is not made again), and any finance user approves the night's proposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from fengkong.provisions import actions
from fengkong.provisions.models import ProvisionRun
from fengkong.provisions.nightly import propose_month_end

pytestmark = pytest.mark.django_db


@dataclass
class FakeNight:
    """The parts of core.nightly.Night the step uses."""

    as_of: date
    counts: dict = field(default_factory=dict)

    def progress(self, stage, done, total):
        """Nobody watches."""

    def checkpoint(self, counts=None, *, added=None):
        self.counts.update(counts or {})


def test_the_first_night_of_april_proposes_march_once(worked_book, policy, finance_pair):
    night = FakeNight(date(2026, 4, 1))
    propose_month_end(night)
    run = ProvisionRun.objects.get()
    assert (run.as_of, run.status, run.proposed_by) == (date(2026, 3, 31), "proposed", None)
    assert night.counts == {"provisions_proposed": 1} and run.lines.exists()
    assert str(run.closing) == "265.05"
    propose_month_end(night)  # the same night resumed
    propose_month_end(FakeNight(date(2026, 4, 2)))  # the next night
    assert ProvisionRun.objects.count() == 1 and night.counts == {"provisions_proposed": 0}
    actions.decide_run(actor=finance_pair[0], run=run, approve=False, note="recompute after the late receipts")
    propose_month_end(FakeNight(date(2026, 4, 3)))
    assert ProvisionRun.objects.count() == 1  # a rejected month-end is finance's to propose again


def test_any_finance_user_approves_the_nights_proposal(worked_book, policy, finance_pair):
    propose_month_end(FakeNight(date(2026, 4, 1)))
    run = actions.decide_run(actor=finance_pair[0], run=ProvisionRun.objects.get(), approve=True)
    assert run.locked
    propose_month_end(FakeNight(date(2026, 3, 15)))  # February, inside the locked period: nothing
    assert ProvisionRun.objects.count() == 1


def test_an_empty_book_proposes_nothing(policy):
    night = FakeNight(date(2026, 4, 1))
    propose_month_end(night)
    assert not ProvisionRun.objects.exists() and night.counts == {"provisions_proposed": 0}
