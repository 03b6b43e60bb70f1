"""Importing indicator observations from a statistics release: a CSV or XLSX file in the shape the NBS
(国家统计局, data.stats.gov.cn) or an industry association publishes.

Design decisions:
- The file is read by the importer's own reader (integrations.sources: UTF-8 or GBK/GB18030, CSV or XLSX,
  every cell as text, zip bombs refused), so a release is decoded exactly as an ERP export is.
- Two layouts are understood. *Wide*, as the NBS exports: a preamble ("数据库：月度数据", "时间：最近36个月"),
  then a header row "指标, 2024年10月, 2024年9月, …" with one indicator per row and one period per column,
  then footnotes ("注：…", "数据来源：国家统计局"). *Long*: columns indicator, period, value (any order,
  Chinese or English headers). The header row is the first row that names an indicator column.
- An indicator is named by its code or its name (a unit in brackets after the name, "(%)", is ignored);
  with a region column (a GB/T 2260 code or a name), by name and region.
- Every row is checked before anything is written; every problem names its row, column and value (an
  unknown indicator, a period that is not one or not of the indicator's frequency, a value that is not a
  number, the same indicator and period twice). With any problem nothing is written. A blank cell (or
  "…", "-", as releases write a value not yet published) is no observation.
- Re-importing a file changes nothing; a revised value replaces the earlier one (the audit event keeps both).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from fengkong.core import regions
from fengkong.core.audit import record
from fengkong.core.permissions import require
from fengkong.integrations.exceptions import FileRejected
from fengkong.integrations.mapping import Mapping
from fengkong.integrations.sources import ROW, open_source, peek_rows
from fengkong.integrations.uploads import scratch_dir

from .actions import read_value, write_observations
from .choices import ObservationSource
from .exceptions import ImportInvalid
from .models import Indicator
from .periods import parse_period

INDICATOR_HEADERS = ("指标", "指标名称", "指标代码", "indicator", "indicator_code", "indicator code", "code", "代码")
PERIOD_HEADERS = ("时间", "期间", "报告期", "日期", "period", "date", "month", "time")
VALUE_HEADERS = ("数值", "值", "value", "数据")
REGION_HEADERS = ("地区", "地区代码", "行政区划代码", "region", "region_code")
UNIT_HEADERS = ("单位", "unit")
NOT_RELEASED = {"", "…", "...", "-", "—", "--", "NA", "N/A", "n/a"}
FOOTNOTE = re.compile(r"^(注|数据来源|来源|说明|note|source)\s*[:：]?", re.IGNORECASE)
UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
PEEK = 30
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Imported:
    observations: int  # values read from the file
    added: int
    revised: int
    indicators: int


def import_observations(*, actor, data: bytes, file_name: str) -> Imported:
    """Check every row of the release, then write its observations, or nothing at all (ImportInvalid).
    `actor` None is the system (the `fengkong industry import` command run without --user, as `fengkong import`)."""
    if actor is not None:
        require(actor, "industry.add_observation")
    headers, rows = read_release(data, file_name)
    checked, problems = check_release(headers, rows)
    if problems:
        raise ImportInvalid(problems)
    with transaction.atomic(durable=True):
        added, revised, changes = write_observations(actor=actor, rows=checked, source=ObservationSource.IMPORT,
                                                     file_name=file_name)
        indicators = sorted({ind.code for ind, _p, _v in checked})
        record(actor, "observations.imported", "observation", file_name[:100], after={
            "file": file_name[:200], "observations": len(checked), "added": added, "revised": revised,
            "indicators": indicators, "revisions": changes[:200]})
    return Imported(len(checked), added, revised, len(indicators))


def read_release(data: bytes, file_name: str) -> tuple[list[str], list[dict]]:
    """(headers, rows as dicts with ROW) of the file, its preamble skipped; ImportInvalid when it is no table."""
    with tempfile.NamedTemporaryFile(dir=scratch_dir(), prefix="release-", suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        path = Path(handle.name)
        skip = header_row(peek_rows(path, file_name, PEEK))
        try:
            with open_source(path, file_name, Mapping(skip_rows=skip or 0)) as source:
                table = next(source.batches(None))
        except FileRejected as exc:
            raise ImportInvalid([exc.message]) from None
    if skip is None:
        raise ImportInvalid([_("the file has no indicator column (a header such as 指标 or indicator) in its "
                               "first %(n)d rows (headers: %(headers)s)")
                             % {"n": PEEK, "headers": ", ".join(h for h in table.headers if h) or "—"}])
    if table.frame.height > MAX_ROWS:
        raise ImportInvalid([_("the file has %(n)s rows; at most %(max)s are imported at once")
                             % {"n": f"{table.frame.height:,}", "max": f"{MAX_ROWS:,}"}])
    return table.headers, table.frame.to_dicts()


def header_row(rows: list[list[str]]) -> int | None:
    """How many rows come before the header row (the first naming an indicator column), or None."""
    for i, cells in enumerate(rows):
        if any(_key(c) in INDICATOR_HEADERS for c in cells):
            return i
    return None


def _key(header: str) -> str:
    return (header or "").strip().lower()


def _find(headers: list[str], spellings: tuple[str, ...]) -> str | None:
    return next((h for h in headers if _key(h) in spellings), None)


@dataclass
class Layout:
    indicator: str
    region: str | None
    period: str | None = None   # long layout
    value: str | None = None
    periods: dict[str, tuple[date, str]] | None = None   # wide layout: column -> (period end, frequency)


def layout_of(headers: list[str]) -> tuple[Layout, list[str]]:
    """How the release is laid out, and the problems of its header row."""
    indicator, region = _find(headers, INDICATOR_HEADERS), _find(headers, REGION_HEADERS)
    period, value = _find(headers, PERIOD_HEADERS), _find(headers, VALUE_HEADERS)
    if period and value:
        return Layout(indicator, region, period, value), []
    skip = {indicator, region, _find(headers, UNIT_HEADERS)}
    periods, problems = {}, []
    for header in headers:
        if header in skip or not header:
            continue
        parsed = parse_period(header)
        if parsed is None:
            problems.append(_("column %(col)r: not a period like 2024年10月, 2024年第三季度 or 2024 (or give "
                              "period and value columns)") % {"col": header})
        else:
            periods[header] = parsed
    if not periods and not problems:
        problems.append(_("the file has no period columns and no period and value columns"))
    return Layout(indicator, region, periods=periods), problems


def _region_code(text: str) -> str | None:
    text = text.strip()
    if not text:
        return ""
    if regions.problem(text) is None:
        return text
    for code, (zh, en) in regions.PROVINCES.items():
        if text in (zh, en, zh.removesuffix("省").removesuffix("市")):
            return code + "0000"
    for code, (zh, en) in regions.CITIES.items():
        if text in (zh, en):
            return code
    return None


class Library:
    """The indicators a release may name, looked up by code, or by name (and region)."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for ind in Indicator.objects.all():
            self.by_code[ind.code.lower()] = ind
            self.by_name.setdefault(ind.name, []).append(ind)

    def find(self, text: str, region: str | None) -> Indicator | None:
        text = text.strip()
        if (found := self.by_code.get(text.lower())) is not None:
            return found
        named = self.by_name.get(text) or self.by_name.get(UNIT_SUFFIX.sub("", text)) or []
        if region is not None:
            named = [i for i in named if i.region == region]
        return named[0] if len(named) == 1 else None


