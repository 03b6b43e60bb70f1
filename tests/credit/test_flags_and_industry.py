"""The flag and industry-outlook actions, and the credit admin pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from tests.conftest import make_customer

from fengkong.core.models import AuditEvent
from fengkong.credit.actions.flags import set_flags
from fengkong.credit.exceptions import CreditError
from fengkong.credit.models import CreditProfile, Guarantee
from fengkong.industry.actions import set_outlook
from fengkong.industry.exceptions import IndustryError
from fengkong.industry.models import IndustryOutlook


def test_setting_litigation_is_audited_and_asks_for_a_re_assessment(book, users, reassessed):
    cq1 = book["customers"][0]
    profile = set_flags(actor=users["legal_officer"], customer=cq1, blacklisted=False, litigation=True,
                        reason="(2026)渝01民初1号")
    assert profile.litigation and profile.litigation_note == "(2026)渝01民初1号"
    event = AuditEvent.objects.get(action="credit_flags.changed")
    assert event.before["litigation"] is False and event.after["litigation"] is True
    assert event.actor_name == "legal_officer"
    assert reassessed == [([cq1.pk], "litigation")]


def test_lifting_a_flag_keeps_the_other_flags_reason_and_does_not_re_assess(book, users, reassessed):
    cq1 = book["customers"][0]
    set_flags(actor=users["credit_analyst"], customer=cq1, blacklisted=True, litigation=True, reason="首次")
    reassessed.clear()
    profile = set_flags(actor=users["credit_analyst"], customer=cq1, blacklisted=False, litigation=True,
                        reason="已结清")
    assert not profile.blacklisted and profile.blacklist_reason == ""
    assert profile.litigation_note == "首次"
    assert reassessed == []


def test_flags_need_a_reason_and_a_change(book, users, reassessed):
    cq1 = book["customers"][0]
    with pytest.raises(CreditError, match="why"):
        set_flags(actor=users["credit_analyst"], customer=cq1, blacklisted=True, litigation=False, reason="  ")
    with pytest.raises(CreditError, match="already"):
        set_flags(actor=users["credit_analyst"], customer=cq1, blacklisted=False, litigation=False, reason="x")
    assert not CreditProfile.objects.filter(blacklisted=True).exists()


def test_flags_need_the_permission(book, users):
    with pytest.raises(PermissionDenied):
        set_flags(actor=users["collector"], customer=book["customers"][0], blacklisted=True, litigation=False,
                  reason="x")


def test_flags_are_refused_outside_the_actors_portfolio(book, users, portfolios, roles):
    from tests.conftest import make_user

    scoped = make_user("scoped_flagger", "collector", roles, [portfolios["SC"]])
    scoped.user_permissions.add(Permission.objects.get(codename="flag_customer"))
    with pytest.raises(PermissionDenied):
        set_flags(actor=scoped, customer=book["customers"][0], blacklisted=True, litigation=False, reason="x")


# --- industry outlook ---------------------------------------------------------------------------------

def test_raising_an_industry_alarm_re_assesses_that_industry(book, users, reassessed):
    cq1, cq2, sc1 = book["customers"]  # C000001 and C000003 are manufacturing (C), C000002 construction (E)
    row = set_outlook(actor=users["industry_analyst"], industry="C", outlook="adverse", alarm=True,
                      note="产能利用率跌破 65%")
    assert (row.outlook, row.alarm, row.updated_by) == ("adverse", True, users["industry_analyst"])
    assert reassessed == [(sorted([cq1.pk, sc1.pk]), "industry_alarm")]
    assert AuditEvent.objects.filter(action="industry_outlook.changed", object_id=str(row.pk)).exists()


def test_an_alarm_already_raised_does_not_re_assess_again(book, users, reassessed):
    set_outlook(actor=users["industry_analyst"], industry="E", outlook="cautious", alarm=True)
    set_outlook(actor=users["industry_analyst"], industry="E", outlook="adverse", alarm=True, note="更差")
    set_outlook(actor=users["industry_analyst"], industry="E", outlook="stable", alarm=False)
    assert len(reassessed) == 1
    assert IndustryOutlook.objects.get(industry="E").outlook == "stable"
    assert AuditEvent.objects.filter(action="industry_outlook.changed").count() == 3


def test_an_outlook_change_is_checked(book, users):
    with pytest.raises(IndustryError, match="industry"):
        set_outlook(actor=users["industry_analyst"], industry="Z", outlook="stable", alarm=False)
    with pytest.raises(IndustryError, match="outlook"):
        set_outlook(actor=users["industry_analyst"], industry="C", outlook="gloomy", alarm=False)
    with pytest.raises(PermissionDenied):
        set_outlook(actor=users["credit_analyst"], industry="C", outlook="stable", alarm=False)


# --- admin --------------------------------------------------------------------------------------------

@pytest.fixture
def staff_analyst(users, client):
    """An industry and credit analyst with admin access."""
    user = users["industry_analyst"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="credit", codename__in=[
        "add_guarantee", "change_guarantee", "view_guarantee"]))
    client.force_login(user)
    return client


def test_an_outlook_saved_in_the_admin_goes_through_the_action(staff_analyst, book, reassessed):
    response = staff_analyst.post("/admin/industry/industryoutlook/add/",
                                  {"industry": "E", "outlook": "adverse", "alarm": "on", "note": "地产下行"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = IndustryOutlook.objects.get(industry="E")
    assert row.alarm and row.note == "地产下行"
    assert AuditEvent.objects.filter(action="industry_outlook.changed").count() == 1
    assert reassessed == [([book["customers"][1].pk], "industry_alarm")]


def test_a_guarantee_added_in_the_admin_is_audited(staff_analyst, book):
    cq1 = book["customers"][0]
    response = staff_analyst.post("/admin/credit/guarantee/add/", {
        "customer": cq1.pk, "kind": "third_party", "provider": "重庆担保集团", "value": "100000.00",
        "eligible_percent": "80", "valid_from": "2026-01-01", "valid_until": "", "reference": "DB-1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    guarantee = Guarantee.objects.get()
    assert guarantee.value == Decimal("100000.00") and guarantee.valid_from == date(2026, 1, 1)
    assert AuditEvent.objects.filter(action="guarantee.created", object_id=str(guarantee.pk)).exists()


def test_credit_records_are_read_only_in_the_admin(users, client, book):
    client.force_login(users["admin"])
    assert client.get("/admin/credit/creditprofile/").status_code == 200
    assert client.get("/admin/credit/creditprofile/add/").status_code == 403
    assert client.get("/admin/credit/riskfeedback/add/").status_code == 403


def test_a_new_customer_in_an_alarmed_industry_is_not_re_assessed_by_a_note_change(book, users, reassessed):
    set_outlook(actor=users["industry_analyst"], industry="F", outlook="adverse", alarm=True)
    assert reassessed == []  # nobody in wholesale yet
    make_customer("C000009", "500103", industry="F")
    set_outlook(actor=users["industry_analyst"], industry="F", outlook="adverse", alarm=True, note="still")
    assert reassessed == []
