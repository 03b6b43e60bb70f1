"""`fengkong legal …`: the worklist, the calendar, the limitation periods, the court-fee scale, and cases opened
for the referrals waiting."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fengkong.cli.commands import fengkong
from fengkong.legal.models import LegalCase


def run(*args):
    return CliRunner().invoke(fengkong, ["--lang", "en", "legal", *args])


def test_the_court_fee_of_a_million_is_13800():
    result = run("court-fee", "1000000")
    assert result.exit_code == 0 and "13,800.00" in result.output
    assert "6,900.00" in run("court-fee", "1000000", "--summary").output
    assert "5,000.00" in run("court-fee", "10000000", "--kind", "preservation").output


def test_a_bad_amount_is_refused_with_the_value():
    result = run("court-fee", "1,000")
    assert result.exit_code == 2 and "'1,000'" in result.output


@pytest.mark.django_db
def test_the_referrals_waiting_become_cases_and_the_worklist_shows_them(users, referral):
    result = run("open-referrals", "--user", "legal_officer")
    assert result.exit_code == 0 and "Opened 1 cases" in result.output
    case = LegalCase.objects.get()
    assert case.referral == referral and case.principal == 150000
    assert "Opened 0 cases" in run("open-referrals", "--user", "legal_officer").output
    listing = run("cases", "--user", "legal_officer")
    assert case.number in listing.output and "150,000.00" in listing.output
    assert run("calendar", "--user", "legal_officer").exit_code == 0
    assert run("limitations", "--user", "legal_officer").exit_code == 0
