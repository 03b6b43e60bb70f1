"""The written reminder letter (催款函) of the warning zone (§4), as a Word document.

DOCX, because the credit team reviews, stamps (盖章) and sends it, and often edits a sentence first. The
letter names the contractual basis (the contracts on the invoices, and Civil Code arts. 577 and 626),
lists the overdue invoices with their total, also in capital Chinese numerals as formal letters do, and
sets a payment deadline. Company name from FENGKONG_COMPANY_NAME (address and phone optional).

Three levels of the same letter (collections' dunning sends them in turn): the first reminder (付款提醒函), the
second reminder (催款函, what the warning zone writes) and the final demand (律师函: on a law firm's behalf when
FENGKONG_LAW_FIRM names one, else the company's own last notice before suing). The letter's words are laid out
once (`letter_content`) and written as DOCX (`reminder_letter`) or PDF (`reminder_letter_pdf`, weasyprint with
the CJK font, as the evidence catalogue is), so the two never say different things.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from fengkong.core.money import format_amount

from .rendering import ZH, invoice_lines, language_of, totals

DEADLINE_DAYS = 10
CJK_FONT = "SimSun"
LATIN_FONT = "Times New Roman"

TEXT = {
    ZH: {
        "title": "催 款 函",
        "ref": "编号：{ref}",
        "to": "致：{name}",
        "code": "统一社会信用代码：{code}",
        "opening": "贵司与我司长期保持业务合作，我司对此深表感谢。",
        "basis": ("根据双方签订的{contracts}约定，以及《中华人民共和国民法典》第六百二十六条（买受人应当按照约定的"
                  "数额和支付方式支付价款）、第五百七十七条（当事人一方不履行合同义务的，应当承担继续履行、"
                  "采取补救措施或者赔偿损失等违约责任）之规定，贵司应按约定期限向我司支付货款。"),
        "contracts_named": "《{refs}》等合同",
        "contracts_none": "购销合同",
        "facts": "经核对，截至{as_of}，贵司下列款项已逾期未付，合计{total}（大写：{words}）：",
        "headers": ["序号", "发票号", "合同编号", "到期日", "逾期天数", "未付金额"],
        "total": "合计",
        "demand": "请贵司于{deadline}前将上述逾期款项足额支付至我司账户。如贵司已付款，请将付款凭证提供给我司以便核对；"
                  "如对上述款项有异议，请于收到本函之日起五个工作日内书面告知我司。",
        "warning": "逾期仍未付款的，我司将依据合同约定及法律规定，采取包括但不限于暂停供货、申请支付令、"
                   "提起诉讼及申请财产保全等措施，并保留要求贵司承担违约金、资金占用损失及律师费等实现债权费用的权利。",
        "thanks": "特此函告。",
        "sign": "{company}（盖章）",
        "dept": "信用管理部",
        "date": "{date}",
        "contact": "联系电话：{phone}",
        "date_format": "{d.year}年{d.month}月{d.day}日",
    },
    "en": {
        "title": "PAYMENT REMINDER",
        "ref": "Ref.: {ref}",
        "to": "To: {name}",
        "code": "Unified social credit code: {code}",
        "opening": "We thank you for our long-standing business relationship.",
        "basis": ("Under {contracts} between us, and articles 626 (the buyer shall pay the price in the amount "
                  "and manner agreed) and 577 (a party failing to perform its contractual obligations shall "
                  "continue to perform, take remedial measures or compensate for losses) of the Civil Code of "
                  "the People's Republic of China, your company is bound to pay for the goods by the agreed "
                  "dates."),
        "contracts_named": "contracts {refs} and others",
        "contracts_none": "the sales contracts",
        "facts": "According to our records, as of {as_of} the following amounts are overdue and unpaid, "
                 "in total {total}:",
        "headers": ["No.", "Invoice", "Contract", "Due date", "Days overdue", "Open amount"],
        "total": "Total",
        "demand": "Please pay the overdue amount in full to our account by {deadline}. If you have already "
                  "paid, please send us the remittance advice; if you dispute any item, please tell us in "
                  "writing within five working days of receiving this letter.",
        "warning": "Should the amount remain unpaid, we will take the measures the contract and the law allow, "
                   "including suspending supply, applying for a payment order, litigation and property "
                   "preservation, and reserve the right to claim liquidated damages, interest and the costs of "
                   "recovery including legal fees.",
        "thanks": "Yours faithfully,",
        "sign": "{company} (company seal)",
        "dept": "Credit Management",
        "date": "{date}",
        "contact": "Telephone: {phone}",
        "date_format": "{d.day} {month} {d.year}",
    },
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


FIRST, SECOND, FINAL = "first", "second", "final"
LEVELS = (FIRST, SECOND, FINAL)
# What each level says differently from the second reminder (TEXT above); {firm} is FENGKONG_LAW_FIRM.
LEVEL_TEXT = {
    ZH: {
        FIRST: {"title": "付 款 提 醒 函", "prefix": "TX", "deadline_days": 15,
                "opening": "贵司与我司长期保持业务合作，我司对此深表感谢。现将截至目前已到期未付的款项提醒如下，"
                           "如贵司已安排付款，请忽略本函。",
                "warning": "如有任何疑问，请与我司信用管理部联系，我们乐于协助核对。"},
        SECOND: {},
        FINAL: {"title": "律 师 函", "prefix": "LS", "deadline_days": 7,
                "opening": "{firm}受{company}（以下简称“委托人”）委托，就贵司拖欠委托人货款一事，郑重致函如下。",
                "opening_own": "我司此前已多次催告，贵司至今仍未付款。现就贵司拖欠我司货款一事，作最后催告如下。",
                "demand": "请贵司于{deadline}前将上述逾期款项足额支付至委托人账户。此为最后通知，逾期将不再另行通知。",
                "warning": "逾期仍未付款的，将直接向有管辖权的人民法院提起诉讼（或申请支付令），并申请财产保全；"
                           "由此产生的诉讼费、保全费、律师费、违约金及资金占用损失等，均由贵司承担。",
                "sign_firm": "{firm}（盖章）", "dept_firm": "承办律师："},
    },
    "en": {
        FIRST: {"title": "FRIENDLY PAYMENT REMINDER", "prefix": "TX", "deadline_days": 15,
                "opening": "We thank you for our long-standing business relationship and would like to remind you "
                           "of the amounts below, which have fallen due. If payment is already on its way, please "
                           "disregard this letter.",
                "warning": "Should you have any question, our credit management team will gladly help you "
                           "reconcile the account."},
        SECOND: {},
        FINAL: {"title": "FINAL DEMAND", "prefix": "LS", "deadline_days": 7,
                "opening": "{firm} writes on behalf of {company} (our client) about the amounts your company owes "
                           "our client.",
                "opening_own": "Despite our earlier reminders your company has not paid. This is our final demand.",
                "demand": "Please pay the overdue amount in full by {deadline}. This is the last notice before "
                          "legal action; no further reminder will be sent.",
                "warning": "Should the amount remain unpaid, legal proceedings (or an application for a payment "
                           "order) and property preservation will be brought without further notice, and all "
                           "costs, including court and preservation fees, legal fees, liquidated damages and "
                           "interest, will be claimed from your company.",
                "sign_firm": "{firm} (seal)", "dept_firm": "Attorney in charge:"},
    },
}


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: bool = True
    bold_part: str | None = None


@dataclass(frozen=True)
class LetterContent:
    """The words of one letter, laid out once for the DOCX and the PDF."""

    language: str
    level: str
    title: str
    ref: str
    company: str
    to: str
    code: str
    before: list[Paragraph]
    headers: list[str]
    rows: list[list[str]]
    totals: list[tuple[str, str]]
    total_label: str
    after: list[Paragraph]
    signature: list[str]
    file_stem: str
    total_by_currency: list[tuple[str, Decimal]] = field(default_factory=list)


def letter_content(customer, invoices: Iterable[Any], as_of: dt.date, language: str = "zh-hans", *,
                   level: str = SECOND, deadline: dt.date | None = None) -> LetterContent:
    """The letter of `level` to `customer` listing the overdue `invoices` (open amounts as given)."""
    if level not in LEVELS:
        raise ValueError(f"unknown letter level {level!r}: one of {', '.join(LEVELS)}")
    language = language_of(language)
    t = {**TEXT[language], **LEVEL_TEXT[language][level]}
    lines = [ln for ln in invoice_lines(invoices, as_of) if ln.open_amount > 0]
    deadline = deadline or as_of + dt.timedelta(days=t.get("deadline_days", DEADLINE_DAYS))
    company, firm = settings.FENGKONG_COMPANY_NAME, os.environ.get("FENGKONG_LAW_FIRM", "").strip()
    ref = f"{t.get('prefix', 'CK')}-{customer.code}-{as_of:%Y%m%d}"
    opening = t["opening_own"] if level == FINAL and not firm else t["opening"]
    refs = sorted({ln.contract_ref for ln in lines if ln.contract_ref})
    contracts = t["contracts_named"].format(refs="》《".join(refs) if language == ZH else ", ".join(refs)) \
        if refs else t["contracts_none"]
    sums = totals(lines)
    total_text = "；".join(f"{format_amount(a)} {c}" for c, a in sums) if sums else "0.00"
    cny = dict(sums).get("CNY", Decimal(0))
    when = _date(deadline, language)
    before = [Paragraph(opening.format(firm=firm, company=company)), Paragraph(t["basis"].format(contracts=contracts)),
              Paragraph(t["facts"].format(as_of=_date(as_of, language), total=total_text, words=cny_in_words(cny)))]
    after = [Paragraph(t["demand"].format(deadline=when), bold_part=when), Paragraph(t["warning"]),
             Paragraph(t["thanks"], indent=language == ZH)]
    if level == FINAL and firm:
        signature = [t["sign_firm"].format(firm=firm), t["dept_firm"]]
    else:
        signature = [t["sign"].format(company=company), t["dept"]]
    signature.append(_date(as_of, language))
    if phone := os.environ.get("FENGKONG_COMPANY_PHONE"):
        signature.append(t["contact"].format(phone=phone))
    rows = [[str(i), ln.number, ln.contract_ref or "—", str(ln.due_date or ""), str(ln.days_overdue),
             f"{format_amount(ln.open_amount)} {ln.currency}"] for i, ln in enumerate(lines, start=1)]
    stem = {FIRST: "first-reminder", SECOND: "reminder-letter", FINAL: "final-demand"}[level]
    return LetterContent(
        language=language, level=level, title=t["title"], ref=t["ref"].format(ref=ref), company=company,
        to=t["to"].format(name=customer.name),
        code=t["code"].format(code=customer.credit_code) if getattr(customer, "credit_code", None) else "",
        before=before, headers=t["headers"], rows=rows, totals=[(f"{format_amount(a)} {c}", c) for c, a in sums],
        total_label=t["total"], after=after, signature=signature,
        file_stem=f"{stem}-{customer.code}-{as_of:%Y%m%d}-{language}", total_by_currency=sums)


def reminder_letter(customer, invoices: Iterable[Any], as_of: dt.date, language: str = "zh-hans", *,
                    deadline: dt.date | None = None, level: str = SECOND) -> tuple[str, bytes]:
    """(file name, DOCX bytes) of the reminder letter to `customer` for the overdue `invoices`."""
    content = letter_content(customer, invoices, as_of, language, level=level, deadline=deadline)
    return f"{content.file_stem}.docx", letter_docx(content)


def letter_docx(content: LetterContent) -> bytes:
    """The letter as a Word document (to edit and stamp)."""
    doc = Document()
    _base_style(doc)
    _letterhead(doc, content.company)
    _para(doc, content.title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, content.ref, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, content.to, bold=True)
    if content.code:
        _para(doc, content.code)
    for paragraph in content.before:
        _para(doc, paragraph.text, indent=paragraph.indent, bold_part=paragraph.bold_part)
    _invoice_table(doc, content)
    for i, paragraph in enumerate(content.after):
        last = i == len(content.after) - 1
        _para(doc, paragraph.text, indent=paragraph.indent, bold_part=paragraph.bold_part,
              space_after=24 if last else None)
    for text in content.signature:
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.core_properties.title = f"{content.title.replace(' ', '')} {content.to}"
    doc.core_properties.author = content.company
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def reminder_letter_pdf(customer, invoices: Iterable[Any], as_of: dt.date, language: str = "zh-hans", *,
                        deadline: dt.date | None = None, level: str = SECOND) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the same letter, for sending as it is."""
    content = letter_content(customer, invoices, as_of, language, level=level, deadline=deadline)
    return f"{content.file_stem}.pdf", letter_pdf(content)


