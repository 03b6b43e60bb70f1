"""The demo company's indicator library: three years of monthly and quarterly releases in which
construction (E) and real estate (K) slide into the downturn the demo book already shows, manufacturing
(C) hovers about the PMI's 50 line. The values go in through the real importer, as an NBS-shaped GBK release
(preamble, 指标 and one column per period, footnote), and the indicators through the library's action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from fengkong.industry.actions import IndicatorIn, save_indicator
from fengkong.industry.importing import import_observations
from fengkong.industry.periods import month_end

MONTHS = 36
# code, name, industry, region, unit, frequency, direction, warning, alarm, start, end, noise
INDICATORS = [
    ("e-cement", "水泥产量", "E", "", "万吨", "monthly", "lower", 1700, 1400, 2150, 1380, 60),
    ("e-cq-output", "重庆建筑业总产值增速", "E", "500000", "%", "quarterly", "lower", 0, -5, 6.5, -6.8, 0.8),
    ("k-sales-area", "商品房销售面积累计增长", "K", "", "%", "monthly", "lower", -5, -15, 2.0, -18.5, 1.2),
    ("k-new-starts", "房屋新开工面积累计增长", "K", "", "%", "monthly", "lower", -10, -25, -3.0, -27.0, 2.0),
    ("c-pmi", "制造业采购经理指数", "C", "", "%", "monthly", "lower", 49, 47, 50.2, 49.4, 0.4),
]


def periods(as_of: date, frequency: str) -> list[date]:
    """The last MONTHS month-ends before `as_of` (quarter-ends for a quarterly indicator), oldest first."""
    ends, year, month = [], as_of.year, as_of.month
    for _i in range(MONTHS):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(month_end(year, month))
    ends.reverse()
    return [d for d in ends if frequency == "monthly" or d.month % 3 == 0]


QUARTERS = "一二三四"


def heading(day: date, frequency: str) -> str:
    return f"{day.year}年{day.month}月" if frequency == "monthly" else f"{day.year}年第{QUARTERS[day.month // 3 - 1]}季度"


def release(as_of: date, seed: int, frequency: str = "monthly") -> str:
    """An NBS-shaped release of the demo indicators of one frequency: one row each, newest period first."""
    rng = np.random.default_rng(seed + 15)
    columns = periods(as_of, frequency)[::-1]
    database = "月度数据" if frequency == "monthly" else "季度数据"
    lines = [f"数据库：{database}", f"时间：最近{MONTHS}个月", "指标," + ",".join(heading(d, frequency) for d in columns)]
    for _code, name, _s, _r, unit, of, _d, _w, _a, start, end, noise in INDICATORS:
        if of != frequency:
            continue
        path = np.linspace(start, end, len(columns))[::-1] + rng.normal(0, noise, len(columns))
        lines.append(f"{name}({unit})," + ",".join(f"{v:.1f}" for v in path))
    lines.append("数据来源：国家统计局、重庆市统计局(演示数据)")
    return "\n".join(lines) + "\n"


def load_indicators(as_of: date, seed: int, analyst) -> int:
    """Add the demo indicators and import three years of their releases; the observations written."""
    for code, name, section, region, unit, frequency, direction, warning, alarm, *_path in INDICATORS:
        save_indicator(actor=analyst, data=IndicatorIn(
            code=code, name=name, industry=section, region=region, unit=unit, frequency=frequency,
            source="国家统计局" if not region else "重庆市统计局", direction=direction,
            warning_level=Decimal(str(warning)), alarm_level=Decimal(str(alarm))))
    return sum(import_observations(actor=analyst, data=release(as_of, seed, frequency).encode("gbk"),
                                   file_name=f"统计局-{frequency}.csv").added for frequency in ("monthly", "quarterly"))
