"""The legal periods: objection and appeal windows, enforcement, seizures and the limitation period."""

from __future__ import annotations

from datetime import date

import pytest

from fengkong.engine.legal_periods import (
    appeal_ends,
    enforcement_ends,
    limitation,
    objection_ends,
    seizure_expires,
)


def test_a_fifteen_day_window_counts_from_the_day_after_service():
    assert objection_ends(date(2026, 3, 2)) == date(2026, 3, 17)  # served Monday, ends Tuesday


def test_a_window_ending_on_a_weekend_ends_on_the_monday():
    assert appeal_ends(date(2026, 3, 6)) == date(2026, 3, 23)  # 21 March is a Saturday


def test_enforcement_within_two_years_of_the_performance_deadline():
    assert enforcement_ends(date(2026, 6, 30)) == date(2028, 6, 30)


@pytest.mark.parametrize(("kind", "expires"), [("deposit", date(2027, 3, 1)), ("movable", date(2028, 3, 1)),
                                               ("property", date(2029, 3, 1))])
def test_a_seizure_lasts_one_two_or_three_years(kind, expires):
    assert seizure_expires(kind, date(2026, 3, 2)) == expires


def test_the_limitation_period_is_three_years_from_the_day_after_the_due_date():
    found = limitation(date(2024, 1, 31), [], as_of=date(2026, 12, 1))
    assert (found.started, found.ends, found.days_left, found.warning) == (date(2024, 2, 1), date(2027, 1, 31), 61, 90)


def test_a_demand_interrupts_the_limitation_period():
    found = limitation(date(2024, 1, 31), [date(2025, 6, 1)], as_of=date(2026, 12, 1))
    assert found.ends == date(2028, 5, 31) and found.warning is None


def test_an_interruption_after_expiry_does_not_revive_the_period():
    found = limitation(date(2020, 1, 31), [date(2024, 6, 1)], as_of=date(2026, 12, 1))
    assert found.ends == date(2023, 1, 31) and found.warning == 0


@pytest.mark.parametrize(("as_of", "warning"), [(date(2026, 8, 4), 180), (date(2026, 11, 2), 90),
                                                (date(2027, 1, 1), 30), (date(2026, 8, 3), None)])
def test_warnings_stand_at_180_90_and_30_days(as_of, warning):
    assert limitation(date(2024, 1, 31), [], as_of=as_of).warning == warning
