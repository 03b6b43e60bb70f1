"""Industry endpoints of /api/v1/industry: the indicator library, one indicator with its observations,
entering an observation, the outlooks and setting one. Industry data belongs to no portfolio: readers with
the view permission see all of it (queries)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from ninja import Path, Query, Router, Status

from fengkong.core.schemas import answers, caller, page

from . import actions, queries
from .exceptions import IndustryError
from .schemas import (
    IndicatorDetailOut,
    IndicatorFilters,
    IndicatorPage,
    ObservationIn,
    ObservationOut,
    OutlookIn,
    OutlookOut,
)

router = Router(tags=["industry"])
IndicatorCode = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$",
                                    description="The indicator's code")]


def _detail(indicator) -> dict:
    rows = list(queries.observations(indicator))
    return {**{f: getattr(indicator, f) for f in actions.INDICATOR_FIELDS}, "observed": len(rows),
            "latest": rows[-1].period if rows else None,
            "observations": [{"period": o.period, "value": o.value, "source": o.source, "breach": indicator.breach(o.value),
                              "entered_by": o.entered_by, "entered_at": o.entered_at} for o in rows]}


@router.get("/industry/indicators", response=answers(IndicatorPage, 403, 422), url_name="industry_indicator_list")
def industry_indicator_list(request, filters: Query[IndicatorFilters]):
    """The indicator library, with each indicator's count of observations and latest period."""
    return page(queries.indicators(caller(request), filters.industry), filters.limit, filters.offset)


@router.get("/industry/indicators/{indicator_code}", response=answers(IndicatorDetailOut, 403, 404, 422),
            url_name="industry_indicator_detail")
def industry_indicator_detail(request, indicator_code: IndicatorCode):
    """One indicator with every observation, oldest first, each against the thresholds."""
    return _detail(queries.indicator_for(caller(request), indicator_code))


@router.post("/industry/indicators/{indicator_code}/observations",
             response=answers({201: ObservationOut}, 400, 403, 404, 422), url_name="industry_observation_add")
def industry_observation_add(request, indicator_code: IndicatorCode, body: ObservationIn):
    """Enter (or correct) one observation; the period is its last day."""
    user = caller(request)
    if not user.has_perm("industry.add_observation"):
        raise PermissionDenied("industry.add_observation")
    indicator = queries.indicator_for(user, indicator_code)
    try:
        row = actions.record_observation(actor=user, indicator=indicator, period=body.period, value=body.value)
    except IndustryError as exc:
        raise ValidationError({"period": [str(exc)]}) from None
    return Status(201, {"period": row.period, "value": row.value, "source": row.source,
                        "breach": indicator.breach(row.value), "entered_by": row.entered_by,
                        "entered_at": row.entered_at})


@router.get("/industry/outlooks", response=answers(list[OutlookOut], 403, 422), url_name="industry_outlook_list")
def industry_outlook_list(request):
    """Every industry's outlook in force and its systemic alarm."""
    return list(queries.outlooks(caller(request)))


@router.post("/industry/outlooks", response=answers(OutlookOut, 400, 403, 422), url_name="industry_outlook_set")
def industry_outlook_set(request, body: OutlookIn):
    """Set an industry's outlook and raise or lift its alarm (raising re-assesses its customers)."""
    user = caller(request)
    try:
        return actions.set_outlook(actor=user, industry=body.industry, outlook=body.outlook, alarm=body.alarm,
                                   note=body.note)
    except IndustryError as exc:
        raise ValidationError({NON_FIELD_ERRORS: [str(exc)]}) from None
