"""Every state change of the industry app: the outlook of an industry (and its alarm), indicators, and
observations entered by hand (the file import is in importing.py).

Raising an alarm (it was off, now on) tells the apps above (signals.alarm_raised with the industry's
customers): credit re-assesses them after the commit, so the policy's alarm cap reaches the whole affected
book at once. Each action checks its permission, runs in one transaction and writes its audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from fengkong.core import industries, regions
from fengkong.core.audit import record, snapshot
from fengkong.core.permissions import require
from fengkong.customers.models import Customer

from .choices import Direction, Frequency, ObservationSource, Outlook, OutlookSource
from .exceptions import IndicatorInvalid, IndustryError
from .models import Indicator, IndustryOutlook, Observation, OutlookChange
from .periods import is_period_end, period_label
from .signals import alarm_raised

OUTLOOK_FIELDS = ("outlook", "alarm", "note")
INDICATOR_FIELDS = ("code", "name", "industry", "region", "unit", "frequency", "source", "direction",
                    "warning_level", "alarm_level", "description")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_VALUE = Decimal("1e16")
PLACES = Decimal("0.0001")  # what the table keeps; releases give one or two decimals


# --- outlooks -----------------------------------------------------------------------------------------

def set_outlook(*, actor, industry: str, outlook: str, alarm: bool, note: str = "",
                source: str = OutlookSource.MANUAL) -> IndustryOutlook:
    """Rate `industry` (a GB/T 4754 section letter) and raise or lift its alarm; needs
    `industry.change_industryoutlook`. Not durable: the admin's change form calls it inside its own transaction."""
    require(actor, "industry.change_industryoutlook")
    if industry not in industries.SECTIONS:
        raise IndustryError(_("unknown industry %(code)r: a GB/T 4754 section letter such as C") % {"code": industry})
    if outlook not in Outlook.values:
        raise IndustryError(_("unknown outlook %(value)r: one of %(values)s")
                            % {"value": outlook, "values": ", ".join(Outlook.values)})
    note = (note or "").strip()[:300]
    with transaction.atomic():
        row, created = IndustryOutlook.objects.select_for_update().get_or_create(industry=industry)
        before = None if created else {f: getattr(row, f) for f in OUTLOOK_FIELDS}
        raised = bool(alarm) and (created or not row.alarm)
        OutlookChange.objects.create(industry=industry, outlook=outlook, alarm=bool(alarm), note=note, source=source,
                                     previous_outlook="" if created else row.outlook,
                                     previous_alarm=None if created else row.alarm, changed_by=actor)
        row.outlook, row.alarm, row.note, row.updated_by = outlook, bool(alarm), note, actor
        row.save()
        record(actor, "industry_outlook.changed", "industryoutlook", row.pk,
               before=before, after={"industry": industry, **{f: getattr(row, f) for f in OUTLOOK_FIELDS}})
        if raised:
            ids = list(Customer.objects.filter(industry=industry).values_list("pk", flat=True))
            if ids:
                alarm_raised.send(sender=IndustryOutlook, industry=industry, customer_ids=ids, actor=actor)
    return row


# --- indicators ---------------------------------------------------------------------------------------

@dataclass
class IndicatorIn:
    """An indicator's fields as a form, the API or a command gives them (text; checked by `check_indicator`)."""

    code: str
    name: str
    industry: str
    unit: str
    source: str
    direction: str
    frequency: str = Frequency.MONTHLY
    region: str = ""
    warning_level: Decimal | None = None
    alarm_level: Decimal | None = None
    description: str = ""


def check_indicator(data: IndicatorIn, exclude_pk: int | None = None) -> dict[str, str]:
    """Every problem of the fields, by field (empty when they are acceptable)."""
    problems: dict[str, str] = {}
    if not CODE.match(data.code or ""):
        problems["code"] = _("lower-case letters, digits, - and _ (at most 40), e.g. e-cement-output")
    elif Indicator.objects.filter(code=data.code).exclude(pk=exclude_pk).exists():
        problems["code"] = _("another indicator has this code")
    for name in ("name", "unit", "source"):
        if not (getattr(data, name) or "").strip():
            problems[name] = _("required")
    if data.industry not in industries.SECTIONS:
        problems["industry"] = _("a GB/T 4754 section letter such as E")
    if data.region and (why := regions.problem(data.region)):
        problems["region"] = why
    if data.frequency not in Frequency.values:
        problems["frequency"] = _("one of %(values)s") % {"values": ", ".join(Frequency.values)}
    if data.direction not in Direction.values:
        problems["direction"] = _("one of %(values)s") % {"values": ", ".join(Direction.values)}
    for name in ("warning_level", "alarm_level"):
        value = getattr(data, name)
        if value is not None and (not value.is_finite() or abs(value) >= MAX_VALUE):
            problems[name] = _("not a number we can keep")
    warn, alarm = data.warning_level, data.alarm_level
    if "warning_level" not in problems and "alarm_level" not in problems and warn is not None and alarm is not None:
        worse = alarm < warn if data.direction == Direction.LOWER_IS_RISKIER else alarm > warn
        if alarm != warn and not worse:
            problems["alarm_level"] = _("the alarm threshold must lie beyond the warning threshold on the risky side")
    if not problems.get("name") and Indicator.objects.filter(name=data.name.strip(), region=data.region or "") \
            .exclude(pk=exclude_pk).exclude(code=data.code).exists():
        problems["name"] = _("another indicator of this region has this name")
    return problems


