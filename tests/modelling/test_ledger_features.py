"""Point-in-time features and the 12-month target from ledger frames (pure; no database)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fengkong.engine.modelling import ledger
from fengkong.engine.modelling.data import infer_schema
from fengkong.engine.modelling.ledger import (
    LedgerFrames,
    add_months,
    features,
    observation_dates,
    observe,
    target,
)

D = date(2025, 6, 30)
CUSTOMERS = pl.DataFrame({"customer_id": [1, 2, 3], "customer_code": ["C001", "C002", "C003"],
                          "industry": ["C", "", "F"], "cooperation_start": [date(2020, 6, 30), None, None]})


def invoices(*rows) -> pl.DataFrame:
    """(id, customer, issued, due, amount_fen[, disputed])"""
    return pl.DataFrame([(*r, *(() if len(r) > 5 else (False,)), 0) for r in rows], orient="row",
                        schema=list(ledger.SCHEMAS["invoices"]))


def receipts(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), orient="row", schema=list(ledger.SCHEMAS["receipts"]))


def credit_notes(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), orient="row", schema=list(ledger.SCHEMAS["credit_notes"]))


def statements(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), orient="row", schema=list(ledger.SCHEMAS["statements"]))


@pytest.fixture
def book() -> LedgerFrames:
    """Customer 1 pays on time early in the year and later late; customer 2 has one old open invoice."""
    return LedgerFrames.of(
        customers=CUSTOMERS,
        invoices=invoices(
            (1, 1, date(2024, 9, 1), date(2024, 10, 1), 100_00),     # paid 2024-10-01: on time, 9 months before
            (2, 1, date(2025, 3, 1), date(2025, 4, 1), 200_00),      # paid 2025-05-11: 40 days late, recent
            (3, 1, date(2025, 4, 1), date(2025, 5, 1), 300_00, True),  # half paid, open and overdue on D
            (4, 1, date(2025, 6, 1), date(2025, 7, 1), 400_00),      # not yet due on D
            (5, 2, date(2024, 1, 1), date(2024, 2, 1), 500_00),      # open since: in the danger zone on D
        ),
        receipts=receipts((1, date(2024, 10, 1), 100_00), (2, date(2025, 5, 11), 200_00),
                          (3, date(2025, 5, 20), 150_00)),
        statements=statements((1, date(2023, 12, 31), 300, 100, 1000, 400, 1_000_000),
                              (1, date(2024, 12, 31), 200, 100, 1000, 600, 1_200_000)),
    )


def row(frame: pl.DataFrame, customer_id: int) -> dict:
    return frame.filter(pl.col("customer_id") == customer_id).to_dicts()[0]


def test_payment_behaviour_over_the_twelve_months_before_the_observation_date(book):
    one = row(features(book, D), 1)
    assert one["dbt_mean_12m"] == 20 and one["dbt_max_12m"] == 40
    assert one["dbt_trend_3m"] == 40           # the last 3 months (40 days late) against the 9 before (0)
    assert one["overdue_count_12m"] == 2       # invoice 2 paid late, invoice 3 still open past due
    assert one["late_share_12m"] == 0.5
    assert one["partial_share_12m"] == pytest.approx(1 / 3)   # of the three invoices due in the window
    assert one["disputed_count_12m"] == 1 and one["disputed_share_12m"] == pytest.approx(1 / 4)
    assert one["invoices_12m"] == 4 and one["sales_12m_fen"] == 1000_00


def test_position_financials_industry_and_tenure_on_the_day(book):
    one = row(features(book, D), 1)
    assert one["open_fen"] == 150_00 + 400_00 and one["overdue_fen"] == 150_00
    assert one["max_days_overdue"] == (D - date(2025, 5, 1)).days
    assert one["current_ratio"] == 2.0 and one["debt_to_asset"] == 0.6
    assert one["revenue_growth"] == pytest.approx(0.2)
    assert one["industry"] == "C" and one["tenure_years"] == pytest.approx(5 / 1.0, abs=0.01)


def test_missing_inputs_stay_missing_never_zero(book):
    two = row(features(book, D), 2)
    for column in ("dbt_mean_12m", "dbt_max_12m", "dbt_trend_3m", "late_share_12m", "overdue_count_12m",
                   "partial_share_12m", "disputed_count_12m", "disputed_share_12m", "current_ratio",
                   "debt_to_asset", "revenue_growth", "industry", "tenure_years"):
        assert two[column] is None, column
    assert two["open_fen"] == 500_00 and two["invoices_12m"] == 0   # real zeros and amounts stay


def test_a_customer_without_an_invoice_by_the_day_is_not_a_row(book):
    assert 3 not in features(book, D)["customer_id"].to_list()


def test_features_never_see_rows_dated_after_the_observation_date(book):
    before = features(book, D)
    after = date(2025, 7, 1)
    later = LedgerFrames.of(
        customers=CUSTOMERS,
        invoices=pl.concat([book.invoices, invoices((6, 1, after, date(2025, 8, 1), 999_00, True),
                                                    (7, 3, after, after, 1_00))]),
        receipts=pl.concat([book.receipts, receipts((3, after, 150_00), (4, date(2025, 9, 1), 400_00),
                                                    (6, date(2025, 9, 1), 999_00))]),
        credit_notes=credit_notes((2, 5, after, 500_00, "坏账核销"), (1, None, after, 1_00, "返利")),
        statements=pl.concat([book.statements, statements((1, date(2025, 12, 31), 1, 100, 1000, 999, 1))]),
    )
    assert_frame_equal(features(later, D), before)


def test_the_target_looks_only_at_the_twelve_months_after_the_day(book):
    outcome = {r["customer_id"]: r for r in target(book, D).to_dicts()}
    assert outcome[1]["bad"] == 1        # invoice 3 reaches 90 days past due on 2025-07-30, still half open
    assert outcome[2]["in_danger"] and not outcome[1]["in_danger"]
    paid_in_time = book.receipts.vstack(receipts((3, date(2025, 7, 29), 150_00), (4, date(2025, 7, 1), 400_00)))
    assert row(target(LedgerFrames.of(**{**book.__dict__, "receipts": paid_in_time}), D), 1)["bad"] == 0
    # An invoice that turns 90 days overdue 13 months after D is beyond the horizon.
    late = LedgerFrames.of(customers=CUSTOMERS, invoices=invoices((1, 1, date(2025, 6, 1), date(2026, 5, 1), 1_00)))
    assert row(target(late, D), 1)["bad"] == 0
    assert row(target(late, date(2025, 9, 30)), 1)["bad"] == 1


def test_a_write_off_within_twelve_months_is_bad_and_one_after_is_not():
    book = LedgerFrames.of(customers=CUSTOMERS, invoices=invoices((1, 1, date(2025, 1, 1), date(2025, 12, 1), 1_00)),
                           receipts=receipts((1, date(2025, 12, 1), 1_00)),
                           credit_notes=credit_notes((1, None, date(2026, 3, 1), 5_00, "Write-off of bad debt")))
    assert row(target(book, D), 1)["bad"] == 1
    assert row(target(book, date(2025, 2, 28)), 1)["bad"] == 0


def test_customers_already_in_the_danger_zone_are_left_out_of_the_training_rows(book):
    observation = observe(book, D)
    assert observation.in_danger == 1
    assert observation.rows["customer_code"].to_list() == ["C001"]
    assert observation.rows.columns == ["customer_code", "observation_date", *ledger.FEATURES, "bad"]


def test_the_customer_code_is_not_a_feature_of_a_table_over_several_dates():
    codes = [f"C{i:04d}" for i in range(40)]
    table = pl.DataFrame({"customer_code": codes * 3, "industry": ["C", "F"] * 60,
                          "observation_date": [date(2025, m, 1) for m in (1, 4, 7) for _ in codes],
                          "x": list(range(120)), "bad": [0, 1, 1, 0] * 30})
    schema = infer_schema(table, "bad", "observation_date")
    assert "ID-like" in schema.dropped["customer_code"] and "industry" in schema.categorical


def test_observation_dates_step_by_calendar_months():
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert observation_dates(date(2024, 1, 31), date(2024, 12, 31), 3) == [
        date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31), date(2024, 10, 31)]
