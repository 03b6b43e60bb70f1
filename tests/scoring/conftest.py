"""A small generated ledger in the database, a customer-risk model trained on it once per session, and a
private data directory per test (the registry copies model directories there).

The ledger is the demo company's (60 customers over 2 years, a fixed seed and date) loaded through the
importer, as `fengkong demo` loads it. Training is deterministic on it, so the trained model directory is
made once and registered afresh by each test that needs one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from tests.conftest import AS_OF

from fengkong.demo.load import FILES

LEDGER = {"customers": 60, "years": 2, "seed": 11}
_TRAINED: dict = {}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture(scope="session")
def ledger_files(tmp_path_factory) -> Path:
    from fengkong.demo.generator import generate

    out = tmp_path_factory.mktemp("ledger")
    generate(out, as_of=AS_OF, **LEDGER)
    return out


@pytest.fixture
def ledger_book(db, ledger_files, portfolios):
    """The generated company imported; its customers split between the Chongqing and Sichuan portfolios."""
    from fengkong.customers.models import Customer
    from fengkong.integrations.importer import import_file

    for kind, name in FILES:
        batch = import_file(ledger_files / name, kind, actor=None)
        assert batch.status in {"done", "partial"}, (name, batch.message, batch.errors[:3])
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    Customer.objects.filter(pk__in=ids[::2]).update(portfolio=portfolios["CQ"])
    Customer.objects.filter(pk__in=ids[1::2]).update(portfolio=portfolios["SC"])
    return ledger_files


def small_config():
    from fengkong.engine.modelling.train import TrainConfig

    return TrainConfig(time_column="observation_date", exclude=("customer_code",), gbm_estimators=40)


@pytest.fixture
def trained(db, request, tmp_path_factory) -> dict:
    """A customer-risk model directory trained on the ledger (once), with its reference and training data.
    Only the first test that needs it loads the ledger; the others register the directory without it."""
    if not _TRAINED:
        request.getfixturevalue("ledger_book")
        from fengkong.scoring.actions import train_customer_risk

        directory = tmp_path_factory.mktemp("customer-risk")
        reference, training = train_customer_risk(directory, None, None, small_config())
        _TRAINED.update(directory=directory, reference=reference, training=training)
    return _TRAINED


@pytest.fixture
def register_trained(trained, users):
    """register_trained(actor=…) -> [scorecard, gbm] versions of the trained directory."""
    from fengkong.scoring.actions import register

    def _register(actor=None, **extra):
        options = {"reference": trained["reference"], "training": trained["training"], **extra}
        return register(actor=actor or users["risk_manager"], directory=trained["directory"], use="customer_risk",
                        **options)

    return _register