@transaction.atomic(durable=True)
def save_indicator(*, actor, data: IndicatorIn, indicator: Indicator | None = None) -> Indicator:
    """Add an indicator to the library, or change one (`indicator`); IndicatorInvalid with every problem."""
    require(actor, "industry.change_indicator" if indicator else "industry.add_indicator")
    data.code, data.name = (data.code or "").strip(), (data.name or "").strip()
    data.region = (data.region or "").strip()
    problems = check_indicator(data, exclude_pk=indicator.pk if indicator else None)
    if problems:
        raise IndicatorInvalid(problems)
    if indicator is not None:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = snapshot(indicator, INDICATOR_FIELDS) if indicator else None
    row = indicator or Indicator(created_by=actor)
    for name in INDICATOR_FIELDS:
        value = getattr(data, name)
        setattr(row, name, value.strip()[:500] if isinstance(value, str) else value)
    row.save()
    record(actor, "indicator.changed" if before else "indicator.added", "indicator", row.pk,
           before=before, after=snapshot(row, INDICATOR_FIELDS))
    return row


# --- observations -------------------------------------------------------------------------------------

def read_value(text: str) -> Decimal | None:
    """A released value ("75.2", "-3.1", "1,234.5", "12.5%") as a Decimal, or None if it is not one."""
    cleaned = (text or "").strip().replace(",", "").removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value.quantize(PLACES) if value.is_finite() and abs(value) < MAX_VALUE else None


def period_problem(indicator: Indicator, period: date) -> str | None:
    if not is_period_end(period, indicator.frequency):
        return _("a %(frequency)s indicator's period is the last day of its period (e.g. %(example)s)") % {
            "frequency": indicator.get_frequency_display().lower(), "example": period_label(period, indicator.frequency)}
    return None


@transaction.atomic(savepoint=False)
def write_observations(*, actor, rows: list[tuple[Indicator, date, Decimal]], source: str,
                       file_name: str = "") -> tuple[int, int, list[dict]]:
    """Write checked (indicator, period, value) rows: new periods are added, known ones get the new value
    (a revised release). (added, revised, what each revision changed). The caller checked permission and rows."""
    keys = {(ind.pk, period) for ind, period, _v in rows}
    known = {(o.indicator_id, o.period): o for o in Observation.objects.select_for_update().filter(
        indicator_id__in={k[0] for k in keys}, period__in={k[1] for k in keys})}
    fresh, revised, changes = [], [], []
    for indicator, period, value in rows:
        old = known.get((indicator.pk, period))
        if old is None:
            fresh.append(Observation(indicator=indicator, period=period, value=value, source=source,
                                     file_name=file_name[:200], entered_by=actor))
        elif old.value != value:
            changes.append({"indicator": indicator.code, "period": period.isoformat(), "before": str(old.value),
                            "after": str(value)})
            old.value, old.source, old.file_name, old.entered_by = value, source, file_name[:200], actor
            revised.append(old)
    Observation.objects.bulk_create(fresh, batch_size=1000)
    Observation.objects.bulk_update(revised, ["value", "source", "file_name", "entered_by"], batch_size=1000)
    return len(fresh), len(revised), changes


@transaction.atomic(durable=True)
def record_observation(*, actor, indicator: Indicator, period: date, value: Decimal) -> Observation:
    """Enter one observation by hand (or correct one): `period` is the period's last day."""
    require(actor, "industry.add_observation")
    if (why := period_problem(indicator, period)) is not None:
        raise IndustryError(why)
    if not isinstance(value, Decimal) or not value.is_finite() or abs(value) >= MAX_VALUE:
        raise IndustryError(_("the value is not a number we can keep"))
    value = value.quantize(PLACES)
    added, revised, changes = write_observations(actor=actor, rows=[(indicator, period, value)],
                                                 source=ObservationSource.MANUAL)
    row = Observation.objects.get(indicator=indicator, period=period)
    record(actor, "observation.entered", "observation", row.pk, before=changes[0]["before"] if changes else None,
           after={"indicator": indicator.code, "period": period.isoformat(), "value": str(value)})
    return row
