"""Issue 22, item 3: an ERP's negative rows (unallocated receipts, credit notes standing alone) are kept as credit
balances, shown on the customer page and taken off the customer's exposure, never turned into invoices."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.fixtures import erp_exports as erp

from fengkong.accounts.choices import Role
from fengkong.customers.models import Customer
from fengkong.integrations.importer import import_file
from fengkong.receivables.models import Invoice
from fengkong.receivables.queries import credit_balances, exposure_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(tmp_path, portfolios):
    book = erp.make_book()
    batch = import_file(erp.write_erpnext_ar(book, tmp_path / "AR.csv"), "invoices", actor=None,
                        preset="erpnext-ar", create_customers=True)
    assert batch.status == "done", batch.errors[:3]
    return book


def credits_of(book, code: str) -> Decimal:
    return sum((Decimal(c.cents) / 100 for c in book.credits if c.party == code), Decimal("0.00"))


def test_the_customers_exposure_counts_its_credit_balances(book, users):
    finance = users[Role.FINANCE]
    code = next(c.party for c in book.credits)
    customers = Customer.objects.filter(code=code)
    exposure = exposure_of(customers, finance)
    opened = sum((Decimal(i.open_cents) / 100 for i in book.open_items() if i.party == code), Decimal("0.00"))
    assert exposure.open_receivables == opened
    assert exposure.credit_balances == credits_of(book, code) > 0
    assert exposure.net == opened - credits_of(book, code)
    assert {c.number for c in credit_balances(customers.get(), finance)} == {
        c.number for c in book.credits if c.party == code}


def test_a_receipt_allocated_in_part_keeps_the_rest_as_its_credit_balance(book, write, users):
    finance = users[Role.FINANCE]
    credit = next(c for c in book.credits if c.receipt)
    invoice = Invoice.objects.filter(customer__code=credit.party).first()
    receipts = write("r.csv", "收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额\n"
                              f"{credit.number},{credit.party},{credit.day.isoformat()},{erp.money(credit.cents)},"
                              f"{invoice.number},1.00\n")
    assert import_file(receipts, "payments", actor=None).status == "done"
    rows = {c.number: c.amount for c in credit_balances(invoice.customer, finance)}
    assert rows[credit.number] == Decimal(credit.cents - 100) / 100
    assert exposure_of(Customer.objects.filter(code=credit.party), finance).credit_balances == \
        credits_of(book, credit.party) - Decimal("1.00")


def test_the_customer_page_lists_the_credit_balances_and_the_net_exposure(book, sign_in):
    code = next(c.party for c in book.credits)
    html = sign_in(Role.FINANCE).get(reverse("customer-detail", args=[code]),
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="credit-balances"' in html and "Unallocated receipt" in html
    for credit in (c for c in book.credits if c.party == code):
        assert credit.number in html
    shown = re.search(r'data-exposure="credits">([^<]+)<', html).group(1)
    assert Decimal(shown.replace(",", "")) == credits_of(book, code)
    assert 'data-exposure="net"' in html
