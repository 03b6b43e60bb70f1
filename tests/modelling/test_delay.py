"""Payment delay per open invoice, the 13-week forecast and its back-test, on hand-built ledger frames."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fengkong.engine.modelling import delay, metrics
from fengkong.engine.modelling.exceptions import ModelDirError, ModellingError
from fengkong.engine.modelling.ledger import SCHEMAS, LedgerFrames

from .conftest import CREATED_AT

D = date(2025, 6, 30)
FAST = {"n_estimators": 40, "min_data_in_leaf": 20, "early_stopping_rounds": 10}


def frame(name: str, rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema=SCHEMAS[name])


def invoices(*rows) -> pl.DataFrame:
    """(id, customer, issued, due, amount_fen[, disputed])"""
    return frame("invoices", [(*r, *(() if len(r) > 5 else (False,)), 0) for r in rows])


def receipts(*rows) -> pl.DataFrame:
    return frame("receipts", list(rows))


CUSTOMERS = pl.DataFrame({"customer_id": [1, 2], "customer_code": ["C001", "C002"], "industry": ["C", "F"],
                          "cooperation_start": [date(2020, 1, 1), None]})


@pytest.fixture
def small() -> LedgerFrames:
    """Customer 1: invoice 1 paid 31 days late, invoice 2 paid 30 days late, invoice 3 half paid and open;
    customer 2: invoice 4 never paid, invoice 5 due shortly before the data end and unpaid."""
    return LedgerFrames.of(
        customers=CUSTOMERS,
        invoices=invoices((1, 1, date(2025, 5, 1), date(2025, 6, 1), 100_00),
                          (2, 1, date(2025, 5, 1), date(2025, 6, 1), 200_00),
                          (3, 1, date(2025, 6, 1), date(2025, 7, 1), 300_00, True),
                          (4, 2, date(2025, 6, 1), date(2025, 7, 1), 400_00),
                          (5, 2, date(2025, 6, 10), date(2025, 12, 20), 500_00)),
        receipts=receipts((1, date(2025, 7, 2), 100_00), (2, date(2025, 7, 1), 200_00),
                          (3, date(2025, 6, 15), 150_00), (3, date(2025, 10, 20), 150_00)),
        credit_notes=frame("credit_notes", [(1, None, date(2026, 1, 10), 1_00, "rebate")]))


def by_invoice(rows: pl.DataFrame) -> dict[int, dict]:
    return {r["invoice_id"]: r for r in rows.to_dicts()}


def test_invoice_features_are_those_known_on_the_day(small):
    rows = by_invoice(delay.open_invoices(small, D))
    assert sorted(rows) == [1, 2, 3, 4, 5]
    three = rows[3]
    assert three["open_fen"] == 150_00 and three["open_share"] == 0.5 and three["partially_paid"] == 1
    assert three["term_days"] == 30 and three["days_to_due"] == 1 and three["age_days"] == 29
    assert three["disputed"] == 1 and three["invoice_month"] == 6 and three["customer_open_invoices"] == 3
    assert three["customer_open_fen"] == 450_00 and three["customer_overdue_fen"] == 300_00
    assert three["industry"] == "C" and rows[1]["days_to_due"] == -29 and rows[4]["industry"] == "F"


def test_a_receipt_or_invoice_after_the_day_changes_no_feature_of_the_days_rows(small):
    before = delay.open_invoices(small, D)
    later = replace(small,
                    invoices=pl.concat([small.invoices, invoices((6, 1, date(2025, 7, 1), date(2025, 7, 2), 9_00))]),
                    receipts=pl.concat([small.receipts, receipts((4, date(2025, 7, 1), 400_00),
                                                                 (1, date(2025, 6, 30) + timedelta(days=1), 1))]),
                    credit_notes=pl.concat([small.credit_notes,
                                            frame("credit_notes", [(1, 3, date(2025, 7, 1), 150_00, "坏账核销")])]))
    assert_frame_equal(delay.open_invoices(later, D), before)
    rows_before = delay.training_rows(small, [D], date(2026, 3, 1)).drop(delay.TARGET_COLUMNS)
    rows_after = delay.training_rows(later, [D], date(2026, 3, 1)).drop(delay.TARGET_COLUMNS)
    assert_frame_equal(rows_after, rows_before)


def test_paid_31_days_late_is_late_and_30_is_not_and_an_open_window_is_left_out(small):
    rows = by_invoice(delay.training_rows(small, [D], date(2026, 1, 10)))
    assert rows[1]["settle_date"] == date(2025, 7, 2) and rows[1]["late"] == 1
    assert rows[2]["late"] == 0
    assert rows[3]["settle_date"] == date(2025, 10, 20) and rows[3]["late"] == 1   # partial first, rest late
    assert rows[4]["settle_date"] is None and rows[4]["late"] == 1                 # never paid, long overdue
    assert rows[5]["late"] is None                                                 # due 2025-12-20: 21 days
    assert delay.training_rows(small, [D], date(2025, 7, 31))["late"].to_list() == [1, 0, None, None, None]


def test_payment_weeks_count_from_the_observation_date_with_a_class_for_later_or_never(small):
    rows = by_invoice(delay.training_rows(small, [D], date(2026, 1, 10)))
    assert rows[1]["days_to_settle"] == 2 and rows[1]["week"] == 1
    assert rows[2]["days_to_settle"] == 1 and rows[2]["week"] == 1
    assert rows[3]["days_to_settle"] == 112 and rows[3]["week"] == 14              # later than 13 weeks
    assert rows[4]["week"] == 14                                                   # never, window complete
    assert delay.training_rows(small, [D], date(2025, 9, 29))["week"].to_list() == [None] * 5   # 91 days only
    week_7 = delay.training_rows(small, [date(2025, 9, 1)], date(2026, 1, 10))
    assert by_invoice(week_7)[3] == {**by_invoice(week_7)[3], "days_to_settle": 49, "week": 7}


def test_bad_dates_and_an_empty_ledger_are_refused_clearly(small):
    with pytest.raises(ModellingError, match="after the data end 2025-07-31: 2025-08-01"):
        delay.training_rows(small, [date(2025, 8, 1)], date(2025, 7, 31))
    empty = LedgerFrames.of()
    with pytest.raises(ModellingError, match="ledger is empty"):
        delay.training_rows(empty, [D])
    with pytest.raises(ModellingError, match="ledger is empty"):
        delay.train_delay(empty, created_at=CREATED_AT)
    assert delay.open_invoices(empty, D).columns == delay.open_invoices(small, D).columns
    assert delay.open_invoices(small, date(2025, 1, 1)).height == 0


def synthetic_ledger(customers: int = 60, seed: int = 4, end: date = date(2025, 6, 30)) -> LedgerFrames:
    """Two years of invoices: each customer pays a habitual number of days after due (0 to 60), one
    invoice in 25 is never paid, one in 5 is paid in two parts; receipts after `end` are not yet known."""
    rng = np.random.default_rng(seed)
    start = date(2023, 7, 1)
    habit = rng.choice([0, 5, 20, 45, 60], customers)
    rows, paid = [], []
    invoice_id = 0
    for c in range(customers):
        day = start + timedelta(days=int(rng.integers(0, 20)))
        while day <= end:
            invoice_id += 1
            amount = int(rng.lognormal(11, 0.8))
            due = day + timedelta(days=int(rng.choice([30, 60])))
            rows.append((invoice_id, c + 1, day, due, amount, bool(rng.random() < 0.05), 0))
            if rng.random() > 0.04:
                pay = due + timedelta(days=int(max(0, rng.normal(habit[c], 8))))
                if rng.random() < 0.2:
                    paid.append((invoice_id, due, amount // 2))
                    amount -= amount // 2
                paid.append((invoice_id, pay, amount))
            day += timedelta(days=int(rng.integers(7, 30)))
    customers_frame = pl.DataFrame({"customer_id": range(1, customers + 1),
                                    "customer_code": [f"C{c:03d}" for c in range(1, customers + 1)],
                                    "industry": rng.choice(["C", "F", "G"], customers).tolist(),
                                    "cooperation_start": [date(2020, 1, 1)] * customers})
    receipts_frame = frame("receipts", paid).filter(pl.col("payment_date") <= end)
    return LedgerFrames.of(customers=customers_frame, invoices=frame("invoices", rows), receipts=receipts_frame)


@pytest.fixture(scope="module")
def book() -> LedgerFrames:
    return synthetic_ledger()


@pytest.fixture(scope="module")
def trained(book) -> delay.TrainedDelay:
    return delay.train_delay(book, created_at=CREATED_AT, backtest_origins=1, params=FAST)


def test_the_model_learns_the_customers_habits(trained):
    late = trained.report["metrics"]["late"]
    assert late["auc"] > 0.75 and trained.rows == trained.report["training"]["rows"] > 1000
    assert trained.report["metrics"]["week"]["mae_days"] > 0
    assert set(trained.report["reference"]["features"]) == set(trained.model.features_) - {"invoice_month"}


def test_predictions_have_probabilities_dates_losses_and_reasons(book, trained):
    as_of = book.last_date()
    predicted = trained.model.predict(delay.open_invoices(book, as_of), as_of)
    weeks = predicted.select(delay.WEEK_COLUMNS).to_numpy()
    assert np.allclose(weeks.sum(axis=1), 1) and predicted["p_late"].is_between(0, 1).all()
    assert (predicted["expected_date"] >= as_of).all()
    assert (predicted["expected_loss_fen"] == (predicted["open_fen"] * predicted["p_late"]).round()).all()
    first = predicted.filter(pl.col("reason_1").is_not_null()).row(0, named=True)
    assert first["reason_1"] in trained.model.features_ and first["reason_1_contribution"] > 0
    assert first["reason_1_value"] is not None or first["reason_1"] in delay.NUMERIC


def test_the_forecast_spreads_the_open_amount_over_thirteen_weeks(book, trained):
    as_of = book.last_date()
    predicted = trained.model.predict(delay.open_invoices(book, as_of), as_of, reasons=False)
    weekly = delay.forecast(predicted, as_of)
    assert weekly["week"].to_list() == list(range(1, 14))
    assert weekly["start"][0] == as_of + timedelta(days=1) and weekly["end"][12] == as_of + timedelta(days=91)
    inside = (predicted["open_fen"] * (1 - predicted["p_week_14"])).sum()
    assert abs(weekly["expected_fen"].sum() - inside) <= 7     # 13 roundings of half a fen


def test_actual_collections_sum_receipts_and_credit_notes_per_week(small):
    actual = delay.actual_collections(small, D, [1, 3, 4])
    assert actual.filter(pl.col("actual_fen") > 0).select("week", "actual_fen").rows() == [(1, 100_00)]
    assert delay.actual_collections(small, date(2025, 8, 1), [3])["actual_fen"].to_list()[11] == 150_00
    assert delay.actual_collections(small, D, [])["actual_fen"].sum() == 0


def test_the_reference_rule_pays_on_due_date_plus_the_customers_mean_delay():
    weeks = delay.reference_weeks(np.array([-10, 0, 3, 10, 80]), np.array([5, np.nan, 4, 0, 20]))
    assert weeks.tolist() == [1, 1, 1, 2, 15]


def test_the_backtest_compares_thirteen_weeks_with_what_arrived(trained):
    tested = trained.report["backtest"]
    (origin,) = tested["origins"]
    assert origin["origin"] == "2025-03-31" and len(origin["weeks"]) == 13
    assert {"forecast_fen", "actual_fen", "reference_fen"} <= set(origin["weeks"][0])
    actual = sum(w["actual_fen"] for w in origin["weeks"])
    assert origin["model"]["wape"] == pytest.approx(
        sum(abs(w["forecast_fen"] - w["actual_fen"]) for w in origin["weeks"]) / actual)
    assert tested["summary"]["model_wape"] == origin["model"]["wape"]


def test_a_backtest_origin_without_thirteen_weeks_of_actuals_is_refused(book):
    with pytest.raises(ModellingError, match="lack 13 weeks of actuals"):
        delay.backtest(book, [date(2025, 5, 1)])


def test_the_model_as_values_gives_identical_predictions(book, trained):
    texts = trained.model.model_texts()
    again = delay.DelayModel.from_dict(json.loads(json.dumps(trained.model.to_dict())), texts["late"], texts["week"])
    as_of = book.last_date()
    frame_ = delay.open_invoices(book, as_of)
    assert_frame_equal(again.predict(frame_, as_of), trained.model.predict(frame_, as_of))
    assert again.features_ == trained.model.features_ and again.get_params() == trained.model.get_params()
    assert delay.metadata(again, trained.report)["backtest"] == trained.report["backtest"]["summary"]


def test_the_report_page_is_self_contained(trained):
    page = delay.render_html(trained.report)
    assert '<meta charset="utf-8">' in page and "<script src=" not in page   # plotly inlined
    assert "Back-test (13 weeks per origin)" in page


def test_a_damaged_model_text_or_another_models_metadata_is_refused(trained):
    texts = trained.model.model_texts()
    with pytest.raises(ModelDirError, match="LightGBM model cannot be read"):
        delay.DelayModel.from_dict(trained.model.to_dict(), texts["late"], "not a model")
    with pytest.raises(ModelDirError, match="m/ is not a payment-delay model directory of format 1"):
        delay.check_metadata({"format": 1, "models": ["scorecard", "gbm"]}, "m/")


def test_no_open_invoices_give_empty_predictions_and_a_zero_forecast(book, trained):
    none_open = delay.open_invoices(book, date(2023, 1, 1))
    predicted = trained.model.predict(none_open, date(2023, 1, 1))
    assert predicted.height == 0 and "reason_1" in predicted.columns
    assert delay.forecast(predicted, date(2023, 1, 1))["expected_fen"].to_list() == [0] * 13


def test_psi_against_the_reference_is_small_for_the_same_data_and_large_for_a_shift(trained, book):
    rows = delay.open_invoices(book, book.last_date())
    entry = trained.report["reference"]["features"]["log_amount"]
    same = metrics.psi_to_reference(entry, rows["log_amount"].to_numpy())
    shifted = metrics.psi_to_reference(entry, rows["log_amount"].to_numpy() + 2)
    assert same < 0.1 < 0.25 < shifted
    industry = trained.report["reference"]["features"]["industry"]
    assert metrics.psi_to_reference(industry, rows["industry"].to_list()) < 0.1
    assert metrics.psi_to_reference(industry, ["X"] * 50) > 0.25


def test_reasons_only_for_the_largest_expected_losses_when_asked(book, trained):
    as_of = book.last_date()
    frame = delay.open_invoices(book, as_of)
    full = trained.model.predict(frame, as_of)
    head = trained.model.predict(frame, as_of, reasons_top=5)
    assert_frame_equal(full.drop(pl.col(r"^reason_.*$")), head.drop(pl.col(r"^reason_.*$")))
    explained = head.filter(pl.col("reason_1").is_not_null())
    assert explained.height == 5
    top5 = full.sort("expected_loss_fen", descending=True, maintain_order=True).head(5)["invoice_id"].sort().to_list()
    assert explained["invoice_id"].sort().to_list() == top5
    assert_frame_equal(explained.sort("invoice_id"), full.filter(pl.col("invoice_id").is_in(top5)).sort("invoice_id"))


def test_training_as_of_a_day_after_the_data_end_judges_outcomes_at_the_data_end(book, trained):
    """A receipt not in the ledger because the data stops is not a late payment: a later as_of is the data end."""
    later = delay.train_delay(book, created_at=CREATED_AT, as_of=book.last_date() + timedelta(days=60),
                              backtest_origins=1, params=FAST)
    assert later.report["as_of"] == trained.report["as_of"] == book.last_date().isoformat()
    assert later.report["training"] == trained.report["training"]
