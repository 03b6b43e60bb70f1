"""A policy's what-if obeys portfolio scoping like its rows (issue 20, finding 5): it is stored per
portfolio as well as for the whole book; a collector reads the totals of their portfolio (API and page),
whoever sees every customer the whole book's; a preview stored before the split shows a collector no totals."""

from __future__ import annotations

import pytest

from fengkong.credit import grading
from fengkong.credit.actions import policies
from fengkong.credit.choices import PolicyStatus
from fengkong.credit.models import CreditPolicy

from .approvals_fixtures import PREVIEW

pytestmark = pytest.mark.django_db

TIGHTER = {"grades": {"A": 85, "B": 65}, "terms": {"B": {"term_days": 45}}}


@pytest.fixture
def proposed(users, book):
    return policies.propose_policy(actor=users["risk_manager"], config=TIGHTER, note="tighter")


def test_the_preview_keeps_each_portfolios_totals_and_they_add_up_to_the_book(proposed, portfolios):
    preview = proposed.preview
    parts = preview["portfolios"]
    assert set(parts) == {str(portfolios["CQ"].pk), str(portfolios["SC"].pk)}
    assert (parts[str(portfolios["CQ"].pk)]["customers"], parts[str(portfolios["SC"].pk)]["customers"]) == (2, 1)
    both = grading.add_totals(list(parts.values()))
    assert {k: both[k] for k in grading.PREVIEW_TOTALS} == {k: preview[k] for k in grading.PREVIEW_TOTALS}


def test_a_collector_reads_the_totals_of_the_portfolio_and_a_manager_the_books(proposed, portfolios, sign_in):
    url = f"/api/v1/credit-policies/{proposed.version}"
    mine = sign_in("collector").get(url).json()["preview"]
    cq = proposed.preview["portfolios"][str(portfolios["CQ"].pk)]
    assert mine["figures"] == "portfolio" and "portfolios" not in mine
    assert {k: mine[k] for k in grading.PREVIEW_TOTALS} == cq
    book = sign_in("risk_manager").get(url).json()["preview"]
    assert book["figures"] == "book" and book["customers"] == 3 and "portfolios" not in book
    page = sign_in("collector").get(f"/credit/policy/{proposed.version}/").content.decode()
    assert "What-if on your portfolio" in page


def test_a_preview_stored_before_the_split_shows_a_collector_no_totals(users, sign_in):
    policy = CreditPolicy.objects.create(version=1, config={}, status=PolicyStatus.PROPOSED, note="old",
                                         proposed_by=users["risk_manager"], preview=PREVIEW)
    mine = sign_in("collector").get(f"/api/v1/credit-policies/{policy.version}").json()["preview"]
    assert mine["figures"] == "withheld" and not set(grading.PREVIEW_TOTALS) & set(mine)
    page = sign_in("collector").get(f"/credit/policy/{policy.version}/").content.decode()
    assert 'id="preview-withheld"' in page and "500,000.00" not in page and "420,000.00" not in page
    assert "500,000.00" in sign_in("risk_manager").get(f"/credit/policy/{policy.version}/").content.decode()
