"""Master data saved in the admin goes through customers' actions: the permission, the audit event, and the
side effect an import has (a financial statement re-assesses its customer once the change commits)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.core.models import AuditEvent
from fengkong.credit.models import Assessment
from fengkong.customers import actions
from fengkong.customers.exceptions import MasterDataInvalid
from fengkong.customers.models import Customer, CustomerGroup, FinancialStatement
from fengkong.reviews.actions import confirm_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def reassessed(huey_immediate):
    """The customers re-assessed by the background task (huey runs it at once), with the trigger and who
    set it off, in order."""
    def made():
        return list(Assessment.objects.order_by("pk").values_list("customer_id", "trigger", "triggered_by__username"))
    return made


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "Correct-horse-9"))
    return client


def statement_form(customer, **changes) -> dict:
    return {"customer": customer.pk, "period_end": "2025-12-31", "current_assets": "500.00",
            "current_liabilities": "400.00", "total_assets": "2000.00", "total_liabilities": "1200.00",
            "revenue": "3000.00", "net_profit": "-50.00", "equity": "800.00"} | changes


def test_a_statement_added_in_the_admin_reassesses_its_customer_like_an_import(book, admin_client, reassessed,
                                                                              django_capture_on_commit_callbacks):
    customer = book["customers"][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:customers_financialstatement_add"), statement_form(customer))
        assert reassessed() == []  # not before the statement is committed
    assert response.status_code == 302, response.content.decode()[:2000]
    assert reassessed() == [(customer.pk, "new_financials", "root")]
    event = AuditEvent.objects.get(action="financial_statement.created")
    assert event.actor_name == "root" and event.after["customer_id"] == customer.pk


def test_a_statement_changed_or_deleted_in_the_admin_reassesses_and_an_unchanged_save_does_not(
        book, admin_client, reassessed, django_capture_on_commit_callbacks):
    customer = book["customers"][0]
    statement = FinancialStatement.objects.create(customer=customer, period_end=date(2025, 12, 31),
                                                  total_assets=2000, total_liabilities=1200)
    url = reverse("admin:customers_financialstatement_change", args=[statement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, statement_form(customer, current_assets="", current_liabilities="", revenue="",
                                              net_profit="", equity="", total_assets="2000.00",
                                              total_liabilities="1200.00"))
    assert reassessed() == [] and not AuditEvent.objects.filter(action="financial_statement.changed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, statement_form(customer))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:customers_financialstatement_delete", args=[statement.pk]), {"post": "yes"})
    assert reassessed() == [(customer.pk, "new_financials", "root")] * 2
    assert [e.action for e in AuditEvent.objects.filter(object_type="financial_statement").order_by("seq")] == [
        "financial_statement.changed", "financial_statement.deleted"]


def test_an_action_refuses_a_user_without_the_permission_and_writes_nothing(book, users):
    customer = book["customers"][0]
    customer.status = "suspended"
    for persona in (Role.COLLECTOR, Role.AUDITOR):  # may read customers, may not change them
        with pytest.raises(PermissionDenied):
            actions.save_customer(actor=users[persona], customer=customer)
    with pytest.raises(PermissionDenied):  # the analyst may edit customers, but no financial statement
        actions.save_financial_statement(actor=users[Role.CREDIT_ANALYST], statement=FinancialStatement(
            customer=customer, period_end=date(2025, 12, 31)))
    assert Customer.objects.get(pk=customer.pk).status == "active"
    assert not AuditEvent.objects.exists() and not FinancialStatement.objects.exists()


def test_an_analyst_saves_a_customer_and_a_group_through_the_actions(book, users):
    analyst = users[Role.CREDIT_ANALYST]
    group = actions.save_customer_group(actor=analyst, group=CustomerGroup(code="G1", name="渝中集团"))
    customer = book["customers"][0]
    customer.group = group
    actions.save_customer(actor=analyst, customer=customer)
    assert Customer.objects.get(pk=customer.pk).group is None  # the group is sensitive: it waits for review
    confirm_change(actor=users[Role.RISK_MANAGER], change=customer.held_change)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [(e.action, e.actor_name) for e in events] == [("customer_group.created", "credit_analyst"),
                                                          ("change.requested", "credit_analyst"),
                                                          ("customer.changed", "risk_manager"),
                                                          ("change.confirmed", "risk_manager")]
    assert events[2].before["group_id"] is None and events[2].after["group_id"] == group.pk
    assert Customer.objects.get(pk=customer.pk).group == group


def test_a_row_the_model_refuses_is_refused_with_every_field_that_is_wrong(book, users):
    customer = book["customers"][0]
    customer.credit_code, customer.region = "91500000000000000X", "999999"
    with pytest.raises(MasterDataInvalid) as refused:
        actions.save_customer(actor=users[Role.CREDIT_ANALYST], customer=customer)
    assert set(refused.value.errors) == {"credit_code", "region"}
    assert not AuditEvent.objects.exists()


def test_deleting_a_contact_inline_goes_through_the_action(book, admin_client):
    customer = book["customers"][1]
    contact = customer.contacts.create(name="李强", phone="13800000000")
    data = {"code": customer.code, "name": customer.name, "credit_code": customer.credit_code,
            "industry": customer.industry, "region": customer.region, "group": "", "cooperation_start": "",
            "status": customer.status, "portfolio": customer.portfolio_id, "salesperson": "",
            "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1", "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000", "contacts-0-id": contact.pk, "contacts-0-customer": customer.pk,
            "contacts-0-name": "李强", "contacts-0-phone": "13800000000", "contacts-0-DELETE": "on"}
    response = admin_client.post(reverse("admin:customers_customer_change", args=[customer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not customer.contacts.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.before["name"]) == ("contact.deleted", str(contact.pk), "李强")
