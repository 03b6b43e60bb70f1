"""The ledger's training table read from the database: no leakage, a target that looks ahead, the command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal
from tests.conftest import make_customer

from fengkong.cli.commands import fengkong
from fengkong.customers.models import FinancialStatement
from fengkong.engine.modelling import ledger
from fengkong.receivables.models import CreditNote, Invoice, Payment, PaymentAllocation
from fengkong.scoring.dataset import build_dataset, read_customers, read_ledger

D = date(2025, 6, 30)


def invoice(customer, number, issued, due, amount, open_amount=None, disputed=False):
    amount = Decimal(amount)
    return Invoice.objects.create(number=number, customer=customer, issue_date=issued, due_date=due, amount=amount,
                                  open_amount=amount if open_amount is None else Decimal(open_amount),
                                  disputed=disputed)


def pay(customer, number, day, invoice_, amount):
    payment = Payment.objects.create(number=number, customer=customer, payment_date=day, amount=Decimal(amount))
    PaymentAllocation.objects.create(payment=payment, invoice=invoice_, amount=Decimal(amount))
    Invoice.objects.filter(pk=invoice_.pk).update(open_amount=invoice_.open_amount - Decimal(amount))
    invoice_.refresh_from_db()
    return payment


@pytest.fixture
def book(db, portfolios):
    """重庆 customer: one invoice paid late, one half paid and still open on D; a last receipt far in the future
    sets the ledger's end."""
    c = make_customer("C000021", "500103", portfolios["CQ"], cooperation_start=date(2021, 1, 1))
    make_customer("C000022", "510100", portfolios["SC"], industry="")
    first = invoice(c, "F1", date(2025, 1, 1), date(2025, 2, 1), "1000.00")
    pay(c, "P1", date(2025, 3, 3), first, "1000.00")                              # 30 days late
    second = invoice(c, "F2", date(2025, 4, 1), date(2025, 5, 1), "2000.00", disputed=True)
    pay(c, "P2", date(2025, 5, 15), second, "500.00")
    FinancialStatement.objects.create(customer=c, period_end=date(2024, 12, 31), current_assets=300,
                                      current_liabilities=100, total_assets=1000, total_liabilities=500,
                                      revenue=Decimal("1000000.00"), equity=500)
    end = invoice(c, "F9", date(2026, 12, 1), date(2026, 12, 31), "1.00")
    pay(c, "P9", date(2027, 1, 5), end, "1.00")
    return c


def features_on(day: date) -> pl.DataFrame:
    return ledger.features(read_ledger(day, read_customers()), day)


def test_features_read_from_the_database_are_point_in_time(book):
    one = features_on(D).to_dicts()
    assert len(one) == 1 and one[0]["customer_code"] == "C000021"
    assert one[0]["dbt_mean_12m"] == 30 and one[0]["open_fen"] == 1500_00 and one[0]["overdue_fen"] == 1500_00
    assert one[0]["disputed_count_12m"] == 1 and one[0]["current_ratio"] == 3.0
    assert one[0]["industry"] == "C" and one[0]["revenue_growth"] is None


def test_rows_added_or_altered_after_the_day_do_not_change_the_features(book):
    before = features_on(D)
    after = date(2025, 7, 10)
    second = Invoice.objects.get(number="F2")
    later = pay(book, "P3", after, second, "1500.00")                 # a later receipt settles the old invoice
    late_invoice = invoice(book, "F3", after, date(2025, 8, 10), "9999.00", disputed=True)
    pay(book, "P4", date(2025, 8, 1), late_invoice, "4000.00")
    CreditNote.objects.create(number="HZ1", customer=book, issue_date=after, amount=Decimal("100.00"),
                              invoice=late_invoice, reason="坏账核销")
    FinancialStatement.objects.create(customer=book, period_end=date(2025, 12, 31), current_assets=1,
                                      current_liabilities=100, total_assets=1000, total_liabilities=999,
                                      revenue=1, equity=1)
    Payment.objects.filter(pk=later.pk).update(payment_date=date(2025, 7, 1))   # altered, still after D
    newcomer = make_customer("C000023", "500103", industry="F", cooperation_start=after)
    invoice(newcomer, "F4", after, after, "10.00")
    assert_frame_equal(features_on(D), before)


def test_the_target_sees_the_twelve_months_after_the_day_and_no_further(book):
    outcome = ledger.target(read_ledger(D, read_customers()), D).to_dicts()
    assert outcome == [{"customer_id": book.pk, "in_danger": False, "bad": 1}]   # F2 open on 2025-07-30
    Payment.objects.create(number="P5", customer=book, payment_date=date(2025, 7, 29), amount=Decimal("1500.00"))
    PaymentAllocation.objects.create(payment=Payment.objects.get(number="P5"),
                                     invoice=Invoice.objects.get(number="F2"), amount=Decimal("1500.00"))
    assert ledger.target(read_ledger(D, read_customers()), D)["bad"].to_list() == [0]
    CreditNote.objects.create(number="HZ2", customer=book, issue_date=date(2026, 7, 1), amount=Decimal("1.00"),
                              reason="write-off")                        # a day after the 12 months
    assert ledger.target(read_ledger(D, read_customers()), D)["bad"].to_list() == [0]
    CreditNote.objects.filter(number="HZ2").update(issue_date=date(2026, 6, 30))
    assert ledger.target(read_ledger(D, read_customers()), D)["bad"].to_list() == [1]


def test_dates_without_twelve_complete_months_are_skipped_and_counted(book):
    built = build_dataset([D, date(2026, 3, 31), date(2026, 1, 31)])
    assert built.dates == [D] and built.incomplete == [date(2026, 1, 31), date(2026, 3, 31)]
    assert built.frame["bad"].to_list() == [1] and built.last_date == date(2027, 1, 5)
    assert "2 date(s) skipped" in built.summary()


def test_the_dataset_command_writes_a_training_table(book, tmp_path):
    out = tmp_path / "训练.parquet"
    result = CliRunner().invoke(fengkong, ["model", "dataset", "--every", "3m", "--from", "2025-03-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.columns == ["customer_code", "observation_date", *ledger.FEATURES, "bad"]
    assert table["observation_date"].to_list() == [date(2025, 3, 31), D]   # in the danger zone from 2025-07-30
    assert "skipped" in " ".join(result.output.split())


def test_the_dataset_command_refuses_unclear_dates(db, tmp_path):
    result = CliRunner().invoke(fengkong, ["model", "dataset", "--every", "3m", "--out", str(tmp_path / "x.parquet")])
    assert result.exit_code == 2 and "--every needs --from" in result.output
