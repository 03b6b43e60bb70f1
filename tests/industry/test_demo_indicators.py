"""The demo's three years of releases go through the real importer and show the downturn."""

from __future__ import annotations

from datetime import date

import pytest

from fengkong.demo.indicators import MONTHS, load_indicators
from fengkong.industry.models import Indicator, Observation

pytestmark = pytest.mark.django_db


def test_three_years_of_releases_show_construction_and_real_estate_in_alarm(analyst):
    added = load_indicators(date(2026, 12, 7), 7, analyst)
    assert added == 4 * MONTHS + MONTHS // 3 == Observation.objects.count()
    latest = {i.code: i.breach(Observation.objects.filter(indicator=i).latest("period").value)
              for i in Indicator.objects.all()}
    assert latest["k-sales-area"] == "alarm" and latest["e-cement"] == "alarm" and latest["c-pmi"] != "alarm"
    first = Observation.objects.filter(indicator__code="k-sales-area").earliest("period")
    assert first.period == date(2023, 12, 31) and first.indicator.breach(first.value) is None
