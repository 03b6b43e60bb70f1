"""The written reminder letter (催款函) of the warning zone (§4), as a Word document.

DOCX, because the credit team reviews, stamps (盖章) and sends it, and often edits a sentence first. The
letter names the contractual basis (the contracts on the invoices, and Civil Code arts. 577 and 626),
lists the overdue invoices with their total, also in capital Chinese numerals as formal letters do, and
sets a payment deadline. Company name from FENGKONG_COMPANY_NAME (address and phone optional).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
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


def reminder_letter(customer, invoices: Iterable[Any], as_of: dt.date, language: str = "zh-hans", *,
                    deadline: dt.date | None = None) -> tuple[str, bytes]:
    """(file name, DOCX bytes) of the reminder letter to `customer` for the overdue `invoices`."""
    language = language_of(language)
    t = TEXT[language]
    lines = [ln for ln in invoice_lines(invoices, as_of) if ln.open_amount > 0]
    deadline = deadline or as_of + dt.timedelta(days=DEADLINE_DAYS)
    company = settings.FENGKONG_COMPANY_NAME
    ref = f"CK-{customer.code}-{as_of:%Y%m%d}"

    doc = Document()
    _base_style(doc)
    _letterhead(doc, company)
    _para(doc, t["title"], size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, t["ref"].format(ref=ref), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, t["to"].format(name=customer.name), bold=True)
    if getattr(customer, "credit_code", None):
        _para(doc, t["code"].format(code=customer.credit_code))
    _para(doc, t["opening"], indent=True)
    refs = sorted({ln.contract_ref for ln in lines if ln.contract_ref})
    contracts = t["contracts_named"].format(refs="》《".join(refs) if language == ZH else ", ".join(refs)) \
        if refs else t["contracts_none"]
    _para(doc, t["basis"].format(contracts=contracts), indent=True)
    sums = totals(lines)
    total_text = "；".join(f"{format_amount(a)} {c}" for c, a in sums) if sums else "0.00"
    cny = dict(sums).get("CNY", Decimal(0))
    _para(doc, t["facts"].format(as_of=_date(as_of, language), total=total_text, words=cny_in_words(cny)),
          indent=True)
    _invoice_table(doc, t, lines, sums)
    _para(doc, t["demand"].format(deadline=_date(deadline, language)), indent=True, bold_part=_date(deadline, language))
    _para(doc, t["warning"], indent=True)
    _para(doc, t["thanks"], indent=language == ZH, space_after=24)
    for text in (t["sign"].format(company=company), t["dept"], t["date"].format(date=_date(as_of, language))):
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if phone := os.environ.get("FENGKONG_COMPANY_PHONE"):
        _para(doc, t["contact"].format(phone=phone), align=WD_ALIGN_PARAGRAPH.RIGHT)

    doc.core_properties.title = f"{t['title'].replace(' ', '')} {customer.name}"
    doc.core_properties.author = company
    buffer = io.BytesIO()
    doc.save(buffer)
    return f"reminder-letter-{customer.code}-{as_of:%Y%m%d}-{language}.docx", buffer.getvalue()


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


def _invoice_table(doc, t: dict, lines, sums) -> None:
    table = doc.add_table(rows=1, cols=len(t["headers"]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, t["headers"], strict=True):
        _cell(cell, header, bold=True)
    for i, ln in enumerate(lines, start=1):
        values = [str(i), ln.number, ln.contract_ref or "—", str(ln.due_date or ""), str(ln.days_overdue),
                  f"{format_amount(ln.open_amount)} {ln.currency}"]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell(cell, value)
    for currency, amount in sums:
        row = table.add_row().cells
        merged = row[0].merge(row[4])
        _cell(merged, t["total"], bold=True)
        _cell(row[5], f"{format_amount(amount)} {currency}", bold=True)
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
