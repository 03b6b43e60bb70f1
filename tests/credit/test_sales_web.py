"""The phone sales page (find a customer, see whether it can buy on credit, report a risk) and the
analysts' risk-feedback list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import AS_OF, make_invoice
from tests.credit.web_fixtures import graded

from fengkong.core.models import AuditEvent
from fengkong.credit.choices import FeedbackStatus
from fengkong.credit.models import RiskFeedback
from fengkong.credit.views.sales import zone_of
from fengkong.monitoring.models import StopSupply
from fengkong.notifications.models import InboxMessage


@pytest.fixture(autouse=True)
def business_date(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: AS_OF)
    return AS_OF


@pytest.fixture
def sichuan(book):
    """C000003 (Sichuan, the sales user's portfolio): grade B, limit 30,000, 20,000 open, 95 days overdue
    on 4,000 more, and a stop-supply flag."""
    sc1 = book["customers"][2]
    graded(sc1, "B", "30000.00", "70.00")
    make_invoice(sc1, "AR0009", "4000.00", days_overdue=95)
    StopSupply.objects.create(customer=sc1, since=AS_OF - timedelta(days=5), reason="danger zone")
    return sc1


def test_sales_find_only_their_own_customers(sign_in, sichuan):
    body = sign_in("sales").get("/credit/sales/").content.decode()
    assert 'data-customer="C000003"' in body
    assert "C000001" not in body and "C000002" not in body


def test_the_live_search_answers_with_the_cards_only(sign_in, sichuan):
    client = sign_in("sales")
    response = client.get("/credit/sales/", {"q": "锦江"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-customer="C000003"' in body
    assert 'data-customer="C000003"' not in client.get("/credit/sales/", {"q": "渝中"}).content.decode()


def test_searching_for_another_portfolio_finds_nothing(sign_in, sichuan):
    body = sign_in("sales").get("/credit/sales/", {"q": "C000001"}).content.decode()
    assert 'data-customer="C000001"' not in body and "重庆渝中精密机械有限公司" not in body
    assert 'id="sales-cards"' not in body


def test_the_card_shows_grade_available_overdue_status_stop_supply_and_term(sign_in, sichuan):
    body = sign_in("sales").get("/credit/sales/C000003/").content.decode()
    assert 'id="sales-grade"' in body and ">B</span>" in body
    # 30,000 - (20,000 + 4,000) would leave 6,000, but stop-supply and the danger zone are knock-outs
    available = body.split('id="sales-available"')[1][:80]
    assert "0.00" in available and "6,000.00" not in available and 'id="sales-blocked"' in body
    assert 'id="stop-supply"' in body
    assert 'zone-danger' in body and "4,000.00" in body
    assert "60" in body.split('id="sales-term"')[1][:40]
    assert 'id="feedback-form"' in body


def test_another_portfolio_customer_is_not_found(sign_in, sichuan):
    assert sign_in("sales").get("/credit/sales/C000001/").status_code == 404
    assert sign_in("sales").post("/credit/sales/C000001/feedback/",
                                 {"category": "payment", "text": "x"}).status_code == 404


def test_a_role_without_credit_access_is_refused(sign_in, sichuan):
    assert sign_in("nobody").get("/credit/sales/").status_code == 403
    assert sign_in("nobody").get("/credit/sales/C000003/").status_code == 403


def test_submitted_feedback_lands_in_the_analysts_inbox(sign_in, sichuan, users):
    client = sign_in("sales")
    response = client.post("/credit/sales/C000003/feedback/", {"category": "operations", "text": "工厂已停工两周"})
    assert response.status_code == 302 and response.url == "/credit/sales/C000003/"
    feedback = RiskFeedback.objects.get()
    assert (feedback.customer, feedback.author, feedback.status) == (sichuan, users["sales"], FeedbackStatus.NEW)
    assert AuditEvent.objects.filter(action="risk_feedback.submitted", object_id=str(feedback.pk)).exists()
    inbox = InboxMessage.objects.filter(template="risk_feedback")
    assert set(inbox.values_list("user__username", flat=True)) == {"credit_analyst", "risk_manager"}
    message = inbox.first()
    assert "工厂已停工两周" in message.body and message.link == f"/credit/feedback/#feedback-{feedback.pk}"
    followed = client.get(response.url).content.decode()
    assert 'class="message success"' in followed


def test_bad_feedback_shows_the_form_again_with_errors(sign_in, sichuan):
    client = sign_in("sales")
    response = client.post("/credit/sales/C000003/feedback/", {"category": "rumour", "text": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count('class="field-error"') == 2
    assert RiskFeedback.objects.count() == 0


def test_a_collector_cannot_submit_feedback(sign_in, book):
    response = sign_in("collector").post("/credit/sales/C000001/feedback/", {"category": "payment", "text": "x"})
    assert response.status_code == 403


def test_the_card_works_for_a_customer_never_assessed(sign_in, book):
    body = sign_in("sales").get("/credit/sales/C000003/").content.decode()
    assert 'id="sales-grade"' in body and "stop-supply" not in body.split('id="sales-card"')[1].split("</h1>")[0]


@pytest.mark.parametrize(("days", "zone"), [(0, "normal"), (5, "overdue"), (30, "attention"), (60, "warning"),
                                            (90, "danger"), (400, "danger")])
def test_the_overdue_status_follows_the_article_zones(days, zone):
    assert zone_of(days)[0] == zone


# --- the analysts' list -------------------------------------------------------------------------------

@pytest.fixture
def reports(book, users):
    cq1, _cq2, sc1 = book["customers"]
    old = RiskFeedback.objects.create(customer=sc1, category="payment", text="付款推迟", author=users["sales"],
                                      status=FeedbackStatus.REVIEWED)
    new = RiskFeedback.objects.create(customer=cq1, category="management", text="法人变更", author=users["sales"])
    return {"old": old, "new": new}


def test_analysts_see_new_feedback_first_and_filter(sign_in, reports):
    client = sign_in("credit_analyst")
    body = client.get("/credit/feedback/").content.decode()
    assert body.index("法人变更") < body.index("付款推迟")
    filtered = client.get("/credit/feedback/", {"status": "reviewed"}).content.decode()
    assert "付款推迟" in filtered and "法人变更" not in filtered
    assert "法人变更" in client.get("/credit/feedback/", {"category": "management"}).content.decode()
    assert "法人变更" not in client.get("/credit/feedback/", {"q": "C000003"}).content.decode()


def test_a_collector_reads_only_their_portfolio_feedback(sign_in, reports):
    body = sign_in("collector").get("/credit/feedback/").content.decode()
    assert "法人变更" in body and "付款推迟" not in body
    assert '/review/"' not in body


def test_sales_do_not_read_the_feedback_list(sign_in, reports):
    assert sign_in("sales").get("/credit/feedback/").status_code == 403


def test_an_analyst_marks_feedback_reviewed_with_a_note(sign_in, reports, users):
    client = sign_in("credit_analyst")
    new = reports["new"]
    response = client.post(f"/credit/feedback/{new.pk}/review/", {"note": "已电话核实"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.status, new.reviewed_by, new.review_note) == (FeedbackStatus.REVIEWED, users["credit_analyst"],
                                                              "已电话核实")
    assert AuditEvent.objects.filter(action="risk_feedback.reviewed", object_id=str(new.pk)).exists()
    again = client.post(f"/credit/feedback/{new.pk}/review/", {"note": "again"}, follow=True)
    assert 'class="message error"' in again.content.decode()


def test_reviewing_needs_the_permission_and_the_portfolio(sign_in, reports):
    assert sign_in("collector").post(f"/credit/feedback/{reports['new'].pk}/review/").status_code == 403
    assert sign_in("collector").post(f"/credit/feedback/{reports['old'].pk}/review/").status_code == 404
