"""Dual review (双人复核, §16): sensitive master data takes effect only when a second person confirms it;
nobody confirms their own change; the wrong role, another portfolio and a stale change are refused; the
audit trail names both people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from tests.conftest import make_user

from fengkong.core import uscc
from fengkong.core.audit import verify
from fengkong.core.models import AuditEvent
from fengkong.credit.actions.guarantees import save_guarantee
from fengkong.credit.models import Guarantee
from fengkong.customers import actions
from fengkong.customers.exceptions import MasterDataInvalid
from fengkong.customers.models import Contact, Customer, mask_account
from fengkong.reviews.actions import confirm_change, reject_change, withdraw_change
from fengkong.reviews.choices import ChangeStatus
from fengkong.reviews.exceptions import ChangeInvalid, ChangeStale, NotPending, OwnChange
from fengkong.reviews.models import PendingChange

pytestmark = pytest.mark.django_db

NEW_NAME = "重庆渝中精密机械集团有限公司"


def stored(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_a_new_legal_name_waits_and_the_other_fields_are_saved_at_once(book, users):
    customer = Customer.objects.get(pk=book["customers"][0].pk)
    old_name = customer.name
    customer.name, customer.salesperson = NEW_NAME, "王芳"
    actions.save_customer(actor=users["credit_analyst"], customer=customer, via="admin")
    change = customer.held_change
    assert (stored(customer).name, stored(customer).salesperson) == (old_name, "王芳")
    assert customer.name == old_name  # the row is left as stored
    assert (change.kind, change.object_id, change.customer_id, change.status) == (
        "customer", customer.pk, customer.pk, ChangeStatus.PENDING)
    assert (change.old, change.new, change.requested_by, change.via) == (
        {"name": old_name}, {"name": NEW_NAME}, users["credit_analyst"], "admin")
    changed = AuditEvent.objects.get(action="customer.changed")
    assert changed.after["salesperson"] == "王芳" and changed.after["name"] == old_name


def test_a_second_person_confirms_and_the_trail_names_both(book, users, renamed):
    change = renamed()
    confirm_change(actor=users["risk_manager"], change=change, note="营业执照已核对")
    assert stored(book["customers"][0]).name == NEW_NAME
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (
        ChangeStatus.CONFIRMED, users["risk_manager"], "营业执照已核对")
    requested = AuditEvent.objects.get(action="change.requested")
    confirmed = AuditEvent.objects.get(action="change.confirmed")
    written = AuditEvent.objects.get(action="customer.changed")
    assert requested.actor == users["credit_analyst"] and requested.after["new"] == {"name": NEW_NAME}
    assert confirmed.actor == users["risk_manager"]
    assert (confirmed.after["requested_by"], confirmed.after["decided_by"]) == ("credit_analyst", "risk_manager")
    assert confirmed.after["requested_by_id"] == users["credit_analyst"].pk
    assert written.actor == users["risk_manager"] and written.after["name"] == NEW_NAME
    assert requested.seq < written.seq < confirmed.seq and verify().ok


def test_nobody_confirms_or_rejects_their_own_change(book, users, renamed):
    change = renamed(actor=users["risk_manager"])
    with pytest.raises(OwnChange):
        confirm_change(actor=users["risk_manager"], change=change)
    with pytest.raises(OwnChange):
        reject_change(actor=users["risk_manager"], change=change, note="mine")
    assert stored(book["customers"][0]).name != NEW_NAME
    assert PendingChange.objects.get().status == ChangeStatus.PENDING
    assert not AuditEvent.objects.filter(action__in=["change.confirmed", "change.rejected"]).exists()


def test_the_database_refuses_a_change_decided_by_its_requester(book, users, renamed):
    change = renamed()
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingChange.objects.filter(pk=change.pk).update(status=ChangeStatus.CONFIRMED,
                                                          decided_by=users["credit_analyst"])


@pytest.mark.parametrize("persona", ["collector", "sales", "auditor", "credit_analyst", "finance", "nobody"])
def test_a_role_without_the_confirm_permission_is_refused(book, users, renamed, persona):
    change = renamed(actor=users["admin"])
    with pytest.raises(PermissionDenied):
        confirm_change(actor=users[persona], change=change)
    with pytest.raises(PermissionDenied):
        reject_change(actor=users[persona], change=change, note="no")
    assert PendingChange.objects.get().status == ChangeStatus.PENDING


def test_a_confirmer_of_another_portfolio_is_refused(book, users, roles, portfolios, renamed):
    change = renamed()  # a Chongqing customer
    chengdu_manager = make_user("chengdu_manager", None, roles, [portfolios["SC"]])
    chengdu_manager.user_permissions.add(*Permission.objects.filter(codename__in=[
        "confirm_change", "view_pendingchange", "view_customer"]))
    with pytest.raises(PermissionDenied):
        confirm_change(actor=chengdu_manager, change=change)
    assert PendingChange.objects.get().status == ChangeStatus.PENDING


def test_a_stale_change_is_refused_and_superseded(book, users, renamed):
    change = renamed()
    Customer.objects.filter(pk=change.object_id).update(name="重庆别的名字有限公司")  # a trusted import, say
    with pytest.raises(ChangeStale, match="has changed since this change was asked for"):
        confirm_change(actor=users["risk_manager"], change=change)
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUPERSEDED and stored(book["customers"][0]).name == "重庆别的名字有限公司"
    assert AuditEvent.objects.filter(action="change.superseded").count() == 1
    with pytest.raises(NotPending):
        confirm_change(actor=users["risk_manager"], change=change)


def test_a_rejection_needs_a_reason_and_keeps_the_stored_value(book, users, renamed):
    change = renamed()
    with pytest.raises(ValidationError):
        reject_change(actor=users["risk_manager"], change=change, note=" ")
    reject_change(actor=users["risk_manager"], change=change, note="与营业执照不符")
    change.refresh_from_db()
    assert (change.status, change.decision_note) == (ChangeStatus.REJECTED, "与营业执照不符")
    assert stored(book["customers"][0]).name != NEW_NAME
    event = AuditEvent.objects.get(action="change.rejected")
    assert event.actor == users["risk_manager"] and event.after["requested_by"] == "credit_analyst"


def test_only_the_requester_withdraws(book, users, renamed):
    change = renamed()
    with pytest.raises(PermissionDenied):
        withdraw_change(actor=users["risk_manager"], change=change)
    withdraw_change(actor=users["credit_analyst"], change=change, note="typo")
    assert PendingChange.objects.get().status == ChangeStatus.WITHDRAWN
    assert AuditEvent.objects.get(action="change.withdrawn").actor == users["credit_analyst"]


def test_asking_again_adds_nothing_and_a_newer_wish_supersedes_the_older(book, users, renamed):
    first = renamed()
    assert renamed().pk == first.pk and PendingChange.objects.count() == 1
    newer = renamed("重庆渝中精密机械股份有限公司")
    first.refresh_from_db()
    assert first.status == ChangeStatus.SUPERSEDED and newer.status == ChangeStatus.PENDING
    confirm_change(actor=users["risk_manager"], change=newer)
    assert stored(book["customers"][0]).name == "重庆渝中精密机械股份有限公司"


def test_confirming_one_change_supersedes_another_it_makes_stale(book, users, renamed):
    by_analyst = renamed()
    by_admin = renamed("重庆渝中精密机械股份有限公司", actor=users["admin"])  # a second requester
    by_analyst.refresh_from_db()
    assert by_analyst.status == ChangeStatus.SUPERSEDED  # the newest wish is the one waiting
    confirm_change(actor=users["risk_manager"], change=by_admin)
    assert stored(book["customers"][0]).name == "重庆渝中精密机械股份有限公司"


def test_a_new_customers_credit_code_waits_for_review(portfolios, users):
    code = uscc.make("9", "1", "500103", "00000777")
    customer = Customer(code="C000777", name="重庆新客户有限公司", credit_code=code, region="500103",
                        industry="C", portfolio=portfolios["CQ"])
    actions.save_customer(actor=users["admin"], customer=customer, via="admin")
    assert stored(customer).credit_code is None and stored(customer).name == "重庆新客户有限公司"
    change = customer.held_change
    assert (change.old, change.new) == ({"credit_code": None}, {"credit_code": code})
    confirm_change(actor=users["risk_manager"], change=change)
    assert stored(customer).credit_code == code


def test_a_credit_code_taken_meanwhile_is_refused_on_confirmation(book, users, portfolios):
    taken = book["customers"][1].credit_code
    Customer.objects.filter(pk=book["customers"][1].pk).update(credit_code=None)
    customer = Customer.objects.get(pk=book["customers"][0].pk)
    customer.credit_code = taken
    actions.save_customer(actor=users["credit_analyst"], customer=customer)
    Customer.objects.filter(pk=book["customers"][1].pk).update(credit_code=taken)
    with pytest.raises(ChangeInvalid, match="credit_code"):
        confirm_change(actor=users["risk_manager"], change=customer.held_change)
    assert PendingChange.objects.get().status == ChangeStatus.PENDING  # the reviewer may reject it now


def test_portfolio_group_and_bank_details_are_held_and_the_account_is_masked(book, users, portfolios):
    customer = Customer.objects.get(pk=book["customers"][0].pk)
    customer.portfolio, customer.bank_name, customer.bank_account = portfolios["SC"], "中国工商银行重庆渝中支行", \
        "3100021109024512345"
    actions.save_customer(actor=users["credit_analyst"], customer=customer)
    change = customer.held_change
    assert set(change.new) == {"portfolio_id", "bank_name", "bank_account"}
    assert stored(customer).portfolio == portfolios["CQ"] and stored(customer).bank_account == ""
    rows = {r["field"]: r for r in change.rows(masked=True)}
    assert rows["bank_account"]["new"] == "•••• 2345" == mask_account("3100021109024512345")
    assert rows["portfolio_id"]["new"] == str(portfolios["SC"])
    assert {r["field"]: r for r in change.rows()}["bank_account"]["new"] == "3100021109024512345"
    confirm_change(actor=users["admin"], change=change)
    assert (stored(customer).portfolio, stored(customer).bank_account) == (portfolios["SC"], "3100021109024512345")


def test_a_bank_account_that_is_not_digits_is_refused(book, users):
    customer = Customer.objects.get(pk=book["customers"][0].pk)
    customer.bank_account = "6222 0200 1234"
    with pytest.raises(MasterDataInvalid) as refused:
        actions.save_customer(actor=users["credit_analyst"], customer=customer)
    assert set(refused.value.errors) == {"bank_account"} and not PendingChange.objects.exists()


def test_a_contacts_phone_waits_and_its_title_does_not(book, users):
    contact = Contact.objects.create(customer=book["customers"][0], name="李强", phone="13800000000",
                                     is_primary=True)
    contact.phone, contact.title = "13900000000", "财务经理"
    actions.save_contact(actor=users["credit_analyst"], contact=contact)
    assert Contact.objects.get(pk=contact.pk).phone == "13800000000"
    assert Contact.objects.get(pk=contact.pk).title == "财务经理"
    change = contact.held_change
    assert (change.kind, change.customer_id, change.new) == ("contact", contact.customer_id, {"phone": "13900000000"})
    confirm_change(actor=users["risk_manager"], change=change)
    assert Contact.objects.get(pk=contact.pk).phone == "13900000000"
    assert AuditEvent.objects.filter(action="contact.changed", actor=users["risk_manager"]).exists()


def test_a_guarantees_value_waits_and_a_new_guarantee_is_taken_as_entered(book, users, queued,
                                                                         django_capture_on_commit_callbacks):
    guarantee = save_guarantee(actor=users["credit_analyst"], guarantee=Guarantee(
        customer=book["customers"][0], kind="collateral", provider="厂房抵押", value=Decimal("500000.00"),
        eligible_percent=70, valid_from=date(2026, 1, 1)))
    assert guarantee.held_change is None and Guarantee.objects.get().value == Decimal("500000.00")
    guarantee.value, guarantee.reference = Decimal("900000.00"), "DB-9"
    save_guarantee(actor=users["credit_analyst"], guarantee=guarantee)
    assert (Guarantee.objects.get().value, Guarantee.objects.get().reference) == (Decimal("500000.00"), "DB-9")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_change(actor=users["risk_manager"], change=guarantee.held_change)
    assert Guarantee.objects.get().value == Decimal("900000.00")
    assert queued[-1] == ([book["customers"][0].pk], "guarantee")  # re-assessed once confirmed
