"""Every way in to dual review: the admin says a save was held, the queue page and the API confirm,
reject and withdraw, the customer page shows what waits; each refuses the requester, the wrong role and
another portfolio's change."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from tests.conftest import make_user

from fengkong.core.models import AuditEvent
from fengkong.customers.models import Customer
from fengkong.reviews.choices import ChangeStatus
from fengkong.reviews.models import PendingChange

pytestmark = pytest.mark.django_db

NEW_NAME = "重庆渝中精密机械集团有限公司"


def signed_in(user) -> Client:
    """A client signed in as `user`, reading English (messages are asserted in English)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def customer_form(customer: Customer, **changes) -> dict:
    data = {"code": customer.code, "name": customer.name, "credit_code": customer.credit_code or "",
            "industry": customer.industry, "region": customer.region, "group": "", "cooperation_start": "",
            "status": customer.status, "portfolio": customer.portfolio_id or "", "salesperson": customer.salesperson,
            "bank_name": customer.bank_name, "bank_account": customer.bank_account,
            "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000"}
    return data | changes


def scoped_confirmer(roles, portfolios):
    """A confirmer who sees only Chengdu."""
    user = make_user("chengdu_manager", None, roles, [portfolios["SC"]])
    user.user_permissions.add(*Permission.objects.filter(codename__in=[
        "confirm_change", "view_pendingchange", "view_customer"]))
    return user


# --- the admin -----------------------------------------------------------------------------------------

