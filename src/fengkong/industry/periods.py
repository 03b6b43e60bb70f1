"""Reading the periods statistics releases write: NBS's "2024年10月", "2024年第三季度", "2024年", and the ISO-ish
"2024-10", "2024-10-31", "2024Q3", "2024M10". A period is kept as its last day (see models)."""

from __future__ import annotations

import calendar
import re
from datetime import date

from .choices import Frequency

QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH = re.compile(r"^(\d{4})\s*(?:年|-|/|\.|M)\s*(\d{1,2})\s*月?$")
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:年\s*第?\s*([一二三四1-4])\s*季度|[-\s]?Q([1-4]))$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})\s*年?$")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[date, str] | None:
    """(last day of the period, its frequency) of a period as releases write it, or None."""
    text = (text or "").strip()
    if m := _DAY.match(text):
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return month_end(day.year, day.month), Frequency.MONTHLY
    if (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        return month_end(int(m[1]), int(m[2])), Frequency.MONTHLY
    if m := _QUARTER.match(text):
        quarter = QUARTER_WORDS[m[2] or m[3]]
        return month_end(int(m[1]), quarter * 3), Frequency.QUARTERLY
    if m := _YEAR.match(text):
        return date(int(m[1]), 12, 31), Frequency.YEARLY
    return None


def period_end(day: date, frequency: str) -> date:
    """The last day of the month, quarter or year `day` falls in."""
    if frequency == Frequency.YEARLY:
        return date(day.year, 12, 31)
    if frequency == Frequency.QUARTERLY:
        return month_end(day.year, ((day.month - 1) // 3 + 1) * 3)
    return month_end(day.year, day.month)


def is_period_end(day: date, frequency: str) -> bool:
    return period_end(day, frequency) == day


def period_label(day: date, frequency: str) -> str:
    if frequency == Frequency.YEARLY:
        return f"{day.year}"
    if frequency == Frequency.QUARTERLY:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"