def letter_pdf(content: LetterContent) -> bytes:
    from weasyprint import HTML  # loaded when a PDF is written: it takes a moment to import its fonts

    html = render_to_string("notifications/letter.html", {"letter": content, "address": os.environ.get(
        "FENGKONG_COMPANY_ADDRESS", "")})
    return HTML(string=html).write_pdf()


def letter_text(content: LetterContent) -> str:
    """The letter as plain text (the body of the email that carries it)."""
    parts = [content.title.replace(" ", "") if content.language == ZH else content.title, content.ref, content.to]
    parts += [p.text for p in content.before]
    parts += ["  ".join(row[1:]) for row in content.rows]
    parts += [f"{content.total_label}: {text}" for text, _c in content.totals]
    parts += [p.text for p in content.after] + content.signature
    return "\n\n".join(p for p in parts if p)


def _date(value: dt.date, language: str) -> str:
    return TEXT[language]["date_format"].format(d=value, month=MONTHS[value.month - 1])


def _base_style(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.3


def _letterhead(doc, company: str) -> None:
    _para(doc, company, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0,
          colour=RGBColor(0x8B, 0x00, 0x00))
    if address := os.environ.get("FENGKONG_COMPANY_ADDRESS"):
        _para(doc, address, size=9, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "—" * 30, align=WD_ALIGN_PARAGRAPH.CENTER, colour=RGBColor(0x8B, 0x00, 0x00), space_after=12)


def _para(doc, text: str, *, size: float | None = None, bold: bool = False, align=None, indent: bool = False,
          space_after: float | None = None, colour=None, bold_part: str | None = None):
    paragraph = doc.add_paragraph()
    pieces = text.split(bold_part, 1) if bold_part and bold_part in text else [text]
    for i, piece in enumerate(pieces):
        _run(paragraph, piece, size=size, bold=bold, colour=colour)
        if i < len(pieces) - 1:
            _run(paragraph, bold_part, size=size, bold=True, colour=colour)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(22)
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _run(paragraph, text: str, *, size=None, bold=False, colour=None):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    return run


def _invoice_table(doc, content: LetterContent) -> None:
    table = doc.add_table(rows=1, cols=len(content.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, content.headers, strict=True):
        _cell(cell, header, bold=True)
    for values in content.rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell(cell, value)
    for text, _currency in content.totals:
        row = table.add_row().cells
        merged = row[0].merge(row[4])
        _cell(merged, content.total_label, bold=True)
        _cell(row[5], text, bold=True)
    doc.add_paragraph()


def _cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    _run(cell.paragraphs[0], text, size=10, bold=bold)


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]


def cny_in_words(amount: Decimal) -> str:
    """人民币大写: 12345.60 -> 人民币壹万贰仟叁佰肆拾伍元陆角整."""
    fen = int((Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100).to_integral_value())
    if fen < 0:
        return "负" + cny_in_words(-Decimal(amount))
    yuan, jiao, cent = fen // 100, fen // 10 % 10, fen % 10
    text = _integer_words(yuan) + "元" if yuan else ""
    if jiao == 0 and cent == 0:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if cent:
        text += DIGITS[cent] + "分"
    else:
        text += "整"
    return "人民币" + text


def _integer_words(number: int) -> str:
    groups, text, zero_pending = [], "", False
    while number:
        groups.append(number % 10000)
        number //= 10000
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(text)
            continue
        if text and (zero_pending or group < 1000):
            text += "零"
        text += _group_words(group) + GROUPS[index]
        zero_pending = False
    return text


def _group_words(group: int) -> str:
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // (10 ** position) % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + UNITS[position]
    return text
