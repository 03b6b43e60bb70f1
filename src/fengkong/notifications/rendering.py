"""Turning a template and its context into a Message: subject, plain text, HTML and robot markdown.

Each template is one file per language, templates/notifications/<language>/<name>.txt, with the blocks
`subject`, `body` and `closing`. The overdue invoices (context["invoices"]) are not written in the
templates: they are laid out here once per format (a text table, an HTML table, a markdown list), so every
template lists them the same way. A bilingual message (to a customer) is Chinese first, English below.
Messages are rendered when they are queued and stored with the delivery, so the log shows what was sent.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.utils import translation

from fengkong.core.money import format_amount

ZH, EN = "zh-hans", "en"
BILINGUAL = (ZH, EN)
HEADERS = {
    ZH: {"number": "发票号", "due_date": "到期日", "days_overdue": "逾期天数", "open_amount": "未付金额",
         "total": "合计", "days": "天", "separator": " / "},
    EN: {"number": "Invoice", "due_date": "Due date", "days_overdue": "Days overdue",
         "open_amount": "Open amount", "total": "Total", "days": "days", "separator": " / "},
}
MONEY_KEYS = ("amount", "exposure", "limit")  # written as 1,234.50 in every template
MARKDOWN_LIMIT = 3800  # WeCom refuses markdown over 4096 bytes; keep room for the header


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    markdown: str
    level: str = "info"
    data: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Message:
        return cls(**{k: value[k] for k in ("subject", "text", "html", "markdown") if k in value},
                   level=value.get("level", "info"), data=value.get("data") or {})


def language_of(code: str | None) -> str:
    return ZH if (code or settings.LANGUAGE_CODE).lower().startswith("zh") else EN


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    due_date: dt.date | None
    days_overdue: int
    open_amount: Decimal
    currency: str
    contract_ref: str = ""
    issue_date: dt.date | None = None


def invoice_lines(invoices: Iterable[Any] | None, as_of: dt.date | None = None) -> list[InvoiceLine]:
    """Invoices given as model objects or dicts, as lines with days overdue worked out as of `as_of`."""
    lines = []
    for inv in invoices or ():
        get = inv.get if isinstance(inv, Mapping) else (lambda k, d=None, inv=inv: getattr(inv, k, d))
        due = _date(get("due_date"))
        days = get("days_overdue")
        if days is None or callable(days):
            days = max((as_of - due).days, 0) if (as_of and due) else 0
        lines.append(InvoiceLine(str(get("number", "")), due, int(days), Decimal(str(get("open_amount") or 0)),
                                 str(get("currency") or settings.DEFAULT_CURRENCY), str(get("contract_ref") or ""),
                                 _date(get("issue_date"))))
    return lines


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def totals(lines: list[InvoiceLine]) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.currency] = sums.get(line.currency, Decimal(0)) + line.open_amount
    return sorted(sums.items())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row(number: str, due: str, days: str, amount: str) -> str:
    """One line of the plain-text invoice table; Chinese characters count two columns."""
    return (number + " " * max(18 - _width(number), 1) + due + " " * max(12 - _width(due), 1)
            + " " * max(10 - _width(days), 1) + days + " " * max(22 - _width(amount), 1) + amount)


def _blocks(name: str, context: Mapping[str, Any]) -> dict[str, str]:
    template = get_template(name).template
    ctx = Context(dict(context), autoescape=False)
    with ctx.bind_template(template):
        return {node.name: node.render(ctx).strip() for node in template.nodelist.get_nodes_by_type(BlockNode)}


@dataclass(frozen=True)
class _Section:
    language: str
    subject: str
    body: str
    closing: str
    lines: list[InvoiceLine]

    @property
    def h(self) -> dict[str, str]:
        return HEADERS[self.language]

    def text(self) -> str:
        parts = [self.body]
        if self.lines:
            h = self.h
            rows = [_row(h["number"], h["due_date"], h["days_overdue"], h["open_amount"])]
            rows += [_row(ln.number, str(ln.due_date or ""), str(ln.days_overdue),
                          f"{format_amount(ln.open_amount)} {ln.currency}") for ln in self.lines]
            rows += [_row(h["total"], "", "", f"{format_amount(amount)} {cur}")
                     for cur, amount in totals(self.lines)]
            parts.append("\n".join(rows))
        parts.append(self.closing)
        return "\n\n".join(p for p in parts if p)

    def markdown(self) -> str:
        h = self.h
        parts = [f"### {self.subject}", self.body]
        if self.lines:
            parts.append("\n".join(
                f"- {ln.number} · {h['due_date']} {ln.due_date or ''} · {h['days_overdue']} {ln.days_overdue} · "
                f"**{format_amount(ln.open_amount)} {ln.currency}**" for ln in self.lines))
            parts.append(" ".join(f"{h['total']}: **{format_amount(a)} {c}**" for c, a in totals(self.lines)))
        parts.append(self.closing)
        return "\n\n".join(p for p in parts if p)

    def html_context(self) -> dict[str, Any]:
        return {"language": self.language, "subject": self.subject, "body": self.body, "closing": self.closing,
                "lines": [{**asdict(ln), "amount": format_amount(ln.open_amount)} for ln in self.lines],
                "totals": [(c, format_amount(a)) for c, a in totals(self.lines)], "h": self.h}


def render(template: str, languages: Iterable[str], context: Mapping[str, Any] | None = None, *,
           level: str = "info", data: Mapping[str, Any] | None = None) -> Message:
    """Render `template` in each language (one section per language, in the order given)."""
    context = dict(context or {})
    lines = invoice_lines(context.get("invoices"), context.get("as_of"))
    for key in MONEY_KEYS:
        if isinstance(context.get(key), Decimal | int) and not isinstance(context.get(key), bool):
            context[key] = format_amount(context[key])
    if context.get("days_overdue") is None and lines:
        context["days_overdue"] = max(ln.days_overdue for ln in lines)
    sections = []
    for language in languages:
        with translation.override(language):
            blocks = _blocks(f"notifications/{language}/{template}.txt",
                             {**context, "lines": lines, "language": language, "level": level})
        sections.append(_Section(language, " ".join(blocks.get("subject", "").split()), blocks.get("body", ""),
                                 blocks.get("closing", ""), lines))
    subject = HEADERS[ZH]["separator"].join(dict.fromkeys(s.subject for s in sections))
    text = "\n\n————————————————\n\n".join(s.text() for s in sections)
    markdown = "\n\n---\n\n".join(s.markdown() for s in sections)
    if len(markdown.encode()) > MARKDOWN_LIMIT:
        markdown = markdown.encode()[:MARKDOWN_LIMIT].decode(errors="ignore") + "\n\n…"
    html = render_to_string("notifications/email.html",
                            {"subject": subject, "sections": [s.html_context() for s in sections]})
    return Message(subject=subject, text=text, html=html, markdown=markdown, level=level, data=dict(data or {}))