def test_the_admin_says_the_new_name_waits_and_saves_the_rest(book, users):
    admin = users["admin"]
    customer = book["customers"][0]
    response = signed_in(admin).post(reverse("admin:customers_customer_change", args=[customer.pk]),
                                     customer_form(customer, name=NEW_NAME, salesperson="王芳"), follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("waits for a second person's review" in m and reverse("review-queue") in m for m in shown), shown
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.name != NEW_NAME and stored.salesperson == "王芳"
    change = PendingChange.objects.get()
    assert (change.new, change.requested_by, change.via) == ({"name": NEW_NAME}, admin, "admin")


def test_a_guarantee_value_changed_in_the_admin_waits(book, users):
    from datetime import date
    from decimal import Decimal

    from fengkong.credit.models import Guarantee

    analyst = users["credit_analyst"]
    analyst.is_staff = True
    analyst.save(update_fields=["is_staff"])
    guarantee = Guarantee.objects.create(customer=book["customers"][0], kind="third_party", provider="重庆担保集团",
                                         value=Decimal("100000.00"), valid_from=date(2026, 1, 1))
    response = signed_in(analyst).post(f"/admin/credit/guarantee/{guarantee.pk}/change/", {
        "customer": guarantee.customer_id, "kind": "third_party", "provider": "重庆担保集团", "value": "800000.00",
        "eligible_percent": "100", "valid_from": "2026-01-01", "valid_until": "", "reference": ""}, follow=True)
    assert any("waits for a second person's review" in str(m) for m in response.context["messages"])
    assert Guarantee.objects.get().value == Decimal("100000.00")
    assert PendingChange.objects.get().new == {"value": "800000.00"}


# --- the queue page ------------------------------------------------------------------------------------

def test_the_queue_offers_the_confirmer_the_decision_and_the_requester_the_withdrawal(book, users, renamed):
    change = renamed()
    manager_page = signed_in(users["risk_manager"]).get(reverse("review-queue")).content.decode()
    assert NEW_NAME in manager_page and reverse("review-confirm", args=[change.pk]) in manager_page
    analyst_page = signed_in(users["credit_analyst"]).get(reverse("review-queue")).content.decode()
    assert NEW_NAME in analyst_page and reverse("review-confirm", args=[change.pk]) not in analyst_page
    assert reverse("review-withdraw", args=[change.pk]) in analyst_page


def test_the_queue_is_in_the_menu_of_those_who_confirm(book, users):
    assert reverse("review-queue") in signed_in(users["risk_manager"]).get(reverse("home")).content.decode()
    assert reverse("review-queue") not in signed_in(users["collector"]).get(reverse("home")).content.decode()


def test_confirming_on_the_queue_applies_the_change(book, users, renamed):
    change = renamed()
    response = signed_in(users["risk_manager"]).post(reverse("review-confirm", args=[change.pk]), follow=True)
    assert any("Confirmed" in str(m) for m in response.context["messages"])
    assert Customer.objects.get(pk=change.object_id).name == NEW_NAME


def test_the_requester_cannot_confirm_on_the_queue(book, users, renamed):
    change = renamed(actor=users["risk_manager"])
    response = signed_in(users["risk_manager"]).post(reverse("review-confirm", args=[change.pk]), follow=True)
    assert any("Nobody reviews their own change" in str(m) for m in response.context["messages"])
    assert Customer.objects.get(pk=change.object_id).name != NEW_NAME
    assert PendingChange.objects.get().status == ChangeStatus.PENDING


@pytest.mark.parametrize("persona", ["collector", "sales", "auditor", "credit_analyst"])
def test_the_wrong_role_cannot_confirm_on_the_queue(book, users, renamed, persona):
    change = renamed(actor=users["admin"])
    assert signed_in(users[persona]).post(reverse("review-confirm", args=[change.pk])).status_code == 403
    assert signed_in(users[persona]).post(reverse("review-reject", args=[change.pk]),
                                          {"note": "no"}).status_code == 403
    assert PendingChange.objects.get().status == ChangeStatus.PENDING


def test_a_change_of_another_portfolio_is_not_found(book, users, roles, portfolios, renamed):
    change = renamed()  # Chongqing
    confirmer = signed_in(scoped_confirmer(roles, portfolios))
    assert NEW_NAME not in confirmer.get(reverse("review-queue")).content.decode()
    assert confirmer.post(reverse("review-confirm", args=[change.pk])).status_code == 404
    assert PendingChange.objects.get().status == ChangeStatus.PENDING


def test_a_rejection_on_the_queue_needs_a_reason(book, users, renamed):
    change = renamed()
    manager = signed_in(users["risk_manager"])
    manager.post(reverse("review-reject", args=[change.pk]), {"note": ""})
    assert PendingChange.objects.get().status == ChangeStatus.PENDING
    manager.post(reverse("review-reject", args=[change.pk]), {"note": "与营业执照不符"})
    assert PendingChange.objects.get().status == ChangeStatus.REJECTED


# --- the customer page ---------------------------------------------------------------------------------

def test_the_customer_page_shows_what_waits_to_those_who_read_the_queue(book, users, renamed):
    change = renamed()
    url = reverse("customer-detail", args=[book["customers"][0].code])
    page = signed_in(users["credit_analyst"]).get(url).content.decode()
    assert 'id="pending-changes-banner"' in page and NEW_NAME in page
    assert 'id="pending-changes-banner"' not in signed_in(users["collector"]).get(url).content.decode()
    change.status = ChangeStatus.WITHDRAWN
    change.save(update_fields=["status"])
    assert 'id="pending-changes-banner"' not in signed_in(users["credit_analyst"]).get(url).content.decode()


# --- the API -------------------------------------------------------------------------------------------

def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_api_lists_and_confirms_another_persons_change(book, users, renamed):
    change = renamed()
    manager = signed_in(users["risk_manager"])
    listed = manager.get("/api/v1/pending-changes").json()
    assert listed["count"] == 1 and listed["items"][0]["changes"] == [
        {"field": "name", "label": "name", "old": book["customers"][0].name, "new": NEW_NAME}]
    assert listed["items"][0]["requested_by"] == "credit_analyst"
    answer = post(manager, f"/api/v1/pending-changes/{change.pk}/confirm", {"note": "ok"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["decided_by"]) == ("confirmed", "risk_manager")
    assert Customer.objects.get(pk=change.object_id).name == NEW_NAME
    assert manager.get("/api/v1/pending-changes").json()["count"] == 0  # none waiting any more


def test_the_api_refuses_the_requester_the_wrong_role_and_another_portfolio(book, users, roles, portfolios,
                                                                             renamed):
    change = renamed(actor=users["risk_manager"])
    url = f"/api/v1/pending-changes/{change.pk}/confirm"
    own = post(signed_in(users["risk_manager"]), url)
    assert own.status_code == 403 and "Nobody reviews their own change" in own.json()["detail"]
    for persona in ("collector", "sales", "auditor"):
        assert post(signed_in(users[persona]), url).status_code == 403
    assert post(signed_in(scoped_confirmer(roles, portfolios)), url).status_code == 404
    assert signed_in(users["collector"]).get("/api/v1/pending-changes").status_code == 403
    assert PendingChange.objects.get().status == ChangeStatus.PENDING
    assert not AuditEvent.objects.filter(action="change.confirmed").exists()


def test_the_api_answers_409_for_a_stale_change_and_422_for_a_rejection_without_reason(book, users, renamed):
    change = renamed()
    manager = signed_in(users["risk_manager"])
    assert post(manager, f"/api/v1/pending-changes/{change.pk}/reject", {"note": ""}).status_code == 422
    Customer.objects.filter(pk=change.object_id).update(name="重庆别的名字有限公司")
    stale = post(manager, f"/api/v1/pending-changes/{change.pk}/confirm")
    assert stale.status_code == 409 and "has changed since" in stale.json()["detail"]
    assert manager.get(f"/api/v1/pending-changes/{change.pk}").json()["status"] == "superseded"
    assert post(manager, f"/api/v1/pending-changes/{change.pk}/confirm").status_code == 409


def test_the_requester_withdraws_through_the_api(book, users, renamed):
    change = renamed()
    url = f"/api/v1/pending-changes/{change.pk}/withdraw"
    assert post(signed_in(users["risk_manager"]), url).status_code == 403
    answer = post(signed_in(users["credit_analyst"]), url, {"note": "typo"})
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"


def test_the_customer_page_shows_the_bank_account_masked(book, users):
    Customer.objects.filter(pk=book["customers"][0].pk).update(bank_name="工商银行重庆分行",
                                                               bank_account="3100021109024512345")
    page = signed_in(users["collector"]).get(reverse("customer-detail", args=[book["customers"][0].code]))
    html = page.content.decode()
    assert "•••• 2345" in html and "3100021109024512345" not in html


@pytest.mark.parametrize("name", ["reviews_pendingchange", "integrations_importsource"])
def test_the_admin_lists_pending_changes_and_import_sources(book, users, renamed, name):
    renamed()
    for persona in ("admin", "auditor"):
        assert signed_in(users[persona]).get(reverse(f"admin:{name}_changelist")).status_code == 200
