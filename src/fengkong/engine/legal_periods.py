"""Legal periods of a recovery, as pure date arithmetic (the as-of date is passed in, never read).

- A period "within N days" of service (the payment order's objection, 民事诉讼法 §227; an appeal against a
  first-instance judgment, §171) starts the day after service and ends on its Nth day; a period ending on
  a Saturday or Sunday ends on the Monday after (§85: a period ending on a holiday ends on the first working
  day after it). Public holidays are not known here and are not added.
- The limitation period of a claim (民法典 §188) is three years from the day after the due date; each
  interruption (§195: a demand, the debtor's acknowledgement or promise to pay, a filing) starts it anew
  from the day of the interruption. Warnings stand at 180, 90 and 30 days before it ends.
- Enforcement must be applied for within two years of the last day of performance the judgment set (§250);
  a seizure of deposits lasts one year, of other property three (最高人民法院关于人民法院民事执行中查封、扣押、
  冻结财产的规定 art. 27 as amended 2020: deposits one year, movables two, real property three); a
  preservation before suit lapses unless a suit follows within 30 days (§104).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

OBJECTION_DAYS = 15
APPEAL_DAYS = 15
ENFORCEMENT_YEARS = 2
LIMITATION_YEARS = 3
PRE_SUIT_PRESERVATION_DAYS = 30
SEIZURE_YEARS = {"deposit": 1, "movable": 2, "property": 3}
WARNINGS = (180, 90, 30)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def working_day_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def window_end(served_on: date, days: int) -> date:
    """The last day of a period of `days` days from service (counted from the next day)."""
    return working_day_on_or_after(served_on + timedelta(days=days))


def objection_ends(served_on: date) -> date:
    return window_end(served_on, OBJECTION_DAYS)


def appeal_ends(served_on: date) -> date:
    return window_end(served_on, APPEAL_DAYS)


def enforcement_ends(performance_deadline: date) -> date:
    return working_day_on_or_after(add_years(performance_deadline, ENFORCEMENT_YEARS))


def seizure_expires(kind: str, seized_on: date) -> date:
    if kind not in SEIZURE_YEARS:
        raise ValueError(f"unknown kind of seizure {kind!r}: one of {', '.join(SEIZURE_YEARS)}")
    return add_years(seized_on, SEIZURE_YEARS[kind]) - timedelta(days=1)


@dataclass(frozen=True)
class Limitation:
    started: date  # the day the period (re)started
    ends: date
    days_left: int
    warning: int | None  # the tightest of WARNINGS reached (180, 90, 30), None if none; 0 once expired


def limitation(due_on: date, interruptions: Iterable[date], as_of: date) -> Limitation:
    """The limitation period of a claim due on `due_on`, interrupted on each of `interruptions` (§195)."""
    started = due_on + timedelta(days=1)
    for day in sorted(interruptions):
        if started <= day <= add_years(started, LIMITATION_YEARS) - timedelta(days=1):
            started = day  # an interruption after expiry does not revive the period
    ends = add_years(started, LIMITATION_YEARS) - timedelta(days=1)
    left = (ends - as_of).days
    warning = 0 if left < 0 else min((w for w in WARNINGS if left <= w), default=None)
    return Limitation(started, ends, left, warning)
