"""The call-record import: a call centre's CSV (or XLSX) export of calls, one contact per row.

Design decisions:
- The file is read by the importer's own reader (integrations.sources.decode_table: UTF-8 or GBK/GB18030,
  CSV or XLSX, every cell as text); headers in English or Chinese, in any order.
- Every row is checked before anything is written, and every problem is reported with its row, column and
  value (an unknown customer, one outside the importer's portfolio, a time that is not a time or lies in the
  future, an unknown channel or outcome, a negative duration). With any problem nothing is written.
- Re-importing the same file writes nothing twice: a row whose record id was imported before is skipped;
  a record id twice in one file is a problem.
- Times without a zone are in the site's zone (Asia/Shanghai by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from fengkong.core.audit import record
from fengkong.core.permissions import require
from fengkong.customers.queries import visible_customers
from fengkong.integrations.sources import ROW, decode_table

from .actions import ContactIn, check_contact, write_contact
from .choices import Channel, ContactSource, Outcome
from .exceptions import ImportInvalid
from .models import Contact

COLUMNS = {
    "customer": ("customer", "customer_code", "客户编码", "客户代码", "客户"),
    "time": ("time", "call_time", "通话时间", "时间", "联系时间"),
    "channel": ("channel", "渠道", "方式"),
    "outcome": ("outcome", "result", "结果", "通话结果"),
    "duration": ("duration", "duration_seconds", "时长", "通话时长", "通话时长(秒)"),
    "person": ("person", "contact", "联系人"),
    "notes": ("notes", "note", "备注"),
    "record_id": ("record_id", "call_id", "通话编号", "记录编号"),
    "next_follow_up": ("next_follow_up", "下次跟进", "下次跟进日期"),
}
REQUIRED = ("customer", "time", "outcome")
CHANNEL_WORDS = {"电话": Channel.PHONE, "上门": Channel.VISIT, "拜访": Channel.VISIT, "邮件": Channel.EMAIL,
                 "企业微信": Channel.WECOM, "钉钉": Channel.DINGTALK, "信函": Channel.LETTER}
OUTCOME_WORDS = {"已接通": Outcome.REACHED, "接通": Outcome.REACHED, "无人接听": Outcome.NO_ANSWER,
                 "号码错误": Outcome.WRONG_NUMBER, "承诺还款": Outcome.PROMISED, "有争议": Outcome.DISPUTED,
                 "拒绝": Outcome.REFUSED, "要求回电": Outcome.CALL_BACK, "已付款": Outcome.PAID}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Imported:
    rows: int
    imported: int
    skipped: int  # record ids imported before


def import_call_records(*, actor, data: bytes, file_name: str) -> Imported:
    """Check every row of the file, then log every new call as a contact, or nothing at all."""
    require(actor, "collections.add_contact")
    table = decode_table(data, file_name)
    columns, problems = _columns(table.headers)
    if problems:
        raise ImportInvalid(problems)
    rows = table.frame.to_dicts()
    if len(rows) > MAX_ROWS:
        raise ImportInvalid([f"the file has {len(rows):,} rows; at most {MAX_ROWS:,} are imported at once"])
    checked, problems = _check(rows, columns, actor)
    if problems:
        raise ImportInvalid(problems)
    ids = [c.external_id for _customer, c in checked if c.external_id]
    known = set(imported_record_ids(ids))
    fresh = [(customer, c) for customer, c in checked if not c.external_id or c.external_id not in known]
    with transaction.atomic():
        for customer, contact in fresh:
            write_contact(actor=actor, customer=customer, data=contact, source=ContactSource.IMPORT)
        record(actor, "call_records.imported", "contact", file_name[:100], after={
            "file": file_name[:200], "rows": len(rows), "imported": len(fresh), "skipped": len(checked) - len(fresh)})
    return Imported(len(rows), len(fresh), len(checked) - len(fresh))


def imported_record_ids(ids: list[str]) -> list[str]:
    """Of `ids`, the call-record ids imported before."""
    out: list[str] = []
    for start in range(0, len(ids), 5000):
        out += list(Contact.objects.filter(source=ContactSource.IMPORT, external_id__in=ids[start:start + 5000])
                    .values_list("external_id", flat=True))
    return out


def _columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    found = {}
    for header in headers:
        key = header.strip().lower()
        for name, spellings in COLUMNS.items():
            if key in spellings and name not in found:
                found[name] = header
    missing = [name for name in REQUIRED if name not in found]
    problems = [f"the file has no {name} column (headers: {', '.join(h for h in headers if h != ROW)})"
                for name in missing]
    return found, problems


def _cell(row: dict, columns: dict, name: str) -> str:
    return (row.get(columns[name]) or "").strip() if name in columns else ""


def _check(rows: list[dict], columns: dict, actor) -> tuple[list, list[str]]:
    codes = sorted({_cell(r, columns, "customer") for r in rows} - {""})
    customers = {c.code: c for c in visible_customers(actor).filter(code__in=codes)}
    now, seen, problems, checked = timezone.now(), {}, [], []
    for row in rows:
        line = row.get(ROW, "?")

        def bad(column: str, value: str, why: str, line=line) -> None:
            problems.append(f"row {line}, column {columns.get(column, column)}: {why} ({value!r})")

        code = _cell(row, columns, "customer")
        customer = customers.get(code)
        if customer is None:
            bad("customer", code, "unknown customer, or not in your portfolio")
        at = _time(_cell(row, columns, "time"))
        if at is None:
            bad("time", _cell(row, columns, "time"), "not a time like 2026-07-10 10:15")
        channel = _word(_cell(row, columns, "channel") or Channel.PHONE, Channel.values, CHANNEL_WORDS)
        if channel is None:
            bad("channel", _cell(row, columns, "channel"), f"unknown channel (one of {', '.join(Channel.values)})")
        outcome = _word(_cell(row, columns, "outcome"), Outcome.values, OUTCOME_WORDS)
        if outcome is None:
            bad("outcome", _cell(row, columns, "outcome"), f"unknown outcome (one of {', '.join(Outcome.values)})")
        duration = _cell(row, columns, "duration") or "0"
        seconds = int(duration) if duration.isdigit() else None
        if seconds is None:
            bad("duration", duration, "not a whole number of seconds")
        follow = _cell(row, columns, "next_follow_up")
        follow_day = _day(follow)
        if follow and follow_day is None:
            bad("next_follow_up", follow, "not a date like 2026-07-20")
        record_id = _cell(row, columns, "record_id")[:80]
        if record_id and record_id in seen:
            bad("record_id", record_id, f"the same record id as row {seen[record_id]}")
        if record_id:
            seen.setdefault(record_id, line)
        if None in (customer, at, channel, outcome, seconds):
            continue
        contact = ContactIn(channel=channel, outcome=outcome, at=at, person=_cell(row, columns, "person")[:80],
                            duration_seconds=seconds, notes=_cell(row, columns, "notes")[:4000],
                            next_follow_up=follow_day, external_id=record_id)
        for _field, problem in check_contact(contact, now):
            problems.append(f"row {line}: {problem}")
        checked.append((customer, contact))
    return checked, problems


def _time(text: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware in the site's zone below
        except ValueError:
            continue
        return timezone.make_aware(parsed)
    return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.replace("/", "-")) if text else None
    except ValueError:
        return None


def _word(text: str, values, words: dict) -> str | None:
    key = text.strip()
    if key.lower() in values:
        return key.lower()
    return words.get(key)
