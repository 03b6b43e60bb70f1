"""The aging report: what the dashboard, the /aging API and the Excel export read, and the workbook itself.

Design decisions:
- Every figure comes from the customer snapshots of one risk cycle (`as_of`, by default the latest
  completed one), scoped with `CustomerSnapshot.objects.for_user`: a collector's report covers their
  portfolio only, exactly like the pages and the API. Sums per portfolio, industry or region are added
  up by the database from those scoped rows, never read from BookSnapshot (which covers the whole book).
  Commands run without a user (`user=None`): the whole book.
- Bucket labels follow the edges the cycle used (MonitoringDay.edges), so a report of a day aged with other
  edges is labelled correctly.
- The workbook is written by xlsxwriter in constant-memory mode (each sheet row by row to a temporary
  file) from server-side iterators, then streamed: memory stays flat for 50,000 customers. The summary
  sheet carries a native Excel stacked column chart (workbook.add_chart), not a picture. Every text cell
  goes through core.spreadsheets.write_text: a string cell, escaped, so a customer name starting with "="
  (or "+", "-", "@") is shown, never run, even once the cell is edited or the sheet saved as CSV; amounts
  are number cells (a negative amount stays a number).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from fengkong.core import industries, regions
from fengkong.core.charts import bucket_label
from fengkong.core.permissions import sees_all
from fengkong.core.spreadsheets import write_text
from fengkong.engine.aging import DEFAULT_EDGES, AgingBucket, bucket_bounds

from .choices import Zone
from .models import BUCKET_FIELDS, CustomerSnapshot, MonitoringDay

GROUPS = ("portfolio", "industry", "region")
AMOUNT_FIELDS = ("open_amount", "overdue_amount", "open_orders", "exposure")
SUM_FIELDS = (*BUCKET_FIELDS, *AMOUNT_FIELDS)
ZERO = Decimal("0.00")
TREND_DATES = 12
CHUNK = 2000


def visible_snapshots(user) -> QuerySet:
    """The customer snapshots `user` may see; the whole book for a command run without a user."""
    return CustomerSnapshot.objects.all() if user is None else CustomerSnapshot.objects.for_user(user)


def report_date(as_of: date | None = None) -> date | None:
    """`as_of` if a cycle completed that day, else None; without `as_of`, the latest completed cycle."""
    if as_of is None:
        return CustomerSnapshot.objects.latest_as_of()
    return as_of if MonitoringDay.objects.filter(as_of=as_of).exists() else None


def edges_of(as_of: date | None) -> tuple[int, ...]:
    day = MonitoringDay.objects.filter(as_of=as_of).first() if as_of else None
    return tuple(day.edges) if day and day.edges else DEFAULT_EDGES


def bucket_labels(edges: tuple[int, ...]) -> list[str]:
    return [bucket_label(AgingBucket(low, high, 0, 0)) for low, high in bucket_bounds(edges)][:len(BUCKET_FIELDS)]


def _sums() -> dict:
    return {name: Coalesce(Sum(name), Value(ZERO)) for name in SUM_FIELDS}


def _key(group: str):
    return {"portfolio": Coalesce(F("customer__portfolio__code"), Value("")),
            "industry": F("customer__industry"),
            "region": Substr("customer__region", 1, 2)}[group]


def group_label(group: str, key: str) -> str:
    if not key:
        return _("No portfolio") if group == "portfolio" else "—"
    if group == "industry":
        return industries.label(key)
    if group == "region":
        return regions.label(key + "0000")
    return key


@dataclass(frozen=True)
class AgingRow:
    key: str
    label: str
    customers: int
    buckets: list[Decimal]
    open_amount: Decimal
    overdue_amount: Decimal
    open_orders: Decimal
    exposure: Decimal


def _row(key: str, label: str, values: dict) -> AgingRow:
    return AgingRow(key=key, label=label, customers=values.get("customers") or 0,
                    buckets=[values[f] or ZERO for f in BUCKET_FIELDS],
                    **{f: values[f] or ZERO for f in AMOUNT_FIELDS})


def book_total(snapshots: QuerySet) -> AgingRow:
    values = snapshots.aggregate(customers=Count("pk"), **_sums())
    return _row("", _("Total"), values)


def grouped(snapshots: QuerySet, group: str) -> list[AgingRow]:
    """Sums per portfolio, industry or region (province) of the given (scoped, one-day) snapshots."""
    rows = (snapshots.order_by().annotate(key=_key(group)).values("key")
            .annotate(customers=Count("pk"), **_sums()).order_by("key"))
    return [_row(r["key"], group_label(group, r["key"]), r) for r in rows]


def trend(snapshots: QuerySet, until: date | None, dates: int = TREND_DATES) -> list[dict]:
    """Bucket sums per snapshot date, the last `dates` cycles up to `until` (oldest first)."""
    days = list(MonitoringDay.objects.filter(as_of__lte=until).order_by("-as_of")
                .values_list("as_of", flat=True)[:dates]) if until else []
    if not days:
        return []
    rows = (snapshots.filter(as_of__in=days).order_by().values("as_of")
            .annotate(**{f: Coalesce(Sum(f), Value(ZERO)) for f in BUCKET_FIELDS}).order_by("as_of"))
    return list(rows)


CUSTOMER_COLUMNS = ("customer__code", "customer__name", "portfolio_code", "customer__industry",
                    "customer__region", "zone", "max_days_overdue", "open_items", *SUM_FIELDS)


def customer_rows(snapshots: QuerySet):
    """One tuple per customer (CUSTOMER_COLUMNS), most overdue first, read in chunks from the database."""
    return (snapshots.annotate(portfolio_code=Coalesce(F("customer__portfolio__code"), Value("")))
            .order_by("-overdue_amount", "customer__code").values_list(*CUSTOMER_COLUMNS)
            .iterator(chunk_size=CHUNK))


def latest_customer_zone_money(snapshots: QuerySet) -> dict[int, dict]:
    """Open receivables and customer counts per zone (a customer is in the zone of its worst item)."""
    rows = snapshots.order_by().values("zone").annotate(amount=Coalesce(Sum("open_amount"), Value(ZERO)),
                                                         customers=Count("pk"))
    found = {r["zone"]: r for r in rows}
    return {zone: found.get(zone, {"zone": zone, "amount": ZERO, "customers": 0}) for zone in Zone.values}


# --- the workbook -------------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00"


class AgingWorkbook:
    """Writes the three sheets of the aging report of `as_of` for `user` (None: the whole book)."""

    def __init__(self, user, as_of: date | None):
        self.user = user
        self.as_of = as_of
        self.edges = edges_of(as_of)
        self.labels = bucket_labels(self.edges)
        self.snapshots = visible_snapshots(user)
        self.day = self.snapshots.filter(as_of=as_of) if as_of else self.snapshots.none()

    def write(self, target: str | Path) -> int:
        """Write the workbook to `target`; return the number of customer rows."""
        workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True,
                                                     "tmpdir": tempfile.gettempdir()})
        self.formats = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "head": workbook.add_format({"bold": True, "bg_color": "#12355B", "font_color": "#FFFFFF",
                                         "text_wrap": True, "valign": "vcenter", "border": 1}),
            "money": workbook.add_format({"num_format": MONEY_FORMAT}),
            "money_bold": workbook.add_format({"num_format": MONEY_FORMAT, "bold": True, "top": 1}),
            "bold": workbook.add_format({"bold": True, "top": 1}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"}),
            "int": workbook.add_format({"num_format": "#,##0"}),
            "muted": workbook.add_format({"font_color": "#5A6473"}),
        }
        summary = workbook.add_worksheet(_("Summary"))
        customers = workbook.add_worksheet(_("Customers"))
        groups = workbook.add_worksheet(_("By group"))
        self._summary(workbook, summary)
        count = self._customers(customers)
        self._groups(groups)
        workbook.close()
        return count

    def _head(self, sheet, row: int, titles: list[str]) -> None:
        for col, title in enumerate(titles):
            write_text(sheet, row, col, title, self.formats["head"])

    def _summary(self, workbook, sheet) -> None:
        f = self.formats
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, len(self.labels) + 1, 15)
        day = self.as_of.isoformat() if self.as_of else _("no risk cycle has run yet")
        write_text(sheet, 0, 0, _("Aging report as of %(day)s") % {"day": day}, f["title"])
        total = book_total(self.day)
        scope_note = (_("Whole book") if self.user is None or self._sees_all()
                      else _("Customers of your portfolios"))
        write_text(sheet, 1, 0, f"{scope_note} · {_('Customers')}: {total.customers:,}", f["muted"])
        self._head(sheet, 3, [_("Days overdue"), _("Open amount (%(code)s)") % {"code": settings.FUNCTIONAL_CURRENCY}, _("Share")])
        whole = total.open_amount or Decimal(0)
        for i, (label, amount) in enumerate(zip(self.labels, total.buckets, strict=False)):
            write_text(sheet, 4 + i, 0, label)
            sheet.write_number(4 + i, 1, amount, f["money"])
            sheet.write_number(4 + i, 2, float(amount / whole) if whole else 0, f["percent"])
        end = 4 + len(self.labels)
        write_text(sheet, end, 0, _("Total"), f["bold"])
        sheet.write_number(end, 1, total.open_amount, f["money_bold"])
        write_text(sheet, end + 1, 0, _("of which overdue"))
        sheet.write_number(end + 1, 1, total.overdue_amount, f["money"])
        write_text(sheet, end + 2, 0, _("Open sales orders"))
        sheet.write_number(end + 2, 1, total.open_orders, f["money"])
        write_text(sheet, end + 3, 0, _("Exposure"))
        sheet.write_number(end + 3, 1, total.exposure, f["money"])
        self._trend(workbook, sheet, end + 5)

    def _sees_all(self) -> bool:
        return sees_all(self.user)

    def _trend(self, workbook, sheet, top: int) -> None:
        f = self.formats
        write_text(sheet, top, 0, _("Aging structure over the last risk cycles"), f["title"])
        self._head(sheet, top + 1, [_("As of"), *self.labels])
        rows = trend(self.snapshots, self.as_of)
        for i, row in enumerate(rows):
            sheet.write_datetime(top + 2 + i, 0, _midnight(row["as_of"]), f["date"])
            for j, name in enumerate(BUCKET_FIELDS):
                sheet.write_number(top + 2 + i, 1 + j, row[name], f["money"])
        if not rows:
            return
        first, last = top + 2, top + 1 + len(rows)
        name = sheet.get_name()
        chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
        for j, colour in enumerate(BUCKET_COLOURS[:len(self.labels)]):
            chart.add_series({
                "name": [name, top + 1, 1 + j],
                "categories": [name, first, 0, last, 0],
                "values": [name, first, 1 + j, last, 1 + j],
                "fill": {"color": colour},
                "gap": 60,
            })
        chart.set_title({"name": _("Aging structure (%(code)s)") % {"code": settings.FUNCTIONAL_CURRENCY}})
        chart.set_x_axis({"name": _("As of"), "date_axis": False, "num_format": "yyyy-mm-dd"})
        chart.set_y_axis({"name": _("Open amount (%(code)s)") % {"code": settings.FUNCTIONAL_CURRENCY},
                          "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 380})
        sheet.insert_chart(3, len(self.labels) + 2, chart, {"x_offset": 10})

    def _customers(self, sheet) -> int:
        f = self.formats
        titles = [_("Customer code"), _("Customer name"), _("Portfolio"), _("Industry"), _("Region"), _("Zone"),
                  _("Most days overdue"), _("Open items"), *self.labels, _("Open receivables"), _("Overdue"),
                  _("Open sales orders"), _("Exposure")]
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 34)
        sheet.set_column(2, 2, 10)
        sheet.set_column(3, 4, 18)
        sheet.set_column(5, 7, 10)
        sheet.set_column(8, len(titles) - 1, 15, f["money"])
        sheet.set_row(0, 32)
        self._head(sheet, 0, titles)
        zones = dict(Zone.choices)
        industry_names: dict[str, str] = {}
        region_names: dict[str, str] = {}
        count = 0
        for count, row in enumerate(customer_rows(self.day), start=1):
            code, name, portfolio, industry, region, zone, days, items, *money = row
            write_text(sheet, count, 0, code)
            write_text(sheet, count, 1, name)
            write_text(sheet, count, 2, portfolio)
            write_text(sheet, count, 3, industry_names.setdefault(industry, group_label("industry", industry)))
            write_text(sheet, count, 4, region_names.setdefault(region, regions.label(region) if region else "—"))
            write_text(sheet, count, 5, str(zones.get(zone, zone)))
            sheet.write_number(count, 6, days, f["int"])
            sheet.write_number(count, 7, items, f["int"])
            for j, value in enumerate(money):
                sheet.write_number(count, 8 + j, value, f["money"])
        sheet.freeze_panes(1, 2)
        sheet.autofilter(0, 0, max(count, 1), len(titles) - 1)
        return count

    def _groups(self, sheet) -> None:
        f = self.formats
        titles = [_("Group"), _("Customers"), *self.labels, _("Open receivables"), _("Overdue"),
                  _("Open sales orders"), _("Exposure")]
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 10)
        sheet.set_column(2, len(titles) - 1, 15)
        row = 0
        names = {"portfolio": _("By portfolio"), "industry": _("By industry"), "region": _("By region (province)")}
        for group in GROUPS:
            write_text(sheet, row, 0, names[group], f["title"])
            self._head(sheet, row + 1, titles)
            row += 2
            for line in grouped(self.day, group):
                write_text(sheet, row, 0, line.label)
                sheet.write_number(row, 1, line.customers, f["int"])
                values = [*line.buckets, line.open_amount, line.overdue_amount, line.open_orders, line.exposure]
                for j, value in enumerate(values):
                    sheet.write_number(row, 2 + j, value, f["money"])
                row += 1
            row += 1


BUCKET_COLOURS = ["#2F855A", "#B7791F", "#DD6B20", "#C05621", "#C53030", "#9B2C2C", "#63171B"]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - an Excel date cell has no time zone


def write_aging_workbook(target: str | Path, *, user, as_of: date | None) -> int:
    """Write the aging report workbook of `as_of` as `user` may see it; return the customer rows written."""
    return AgingWorkbook(user, as_of).write(target)


def workbook_name(as_of: date | None) -> str:
    return f"aging-{as_of:%Y%m%d}.xlsx" if as_of else "aging.xlsx"
