"""Guarantees on file: added, changed and removed through one action, the admin's saves too; it checks the
permission and the portfolio, writes the audit event and re-assesses the customer once the change commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from tests.conftest import make_user

from fengkong.core.models import AuditEvent
from fengkong.credit.actions.guarantees import delete_guarantee, save_guarantee
from fengkong.credit.choices import GuaranteeKind
from fengkong.credit.models import Guarantee
from fengkong.reviews.actions import confirm_change
from fengkong.reviews.models import PendingChange

FORM = {"kind": "third_party", "provider": "重庆担保集团", "value": "100000.00", "eligible_percent": "80",
        "valid_from": "2026-01-01", "valid_until": "", "reference": "DB-1"}


@pytest.fixture
def staff_analyst(users, client):
    """The credit analyst with admin access (the role adds and changes guarantees), and deleting them."""
    user = users["credit_analyst"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(content_type__app_label="credit", codename="delete_guarantee"))
    client.force_login(user)
    return client


def guarantee_of(customer, **changes) -> Guarantee:
    fields = {"kind": GuaranteeKind.COLLATERAL, "provider": "厂房抵押", "value": Decimal("500000.00"),
              "eligible_percent": 70, "valid_from": date(2026, 1, 1), **changes}
    return Guarantee(customer=customer, **fields)


def test_an_admin_save_of_a_guarantee_is_audited_and_reassesses(staff_analyst, book, users, queued,
                                                                django_capture_on_commit_callbacks):
    cq1, cq2, _sc1 = book["customers"]
    analyst = users["credit_analyst"]
    with django_capture_on_commit_callbacks(execute=True):
        added = staff_analyst.post("/admin/credit/guarantee/add/", {"customer": cq1.pk, **FORM})
    assert added.status_code == 302, added.content.decode()[:2000]
    guarantee = Guarantee.objects.get()
    assert guarantee.value == Decimal("100000.00") and guarantee.created_by == analyst
    created = AuditEvent.objects.get(action="guarantee.created", object_id=str(guarantee.pk))
    assert created.actor == analyst and created.after["value"] == "100000.00"
    assert queued == [([cq1.pk], "guarantee")]

    with django_capture_on_commit_callbacks(execute=True):
        changed = staff_analyst.post(f"/admin/credit/guarantee/{guarantee.pk}/change/",
                                     {"customer": cq2.pk, **FORM, "value": "150000.00"})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    event = AuditEvent.objects.get(action="guarantee.changed")
    assert (event.before["customer_id"], event.after["customer_id"]) == (cq1.pk, cq2.pk)
    assert event.after["value"] == "100000.00"  # the value waits for a second person (dual review)
    assert queued[-1] == ([cq1.pk, cq2.pk], "guarantee")  # the one it left and the one it backs now
    held = PendingChange.objects.get()
    assert (held.kind, held.customer, held.old, held.new, held.requested_by) == (
        "guarantee", cq2, {"value": "100000.00"}, {"value": "150000.00"}, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_change(actor=users["risk_manager"], change=held)
    event = AuditEvent.objects.filter(action="guarantee.changed").latest("seq")
    assert (event.before["value"], event.after["value"]) == ("100000.00", "150000.00")
    assert event.actor == users["risk_manager"] and Guarantee.objects.get().value == Decimal("150000.00")
    assert queued[-1] == ([cq2.pk], "guarantee")

    with django_capture_on_commit_callbacks(execute=True):
        deleted = staff_analyst.post(f"/admin/credit/guarantee/{guarantee.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not Guarantee.objects.exists()
    assert AuditEvent.objects.get(action="guarantee.deleted").before["customer_id"] == cq2.pk
    assert queued[-1] == ([cq2.pk], "guarantee")


def test_saving_a_guarantee_unchanged_records_nothing_and_reassesses_nobody(book, users, queued,
                                                                          django_capture_on_commit_callbacks):
    guarantee = save_guarantee(actor=users["credit_analyst"], guarantee=guarantee_of(book["customers"][0]))
    with django_capture_on_commit_callbacks(execute=True):
        save_guarantee(actor=users["credit_analyst"], guarantee=Guarantee.objects.get(pk=guarantee.pk))
    assert AuditEvent.objects.filter(object_type="guarantee").count() == 1 and queued == []


def test_a_guarantee_needs_the_permission_and_the_customer_in_the_portfolio(book, users, roles, portfolios):
    cq1 = book["customers"][0]
    with pytest.raises(PermissionDenied):
        save_guarantee(actor=users["collector"], guarantee=guarantee_of(cq1))
    scoped = make_user("scoped_analyst", None, roles, [portfolios["SC"]])
    scoped.user_permissions.add(*Permission.objects.filter(codename__in=["add_guarantee", "view_customer"]))
    with pytest.raises(PermissionDenied):
        save_guarantee(actor=scoped, guarantee=guarantee_of(cq1))
    kept = save_guarantee(actor=users["credit_analyst"], guarantee=guarantee_of(cq1))
    with pytest.raises(PermissionDenied):  # nobody's role deletes guarantees: the admin shows no delete
        delete_guarantee(actor=users["credit_analyst"], guarantee=kept)
    assert Guarantee.objects.count() == 1 and AuditEvent.objects.filter(object_type="guarantee").count() == 1
