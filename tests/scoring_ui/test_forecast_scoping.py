"""The forecast page's back-test obeys portfolio scoping like its rows (issue 20, finding 5): a collector
sees the back-test of their portfolio (stored per portfolio at training), never the company's; for a model
trained before the back-test was split by portfolio the company's figures are withheld, with a note."""

from __future__ import annotations

import pytest

from fengkong.engine.modelling import delay

from .conftest import backtest_part as part


def test_a_collector_sees_the_backtest_of_the_portfolio_not_the_company(split_backtest, sign_in):
    text = sign_in("collector").get("/models/forecast/").content.decode()
    assert 'id="backtest"' in text and "Back-test on your portfolio" in text
    assert "(6,500,000.00 open)" in text                       # Chongqing's open amount at the origin
    assert "226,587,974.70" not in text and "233,087,974.70" not in text   # Sichuan's, the company's
    assert "1234567" not in text and "1544567" not in text     # nor their weekly receipts in the chart's data


def test_a_risk_manager_sees_the_company_backtest(split_backtest, sign_in):
    text = sign_in("risk_manager").get("/models/forecast/").content.decode()
    assert "(233,087,974.70 open)" in text and "Back-test on your portfolio" not in text


def test_the_company_backtest_without_portfolio_parts_is_withheld_from_a_collector(scored, sign_in):
    """The `scored` model's back-test was stored before the split: only the whole book's figures exist."""
    text = sign_in("collector").get("/models/forecast/").content.decode()
    assert 'id="backtest-withheld"' in text and "company-wide figures are shown only" in text
    assert "90,000.00" not in text and 'data-chart="backtest-1"' not in text
    assert "90,000.00 open" in sign_in("risk_manager").get("/models/forecast/").content.decode()


def test_combining_parts_adds_the_weeks_and_computes_the_errors_again():
    cq, sc = part(100, 10, 20, 5), part(300, 30, 20, 40)
    both = delay.combine_origins([cq, sc])
    assert both["open_fen"] == 400 and both["weeks"][0]["actual_fen"] == 40
    assert both["model"]["wape"] == pytest.approx(0.0) and both["reference"]["wape"] == pytest.approx(5 / 40)
    assert delay.combine_origins([])["model"]["wape"] is None
