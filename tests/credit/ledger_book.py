"""A ledger-only book (invoices and receipts, no statements, no cooperation start, no industry outlook, no
guarantee), built relative to a date, shared by the missing-dimension and dormancy tests.

- GOOD (C000041): six invoices of 10,000.00 paid 25 days after issue (before the 30-day due date), one
  open 10,000.00 invoice not yet due. Payment: 0 late (100), 25 days to pay (100), 0 days overdue (100)
  = 100; guarantee coverage 0 of the 10,000 exposure: 45. Total (30 x 100 + 15 x 45) / 45 = 81.67: A.
- FAIR (C000042): six invoices paid 70 days after issue (40 days late): 6 late (80), 70 days (60), 40 days
  overdue (65) = 0.3 x 80 + 0.3 x 60 + 0.4 x 65 = 68; one open invoice not due: guarantee 45.
  Total (30 x 68 + 15 x 45) / 45 = 60.33: B.
- LATE (C000043): one 10,000.00 invoice open, 100 days overdue, no receipt: 1 late (100), days to pay
  unknown (neutral 60), 100 days overdue (15) = 30 + 18 + 6 = 54; guarantee 45. Total (1620 + 675) / 45
  = 51.00: C.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.conftest import make_customer

from fengkong.receivables.models import Invoice, Payment, PaymentAllocation

AMOUNT = Decimal("10000.00")


def invoice(customer, number: str, issued: date, open_amount: Decimal = AMOUNT) -> Invoice:
    return Invoice.objects.create(number=number, customer=customer, issue_date=issued,
                                  due_date=issued + timedelta(days=30), amount=AMOUNT, open_amount=open_amount)


def paid(customer, number: str, issued: date, after_days: int) -> None:
    item = invoice(customer, number, issued, Decimal("0.00"))
    receipt = Payment.objects.create(number=f"R-{number}", customer=customer,
                                     payment_date=issued + timedelta(days=after_days), amount=AMOUNT)
    PaymentAllocation.objects.create(payment=receipt, invoice=item, amount=AMOUNT)


def ledger_book(as_of: date, portfolio=None) -> dict:
    good = make_customer("C000041", "510100", portfolio)
    fair = make_customer("C000042", "510100", portfolio)
    late = make_customer("C000043", "510100", portfolio)
    for k in range(6):
        issued = as_of - timedelta(days=300 - 30 * k)
        paid(good, f"G{k}", issued, 25)
        paid(fair, f"F{k}", issued, 70)
    invoice(good, "G-open", as_of - timedelta(days=5))
    invoice(fair, "F-open", as_of - timedelta(days=5))
    invoice(late, "L-open", as_of - timedelta(days=130))
    return {"good": good, "fair": fair, "late": late}
