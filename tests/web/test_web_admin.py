"""Django admin for master data: changes are audited, the audit trail and import history are read-only,
and lists are scoped like the rest of the UI."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fengkong.accounts.choices import Role
from fengkong.core.audit import record, verify
from fengkong.core.models import AuditEvent
from fengkong.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "Correct-horse-9")


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def customer_form(customer: Customer, **changes) -> dict:
    data = {"code": customer.code, "name": customer.name, "credit_code": customer.credit_code or "",
            "industry": customer.industry, "region": customer.region, "group": "",
            "cooperation_start": "", "status": customer.status, "portfolio": customer.portfolio_id or "",
            "salesperson": customer.salesperson,
            "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000"}
    return data | changes


def test_saving_a_customer_in_the_admin_writes_an_audit_event_with_before_and_after(book, admin_client):
    customer = Customer.objects.get(code="C000001")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = admin_client.post(url, customer_form(customer, status="suspended", salesperson="王芳"))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="customer.changed")
    assert event.actor_name == "root" and event.object_id == str(customer.pk)
    assert event.before["status"] == "active" and event.after["status"] == "suspended"
    assert event.after["salesperson"] == "王芳" and set(event.after) == set(Customer.AUDITED_FIELDS)
    assert verify().ok


def test_an_invalid_credit_code_is_a_form_error_in_the_admin(book, admin_client):
    customer = Customer.objects.get(code="C000001")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = admin_client.post(url, customer_form(customer, credit_code="91500000000000000X"))
    assert response.status_code == 200 and "统一社会信用代码无效" in response.content.decode()
    assert not AuditEvent.objects.filter(action="customer.changed").exists()


def test_adding_a_contact_inline_is_audited(book, admin_client):
    customer = Customer.objects.get(code="C000002")
    data = customer_form(customer) | {"contacts-TOTAL_FORMS": "1", "contacts-0-name": "李强",
                                      "contacts-0-phone": "13800000000", "contacts-0-is_primary": "on"}
    response = admin_client.post(reverse("admin:customers_customer_change", args=[customer.pk]), data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="contact.created")
    assert event.after["name"] == "李强" and event.after["customer_id"] == customer.pk


def test_the_audit_trail_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    event = record(None, "test.event", "thing", 1, after={"a": 1})
    assert admin_client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "forged"})
    event.refresh_from_db()
    assert event.action == "test.event"


def test_import_history_is_read_only_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:integrations_importbatch_add")).status_code == 403


def test_admin_lists_of_customers_are_scoped_for_a_staff_user_without_the_whole_book(book, users):
    collector = users[Role.COLLECTOR]
    collector.is_staff = True
    collector.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(collector)
    html = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert "C000001" in html and "C000003" not in html


@pytest.mark.parametrize("name", ["customers_customer", "customers_contact", "customers_customergroup",
                                  "customers_financialstatement", "receivables_invoice", "receivables_payment",
                                  "receivables_creditnote", "receivables_salesorder", "integrations_importbatch",
                                  "accounts_portfolio", "accounts_apitoken", "core_auditevent"])
def test_every_admin_list_renders(book, admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
