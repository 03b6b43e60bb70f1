"""Formatting for the pages: amounts with thousands separators, ISO dates, labels of codes."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from fengkong.core import industries, regions
from fengkong.core.money import format_amount
from fengkong.customers.choices import STATUS_COLOURS

register = template.Library()
DASH = "—"


@register.filter
def amount(value) -> str:
    """1234567.5 -> '1,234,567.50'; empty -> '—'."""
    return format_amount(value) if value not in (None, "") else DASH


@register.filter
def isodate(value) -> str:
    """Dates as 2026-11-28, datetimes as 2026-11-28 14:05 in the local time zone."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) \
            else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return DASH


@register.filter
def industry_label(code: str) -> str:
    return industries.label(code) if code else DASH


@register.filter
def region_label(code: str) -> str:
    return regions.label(code) if code else DASH


@register.filter
def days_overdue(invoice, as_of) -> int:
    return invoice.days_overdue(as_of)


@register.filter
def percent(value) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


@register.filter
def ratio(value) -> str:
    return DASH if value is None else f"{value:.2f}"


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "grey")
