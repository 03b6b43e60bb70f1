"""An order reference checked for another portfolio's customer answers as if it had never been checked
(issue 20, finding 5): no 409 naming it, no hint it exists; the caller's own references keep the
idempotency contract (a replay answers the first check, different content is a 409)."""

from __future__ import annotations

import pytest
from django.http import Http404
from tests.credit.test_api_checks import as_, order, world  # noqa: F401 - the fixtures, shared

from fengkong.credit.actions import checks
from fengkong.credit.models import CreditCheck

pytestmark = pytest.mark.django_db

CQ_ORDER = "SO-CQ-7"


@pytest.fixture
def chongqing_order(world, as_):  # noqa: F811
    response = as_("risk_manager").post("/credit-checks", order(CQ_ORDER, "C000001", "1000.00"))
    assert response.status_code == 201
    return response.json()


def test_a_reference_of_another_portfolio_answers_as_one_never_checked(chongqing_order, as_):  # noqa: F811
    replayed = as_("sales").post("/credit-checks", order(CQ_ORDER, "C000003", "1000.00"))
    assert replayed.status_code == 201, replayed.content
    body = replayed.json()
    assert (body["customer"], body["decision"], body["status"]) == ("C000003", "approve", "reserved")
    assert body["exposure_before"] == "20000.00" and body["reserved_amount"] == "1000.00"   # Sichuan's own figures
    assert "C000001" not in replayed.content.decode() and "重庆" not in replayed.content.decode()
    assert CreditCheck.objects.filter(reference=CQ_ORDER).count() == 2


def test_with_other_content_it_is_still_no_conflict(chongqing_order, as_):  # noqa: F811
    response = as_("sales").post("/credit-checks", order(CQ_ORDER, "C000003", "999.00"))
    assert response.status_code == 201 and response.json()["customer"] == "C000003"


def test_the_callers_own_reference_is_still_idempotent(chongqing_order, as_):  # noqa: F811
    sales = as_("sales")
    first = sales.post("/credit-checks", order(CQ_ORDER, "C000003", "1000.00"))
    again = sales.post("/credit-checks", order(CQ_ORDER, "C000003", "1000.00"))
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    conflict = sales.post("/credit-checks", order(CQ_ORDER, "C000003", "1000.50"))
    assert conflict.status_code == 409 and f"replayed reference {CQ_ORDER}" in conflict.json()["detail"]
    assert CreditCheck.objects.filter(reference=CQ_ORDER).count() == 2


def test_whoever_sees_both_customers_still_gets_the_conflict(chongqing_order, as_):  # noqa: F811
    response = as_("risk_manager").post("/credit-checks", order(CQ_ORDER, "C000003", "1000.00"))
    assert response.status_code == 409 and f"replayed reference {CQ_ORDER}" in response.json()["detail"]
    assert CreditCheck.objects.filter(reference=CQ_ORDER).count() == 1


def test_each_portfolio_reads_its_own_check_of_the_reference(chongqing_order, as_):  # noqa: F811
    as_("sales").post("/credit-checks", order(CQ_ORDER, "C000003", "500.00"))
    assert as_("sales").get(f"/credit-checks/{CQ_ORDER}").json()["customer"] == "C000003"
    assert as_("collector").get(f"/credit-checks/{CQ_ORDER}").json()["customer"] == "C000001"
    assert [i["customer"] for i in as_("sales").get("/credit-checks").json()["items"]] == ["C000003"]


def test_whoever_sees_both_checks_of_a_reference_opens_the_latest_and_lists_both(chongqing_order, as_):  # noqa: F811
    as_("sales").post("/credit-checks", order(CQ_ORDER, "C000003", "500.00"))
    manager = as_("risk_manager")
    assert manager.get(f"/credit-checks/{CQ_ORDER}").json()["customer"] == "C000003"
    assert manager.post(f"/credit-checks/{CQ_ORDER}/release").json()["status"] == "released"
    assert {i["customer"] for i in manager.get("/credit-checks", q=CQ_ORDER).json()["items"]} == {"C000001",
                                                                                                  "C000003"}
    assert manager.client.get(f"/credit/checks/{CQ_ORDER}/").status_code == 200


def test_an_action_on_another_portfolios_check_of_the_same_reference_is_refused(chongqing_order, as_, users):  # noqa: F811
    as_("sales").post("/credit-checks", order(CQ_ORDER, "C000003", "500.00"))
    theirs = CreditCheck.objects.get(reference=CQ_ORDER, customer__code="C000001")
    with pytest.raises(Http404):
        checks.cancel(actor=users["sales"], check=theirs)
    assert CreditCheck.objects.get(pk=theirs.pk).status == theirs.status