def check_release(headers: list[str], rows: list[dict]) -> tuple[list[tuple[Indicator, date, Decimal]], list[str]]:
    """The release's observations (indicator, period end, value) and every problem found."""
    layout, problems = layout_of(headers)
    if problems:
        return [], problems
    library, seen, checked = Library(), {}, []
    for row in rows:
        line = row.get(ROW, "?")

        def bad(column: str, value: str, why: str, line=line) -> None:
            problems.append(_("row %(row)s, column %(col)s: %(why)s (%(value)r)")
                            % {"row": line, "col": column, "why": why, "value": value})

        name = (row.get(layout.indicator) or "").strip()
        cells = ([(layout.period, row.get(layout.period) or "")] if layout.period
                 else [(col, col) for col in layout.periods])
        values = [(col, (row.get(layout.value if layout.period else col) or "").strip()) for col, _p in cells]
        if FOOTNOTE.match(name) and all(v in NOT_RELEASED for _c, v in values):
            continue
        region = None
        if layout.region:
            region = _region_code(row.get(layout.region) or "")
            if region is None:
                bad(layout.region, row.get(layout.region) or "", _("not a GB/T 2260 region code or a region we know"))
                continue
        indicator = library.find(name, region)
        if indicator is None:
            bad(layout.indicator, name, _("no indicator of the library has this code or name (add it first)"))
            continue
        for (column, period_text), (value_column, text) in zip(cells, values, strict=True):
            if text in NOT_RELEASED:
                continue
            parsed = parse_period(period_text) if layout.period else layout.periods[column]
            if parsed is None:
                bad(column, period_text, _("not a period like 2024年10月, 2024年第三季度 or 2024"))
                continue
            period, frequency = parsed
            if frequency != indicator.frequency:
                bad(column, period_text, _("indicator %(code)s is %(frequency)s") % {
                    "code": indicator.code, "frequency": indicator.get_frequency_display().lower()})
                continue
            value = read_value(text)
            if value is None:
                bad(value_column if layout.period else column, text, _("not a number"))
                continue
            key = (indicator.pk, period)
            if key in seen:
                bad(column, period_text, _("indicator %(code)s has this period already in row %(row)s")
                    % {"code": indicator.code, "row": seen[key]})
                continue
            seen[key] = line
            checked.append((indicator, period, value))
    if not checked and not problems:
        problems.append(_("the file holds no observations"))
    return checked, problems
