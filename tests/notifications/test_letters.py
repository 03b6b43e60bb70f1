"""The written reminder letter (催款函) as DOCX: it opens in python-docx and says what it must."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import docx
import pytest
from tests.conftest import AS_OF, make_invoice

from fengkong.notifications.letters import cny_in_words, reminder_letter

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_letter_opens_and_names_the_customer_its_credit_code_and_the_overdue_invoices(book, settings):
    settings.FENGKONG_COMPANY_NAME = "重庆示范机电有限公司"
    customer = book["customers"][0]
    second = make_invoice(customer, "AR0010", "25000.50", days_overdue=70)
    second.contract_ref = "HT-2026-018"
    second.save(update_fields=["contract_ref"])
    invoices = [book["invoices"][1], second]

    name, content = reminder_letter(customer, invoices, AS_OF)
    assert name == "reminder-letter-C000001-20261128-zh-hans.docx"
    text = text_of(content)
    for expected in ("重庆示范机电有限公司", "催 款 函", customer.name, customer.credit_code, "AR0002", "AR0010",
                     "HT-2026-018", "28,000.50 CNY", "人民币贰万捌仟元伍角整", "民法典", "2026年12月8日", "盖章"):
        assert expected in text, expected
    assert docx.Document(io.BytesIO(content)).tables[0].rows[0].cells[1].text == "发票号"


def test_the_english_letter_has_its_own_deadline_and_totals(book):
    customer = book["customers"][0]
    _name, content = reminder_letter(customer, [book["invoices"][1]], AS_OF, language="en",
                                     deadline=AS_OF + timedelta(days=15))
    text = text_of(content)
    assert "PAYMENT REMINDER" in text and "13 December 2026" in text and "3,000.00 CNY" in text
    assert "AR0002" in text and "Civil Code" in text


def test_paid_invoices_are_left_out_of_the_letter(book):
    customer = book["customers"][2]
    paid = book["invoices"][4]  # AR0005, open amount 0
    text = text_of(reminder_letter(customer, [paid, book["invoices"][3]], AS_OF)[1])
    assert "AR0005" not in text and "AR0004" in text


@pytest.mark.parametrize(("amount", "words"), [
    ("0", "人民币零元整"), ("0.05", "人民币伍分"), ("10.50", "人民币壹拾元伍角整"), ("100.07", "人民币壹佰元零柒分"),
    ("1001", "人民币壹仟零壹元整"), ("10010", "人民币壹万零壹拾元整"), ("105000.30", "人民币壹拾万伍仟元叁角整"),
    ("100000000", "人民币壹亿元整"), ("1000000001.01", "人民币壹拾亿零壹元零壹分"),
])
def test_amounts_are_written_in_capital_chinese_numerals(amount, words):
    assert cny_in_words(Decimal(amount)) == words


def test_a_letter_can_be_made_from_plain_dicts():
    class Customer:
        code, name, credit_code = "C9", "测试客户", ""

    lines = [{"number": "X1", "due_date": date(2026, 9, 1), "open_amount": "10.00"}]
    assert "X1" in text_of(reminder_letter(Customer(), lines, AS_OF)[1])
