"""Import kind fx-rates and currencies on import (docs/currencies.md): codes, names and signs accepted and
written as ISO codes; unknown codes, zero or negative rates, duplicate rates and allocations across
currencies refused with row, column and value, nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fengkong.receivables.models import CreditNote, FxRate, Invoice, Payment, PaymentAllocation

from .conftest import invoices_csv

RATES = "汇率日期,币种,折算汇率,来源\n"


def test_rates_import_with_chinese_headers_and_currency_names(db, write, run):
    batch = run("fx-rates", write("r.csv", RATES + "2026-11-30,美元,7.1234,中国银行\n2026-11-30,EUR,7.7,\n"
                                   "2026-12-01,usd,7.12345678,\n"))
    assert batch.status == "done" and batch.rows_created == 3, batch.errors
    rates = {(r.date, r.currency): r.rate for r in FxRate.objects.all()}
    assert rates[(date(2026, 11, 30), "USD")] == Decimal("7.1234")
    assert rates[(date(2026, 12, 1), "USD")] == Decimal("7.12345678")
    assert FxRate.objects.get(date=date(2026, 11, 30), currency="USD").source == "中国银行"


def test_rates_import_again_is_unchanged_and_a_corrected_rate_is_updated(db, write, run):
    run("fx-rates", write("r.csv", "date,currency,rate\n2026-11-30,USD,7.1\n"))
    again = run("fx-rates", write("r2.csv", "date,currency,rate\n2026-11-30,USD,7.10\n"))
    assert again.rows_unchanged == 1, again.errors
    fixed = run("fx-rates", write("r3.csv", "date,currency,rate\n2026-11-30,USD,7.2\n"))
    assert fixed.rows_updated == 1 and FxRate.objects.get().rate == Decimal("7.2")


def test_zero_negative_unreadable_rates_and_unknown_codes_are_refused_with_row_column_value(db, write, run):
    text = RATES + "2026-11-30,USD,0,\n2026-11-30,EUR,-7.7,\n2026-11-30,GBP,abc,\n2026-11-30,XYZ,1.5,\n2026-11-30,CNY,1,\n"
    batch = run("fx-rates", write("r.csv", text))
    found = {(p["row"], p["column"], p["value"]): p["message"] for p in batch.errors}
    assert "more than zero" in found[(2, "折算汇率", "0")]
    assert "more than zero" in found[(3, "折算汇率", "-7.7")]
    assert "not a rate" in found[(4, "折算汇率", "abc")]
    assert "unknown currency" in found[(5, "币种", "XYZ")]
    assert "functional currency" in found[(6, "币种", "CNY")]
    assert batch.status == "rejected" and not FxRate.objects.exists()


def test_two_rates_for_one_date_and_currency_in_a_file_are_refused(db, write, run):
    batch = run("fx-rates", write("r.csv", RATES + "2026-11-30,USD,7.1,\n2026-11-30,美元,7.2,\n"))
    assert {p["row"] for p in batch.errors} == {2, 3}
    assert all("more than once" in p["message"] and "rows 2, 3" in p["message"] for p in batch.errors)
    assert not FxRate.objects.exists()


def test_invoice_currencies_are_normalised_and_unknown_or_ambiguous_ones_refused(db, write, run, book):
    text = invoices_csv("X1,C000001,2026-01-01,2026-02-01,100,100,美元", "X2,C000001,2026-01-01,2026-02-01,100,100,HK$",
                        "X3,C000001,2026-01-01,2026-02-01,100,100,英镑", "X4,C000001,2026-01-01,2026-02-01,100,100,RMB",
                        "X5,C000001,2026-01-01,2026-02-01,100,100,$", "X6,C000001,2026-01-01,2026-02-01,100,100,ABC")
    batch = run("invoices", write("i.csv", text), valid_rows_only=True)
    assert dict(Invoice.objects.filter(number__startswith="X").values_list("number", "currency")) == {
        "X1": "USD", "X2": "HKD", "X3": "GBP", "X4": "CNY"}
    found = {p["row"]: (p["column"], p["value"], p["message"]) for p in batch.errors}
    assert found[6][:2] == ("币种", "$") and "ambiguous" in found[6][2]
    assert found[7][:2] == ("币种", "ABC") and "unknown currency" in found[7][2]


def test_a_file_without_currency_says_which_currency_it_assumed(db, write, run, book):
    text = "单据编号,客户编码,单据日期,到期日,金额\nY1,C000001,2026-01-01,2026-02-01,100\n"
    batch = run("invoices", write("i.csv", text))
    assert Invoice.objects.get(number="Y1").currency == "CNY"
    assert "no currency column" in batch.message and "CNY" in batch.message and "--currency" in batch.message


def test_currency_option_says_the_files_currency(db, write, run, book):
    text = "单据编号,客户编码,单据日期,到期日,金额\nY2,C000001,2026-01-01,2026-02-01,100\n"
    batch = run("invoices", write("i.csv", text), currency="USD")
    assert batch.status == "done" and Invoice.objects.get(number="Y2").currency == "USD"
    assert "no currency column" not in batch.message


def test_cny_receipt_allocated_to_a_usd_invoice_is_refused_and_nothing_written(db, write, run, book):
    run("invoices", write("i.csv", invoices_csv("U1,C000001,2026-01-01,2026-02-01,100,100,USD")))
    text = ("收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额,币种\n"
            "SK1,C000001,2026-03-01,60,U1,60,CNY\nSK2,C000001,2026-03-01,40,U1,40,\n")
    batch = run("payments", write("p.csv", text))
    found = {p["row"]: p for p in batch.errors}
    assert found[2]["column"] == "核销单据号" and found[2]["value"] == "U1"
    assert "receipt is in CNY but invoice U1 is in USD" in found[2]["message"]
    assert "CNY but invoice U1 is in USD" in found[3]["message"]   # no currency: the functional one
    assert batch.status == "rejected" and not Payment.objects.exists() and not PaymentAllocation.objects.exists()


def test_credit_note_in_another_currency_than_its_invoice_is_refused(db, write, run, book):
    text = "红字单号,客户编码,单据日期,金额,原单据号,币种\nHZ1,C000001,2026-03-01,50,AR0001,EUR\n"
    batch = run("credit-notes", write("cn.csv", text))
    assert batch.errors[0]["column"] == "原单据号" and "credit note is in EUR but invoice AR0001 is in CNY" in \
        batch.errors[0]["message"]
    assert not CreditNote.objects.exists()
