"""The time split's hold-out has both outcomes: its start moves earlier, or the run is refused saying why."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling.data import split_rows
from fengkong.engine.modelling.exceptions import DataError


def days(n: int) -> pl.Series:
    return pl.Series("日期", [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]).cast(pl.Datetime)


def test_a_latest_quarter_without_events_moves_the_boundary_back_until_the_hold_out_has_both():
    y = np.zeros(100, dtype=np.int8)
    y[[3, 10, 20, 30, 40, 60, 62]] = 1  # no event after row 62: the latest quarter (75..99) has none
    split = split_rows(y, times=days(100))
    assert set(np.unique(y[split.test])) == {0, 1} and set(np.unique(y[split.train])) == {0, 1}
    assert split.test.min() == 62 and "moved back from 2024-03-16" in split.description


def test_no_period_with_both_outcomes_within_half_the_rows_is_refused_saying_why():
    y = np.zeros(100, dtype=np.int8)
    y[:20] = 1  # every event in the first fifth
    with pytest.raises(DataError) as caught:
        split_rows(y, times=days(100), event="late = 1")
    message = str(caught.value)
    assert "has no late = 1: 0 of its 25 rows" in message and "longer history" in message
    assert "AUC" not in message


def test_a_stratified_split_always_holds_out_both_classes():
    y = np.array([1] * 12 + [0] * 88, dtype=np.int8)
    split = split_rows(y)
    assert y[split.test].sum() >= 1 and (1 - y[split.test]).sum() >= 1


def snapshots(late_on: list[int], dates: int = 10, per_date: int = 5) -> pl.DataFrame:
    """`per_date` invoice snapshots on each of `dates` observation dates; those on the dates in `late_on` late."""
    rows = [(date(2024, 1, 1) + timedelta(days=30 * d), int(d in late_on)) for d in range(dates) for _ in range(per_date)]
    return pl.DataFrame(rows, schema=["observation_date", "late"], orient="row")


def test_the_payment_delay_hold_out_starts_earlier_when_its_latest_dates_have_no_late_payment():
    from fengkong.engine.modelling.delay import DelayModel

    start = DelayModel()._late_holdout_start(snapshots(late_on=[0, 2, 6]))
    assert start == date(2024, 1, 1) + timedelta(days=30 * 6)  # moved back from the 9th date to the 7th


def test_a_payment_delay_hold_out_that_cannot_have_a_late_payment_is_refused_not_reported_as_auc_n_a():
    from fengkong.engine.modelling.delay import DelayModel
    from fengkong.engine.modelling.exceptions import ModellingError

    with pytest.raises(ModellingError, match=r"The hold-out has no late payments: only 0 of its 10 invoice snapshots"):
        DelayModel()._late_holdout_start(snapshots(late_on=[0, 1]))
    assert DelayModel()._late_holdout_start(snapshots(late_on=[0, 1]), checked=False) == date(2024, 1, 1) + \
        timedelta(days=240)  # a back-test origin keeps its early-stopping set
