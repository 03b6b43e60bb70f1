"""The payment-delay model on the database's ledger: point-in-time reads, and training on a small demo company."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from polars.testing import assert_frame_equal
from tests.conftest import make_customer

from fengkong.demo.load import FILES
from fengkong.engine.modelling import delay
from fengkong.receivables.models import CreditNote, Invoice, Payment, PaymentAllocation
from fengkong.scoring import storage
from fengkong.scoring.delay import predict_open_from_db, read_ledger_until, train_from_db

D = date(2025, 6, 30)
DEMO = {"customers": 150, "years": 2, "seed": 11, "as_of": date(2025, 6, 30)}
FAST = {"n_estimators": 60, "min_data_in_leaf": 30, "early_stopping_rounds": 10}


def pay(customer, number, day, invoice, amount):
    payment = Payment.objects.create(number=number, customer=customer, payment_date=day, amount=Decimal(amount))
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=Decimal(amount))
    Invoice.objects.filter(pk=invoice.pk).update(open_amount=invoice.open_amount - Decimal(amount))
    invoice.refresh_from_db()


def test_the_ledger_read_up_to_a_day_leaves_out_everything_after_it(db, portfolios):
    customer = make_customer("C000031", "500103", portfolios["CQ"])
    first = Invoice.objects.create(number="F1", customer=customer, issue_date=date(2025, 5, 1),
                                   due_date=date(2025, 6, 1), amount=Decimal("1000.00"), open_amount=Decimal("1000.00"))
    pay(customer, "P1", date(2025, 6, 10), first, "400.00")
    before = delay.open_invoices(read_ledger_until(D), D)
    assert before.select("invoice_id", "open_fen", "partially_paid").rows() == [(first.pk, 600_00, 1.0)]
    pay(customer, "P2", date(2025, 7, 1), first, "600.00")
    CreditNote.objects.create(number="HZ1", customer=customer, issue_date=date(2025, 7, 2), amount=Decimal("1.00"),
                              invoice=first, reason="rebate")
    Invoice.objects.create(number="F2", customer=customer, issue_date=date(2025, 7, 1), due_date=date(2025, 8, 1),
                           amount=Decimal("5.00"), open_amount=Decimal("5.00"))
    ledger_then = read_ledger_until(D)
    assert ledger_then.receipts.height == 1 and ledger_then.credit_notes.height == 0
    assert_frame_equal(delay.open_invoices(ledger_then, D), before)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from fengkong.demo.generator import generate

    out = tmp_path_factory.mktemp("delay-demo")
    generate(out, **DEMO)
    return out


@pytest.fixture
def demo_ledger(db, demo_files):
    from fengkong.accounts.setup import setup_database
    from fengkong.integrations.importer import import_file

    setup_database(verbosity=0)
    for kind, name in FILES:
        import_file(demo_files / name, kind, actor=None)
    return demo_files


@pytest.mark.slow
def test_trained_on_the_demo_ledger_it_ranks_late_payers_and_backtests_thirteen_weeks(demo_ledger, tmp_path):
    trained = train_from_db(params=FAST)
    late = trained.report["metrics"]["late"]
    assert late["auc"] > 0.6, late
    origins = trained.report["backtest"]["origins"]
    assert origins and all(len(o["weeks"]) == 13 for o in origins)
    assert trained.report["source"]["file"] == "database" and len(trained.report["source"]["sha256"]) == 64

    model = storage.load_delay(storage.save_delay(trained, tmp_path / "delay"))
    as_of = date.fromisoformat(trained.report["as_of"])
    predicted = predict_open_from_db(model, as_of)
    open_now = Invoice.objects.filter(open_amount__gt=0, issue_date__lte=as_of).count()
    assert predicted.height == open_now > 0
    assert (predicted["expected_date"] >= as_of).all() and predicted["reason_1"].is_not_null().any()
