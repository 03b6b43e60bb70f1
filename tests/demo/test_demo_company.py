"""The demo company, built once (60 customers, two years, seed 5: it takes most of this file's time) through
the real import, actions, cycles and model training; each app's findings about it are subtests, kept beside
that app's tests (`CHECKS` in tests/<app>/demo_*_checks.py). A new finding about the demo goes into one of
those lists, or a new list here, rather than a new build of its own."""

from __future__ import annotations

import pytest
from tests.collection_cases import demo_history_checks
from tests.credit import demo_credit_checks, demo_signals_checks

pytestmark = pytest.mark.django_db(transaction=True)

FINDINGS = [*demo_credit_checks.CHECKS, *demo_signals_checks.CHECKS, *demo_history_checks.CHECKS]


def test_the_demo_company(settings, tmp_path, flushable_audit_trail, subtests):
    from fengkong.demo.load import load_demo

    settings.DATA_DIR = tmp_path
    demo = load_demo(customers=60, years=2, seed=5)
    for check in FINDINGS:
        with subtests.test(msg=check.__name__.lstrip("_").replace("_", " ")):
            check(demo)
