"""Business dates: "today" is the date in the configured time zone (settings.TIME_ZONE, Asia/Shanghai by
default), the date overdue is measured on. Pages, the API and exports ask `dates.business_today()` (a
module attribute, so tests can freeze it in one place)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def business_today() -> date:
    return timezone.localdate()
