"""The back-test split by group (portfolio): each group's figures are those of its own invoices, and the
groups of a book in which every customer has one add up to the whole back-test (issue 20, finding 5)."""

from __future__ import annotations

from datetime import date

import pytest

from fengkong.engine.modelling import delay

from .test_delay import FAST, synthetic_ledger

ORIGIN = date(2025, 3, 31)


@pytest.fixture(scope="module")
def split():
    book = synthetic_ledger()
    ids = book.customers["customer_id"].to_list()
    groups = {"7": ids[: len(ids) // 2], "9": ids[len(ids) // 2:]}
    return book, groups, delay.backtest(book, [ORIGIN], params=FAST, groups=groups)


def test_each_group_has_the_figures_of_its_own_invoices(split):
    book, groups, tested = split
    (origin,) = tested["origins"]
    open_now = delay.open_invoices(book, ORIGIN)
    for key, customers in groups.items():
        part = origin["groups"][key]
        mine = open_now.filter(open_now["customer_id"].is_in(customers))
        assert part["open_fen"] == int(mine["open_fen"].sum()) and part["open_invoices"] == mine.height
        actual = delay.actual_collections(book, ORIGIN, mine["invoice_id"])
        assert [w["actual_fen"] for w in part["weeks"]] == actual["actual_fen"].to_list()


def test_the_groups_add_up_to_the_company(split):
    _book, _groups, tested = split
    (origin,) = tested["origins"]
    both = delay.combine_origins(list(origin["groups"].values()))
    assert both["open_fen"] == origin["open_fen"] and both["open_invoices"] == origin["open_invoices"]
    for name in ("actual_fen", "reference_fen"):
        assert [w[name] for w in both["weeks"]] == [w[name] for w in origin["weeks"]]
    assert sum(w["forecast_fen"] for w in both["weeks"]) == pytest.approx(
        sum(w["forecast_fen"] for w in origin["weeks"]), abs=26)   # each group's weeks rounded to the fen
    assert both["model"]["wape"] == pytest.approx(origin["model"]["wape"], abs=1e-6)
