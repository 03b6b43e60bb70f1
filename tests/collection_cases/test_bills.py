"""Commercial acceptance bills: recorded for a customer's debt, they settle the invoices they cover (what the
case chases drops by the bill while it is held, presented or paid); dishonoured, the debt is open again and an
alert is raised; the night flags bills maturing soon and those past maturity not presented."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from fengkong.cli.commands import fengkong
from fengkong.collections import actions, bills, plans
from fengkong.collections.choices import BillFlag, BillStatus, EventKind
from fengkong.collections.dunning import dunning_items
from fengkong.collections.exceptions import BillClosed, BillInvalid, PlanInvalid, PolicyInvalid
from fengkong.collections.models import AcceptanceBill, BillAllocation, CaseEvent, CollectionCase
from fengkong.collections.policy import parse
from fengkong.core import uscc
from fengkong.core.models import AuditEvent
from fengkong.monitoring.choices import AlertKind
from fengkong.monitoring.models import Alert

from .conftest import day, night

pytestmark = pytest.mark.django_db
JSON = "application/json"
GOOD_USCC = uscc.make("9", "1", "500103", "MA5U7ABC")
BAD_USCC = GOOD_USCC[:17] + ("0" if GOOD_USCC[17] != "0" else "1")


@pytest.fixture
def opened(ledger, clock):
    """CQ's case is open on day 41, owing 14,000.00 (CL-A1 10,000 and CL-A2 4,000); CL-A3 is not issued yet."""
    night(day(40))
    clock.today = day(41)
    return ledger


def draft(number="CB-0001", amount="12000.00", issue=41, maturity=131, **extra) -> bills.BillDraft:
    return bills.BillDraft(number=number, acceptor_name="重庆长安汽车股份有限公司", amount=Decimal(amount),
                           issue_date=day(issue), maturity_date=day(maturity), **extra)


def record(users, customer, who="collector", invoices=(), **kwargs) -> AcceptanceBill:
    return bills.record_bill(actor=users[who], customer=customer, draft=draft(**kwargs), invoices=list(invoices))


def allocations(bill) -> list[tuple[str, Decimal]]:
    return list(BillAllocation.objects.filter(bill=bill).order_by("invoice__due_date")
                .values_list("invoice__number", "amount"))


def test_a_bill_settles_the_oldest_invoices_and_the_case_chases_the_rest(opened, users, cq):
    bill = record(users, cq, acceptor_uscc=GOOD_USCC, endorsers=("甲公司", "乙公司"))
    assert (bill.status, bill.oldest_first, bill.acceptor_uscc, bill.endorsers) == (
        BillStatus.HELD, True, GOOD_USCC, ["甲公司", "乙公司"])
    assert allocations(bill) == [("CL-A1", Decimal("10000.00")), ("CL-A2", Decimal("2000.00"))]
    assert AuditEvent.objects.filter(action="acceptance_bill.recorded").count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.BILL_RECORDED).count() == 1
    night(day(41))
    case = CollectionCase.objects.open().get(customer=cq)
    assert case.overdue_amount == Decimal("2000.00")  # 14,000 owed less the bill's 12,000
    assert actions.owed([opened["a1"], opened["a2"]], day(41)) == {opened["a1"].pk: Decimal("0.00"),
                                                                  opened["a2"].pk: Decimal("2000.00")}


def test_a_bill_on_named_invoices_and_one_settling_everything_closes_the_case(opened, users, cq):
    named = record(users, cq, amount="3000.00", invoices=[opened["a2"]])
    assert allocations(named) == [("CL-A2", Decimal("3000.00"))] and not named.oldest_first
    record(users, cq, number="CB-0002", amount="11000.00")
    night(day(41))
    assert not CollectionCase.objects.open().filter(customer=cq).exists()


def test_a_dishonoured_bill_reopens_the_debt_and_raises_an_alert(opened, users, cq, clock):
    bill = record(users, cq, amount="14000.00")
    night(day(41))
    assert not CollectionCase.objects.open().filter(customer=cq).exists()
    clock.today = day(42)
    bills.present_bill(actor=users["collector"], bill=bill)
    with translation.override("en"):
        done = bills.dishonour_bill(actor=users["finance"], bill=bill, reason="承兑人账户余额不足")
    assert (done.status, done.reason, done.closed_by, done.closed_on) == (
        BillStatus.DISHONOURED, "承兑人账户余额不足", users["finance"], day(42))
    alert = Alert.objects.get(kind=AlertKind.BILL_DISHONOURED)
    assert (alert.customer_id, alert.details["number"], alert.details["amount"]) == (cq.pk, "CB-0001", "14000.00")
    assert "was dishonoured" in alert.title or "拒付" in alert.title or "承兑" in alert.title
    night(day(42))
    case = CollectionCase.objects.open().get(customer=cq)
    assert case.overdue_amount == Decimal("14000.00")
    assert AuditEvent.objects.filter(action="acceptance_bill.dishonoured").count() == 1


def test_a_paid_bill_keeps_its_invoices_settled_and_moves_no_more(opened, users, cq):
    bill = record(users, cq)
    paid = bills.mark_paid(actor=users["collector"], bill=bill)
    assert paid.status == BillStatus.PAID and paid.closed_on == day(41)
    night(day(41))
    assert CollectionCase.objects.open().get(customer=cq).overdue_amount == Decimal("2000.00")
    with pytest.raises(BillClosed, match="is paid: it cannot be marked dishonoured"):
        bills.dishonour_bill(actor=users["collector"], bill=bill, reason="late")


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"issue": 41, "maturity": 41}, "maturity_date", "the maturity date 2026-07-12 is not after the issue date"),
    ({"issue": 41, "maturity": 30}, "maturity_date", "is not after the issue date 2026-07-12"),
    ({"issue": 41, "maturity": 41 + 366}, "maturity_date", "is more than 365 days after the issue date"),
    ({"acceptor_uscc": BAD_USCC}, "acceptor_uscc", "check character should be"),
    ({"acceptor_uscc": "12345"}, "acceptor_uscc", "must be 18 characters, got 5"),
    ({"amount": "14000.01"}, "amount", "the bill's 14000.01 is more than the customer owes"),
    ({"amount": "0"}, "amount", "must be more than 0"),
    ({"number": "  "}, "number", "the bill number is required"),
])
def test_bad_bills_are_refused_naming_the_field(opened, users, cq, kwargs, field, message):
    with pytest.raises(BillInvalid, match=re.escape(message)) as caught:
        record(users, cq, **kwargs)
    assert caught.value.field == field
    assert not AcceptanceBill.objects.exists() and not BillAllocation.objects.exists()


def test_a_number_is_recorded_once_and_the_same_debt_is_not_settled_twice(opened, users, cq):
    record(users, cq)
    with pytest.raises(BillInvalid, match="bill CB-0001 is already recorded"):
        record(users, cq, amount="1000.00")
    with pytest.raises(BillInvalid, match=re.escape("the bill's 3000.00 is more than the customer owes, not in "
                                                    "dispute nor settled by another bill (2000.00)")):
        record(users, cq, number="CB-0002", amount="3000.00")
    with pytest.raises(PlanInvalid, match="more than the customer owes"):  # a plan sees the bill too
        plans.propose_plan(actor=users["collector"], customer=cq, amount=Decimal("14000.00"), instalments=[
            plans.ScheduledInstalment(day(50), Decimal("7000.00")),
            plans.ScheduledInstalment(day(80), Decimal("7000.00"))])
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database holds the number as well
        AcceptanceBill.objects.create(number="CB-0001", customer=cq, acceptor_name="x", amount=1,
                                      issue_date=day(1), maturity_date=day(2), received_on=day(1))


def test_roles_and_portfolios_are_checked(opened, users, cq, sc):
    with pytest.raises(PermissionDenied):
        record(users, sc)  # Sichuan is not the collector's portfolio
    with pytest.raises(PermissionDenied):
        record(users, cq, who="auditor")
    bill = record(users, cq, who="finance")
    with pytest.raises(PermissionDenied):
        bills.mark_paid(actor=users["auditor"], bill=bill)
    with pytest.raises(BillInvalid, match="say why the bill was dishonoured"):
        bills.dishonour_bill(actor=users["collector"], bill=bill, reason="  ")
    assert AcceptanceBill.objects.get(pk=bill.pk).status == BillStatus.HELD
    bills.dishonour_bill(actor=users["collector"], bill=bill, reason="拒付")
    with pytest.raises(BillClosed, match="is dishonoured: it cannot be marked paid"):
        bills.mark_paid(actor=users["collector"], bill=bill)
    with pytest.raises(BillClosed):
        bills.present_bill(actor=users["collector"], bill=bill)


def test_the_night_flags_bills_maturing_soon_and_past_maturity_not_presented(opened, users, cq, clock):
    soon = record(users, cq, amount="1000.00", issue=20, maturity=50)
    later = record(users, cq, number="CB-0002", amount="1000.00", issue=20, maturity=150)
    presented = record(users, cq, number="CB-0003", amount="1000.00", issue=20, maturity=45)
    bills.present_bill(actor=users["collector"], bill=presented)
    night(day(41))
    assert [AcceptanceBill.objects.get(pk=b.pk).flag for b in (soon, later, presented)] == [
        BillFlag.MATURING, BillFlag.NONE, BillFlag.NONE]
    events = CaseEvent.objects.filter(kind=EventKind.BILL_FLAGGED).count()
    assert bills.watch_bills(day(41), 15).maturing == 0  # run again: nothing changes
    assert CaseEvent.objects.filter(kind=EventKind.BILL_FLAGGED).count() == events == 1
    assert bills.watch_bills(day(51), 15).unpresented == 1
    flagged = AcceptanceBill.objects.get(pk=soon.pk)
    assert (flagged.flag, flagged.flagged_on) == (BillFlag.UNPRESENTED, day(51))
    bills.present_bill(actor=users["collector"], bill=flagged)
    assert AcceptanceBill.objects.get(pk=soon.pk).flag == BillFlag.NONE


def test_the_policy_holds_the_term_and_the_warning_days():
    assert (parse({}).bills.max_term_days, parse({}).bills.maturing_within_days) == (365, 15)
    assert parse({"bills": {"max_term_days": 180}}).bills.max_term_days == 180
    with pytest.raises(PolicyInvalid) as caught:
        parse({"bills": {"max_term_days": 400, "maturing_within_days": -1, "x": 1}})
    assert any("bills.max_term_days" in p for p in caught.value.problems)
    assert any("bills.maturing_within_days" in p for p in caught.value.problems)
    assert "unknown setting 'bills.x'" in caught.value.problems


# --- the API ------------------------------------------------------------------------------------------

def post(client, path, body=None):
    return client.post(f"/api/v1/collections/{path}", body or {}, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")


def body(customer="C000201", amount="12000.00", number="CB-0001", **extra):
    return {"customer": customer, "number": number, "acceptor_name": "重庆长安汽车股份有限公司", "amount": amount,
            "issue_date": str(day(41)), "maturity_date": str(day(131)), **extra}


def refused(answer, field: str) -> str:
    assert answer.status_code == 422, answer.content
    return " ".join(e["message"] for e in answer.json()["errors"] if e["field"] == field)


def test_the_api_records_lists_shows_pays_and_dishonours(opened, sign_in):
    collector = sign_in("collector")
    created = post(collector, "bills", body(acceptor_uscc=GOOD_USCC, endorsers=["甲公司"], invoices=["CL-A1"],
                                            amount="9000.00"))
    assert created.status_code == 201, created.content
    bill = created.json()
    assert (bill["status"], bill["settles"], bill["recorded_by"], bill["endorsers"], bill["allocations"]) == (
        "held", True, "collector", ["甲公司"], [{"invoice": "CL-A1", "amount": "9000.00"}])
    listed = collector.get("/api/v1/collections/bills?status=held&customer=C000201").json()
    assert [b["id"] for b in listed["items"]] == [bill["id"]]
    assert collector.get("/api/v1/collections/bills?status=paid").json()["items"] == []
    assert collector.get(f"/api/v1/collections/bills/{bill['id']}").json()["number"] == "CB-0001"
    assert "say why" in refused(post(collector, f"bills/{bill['id']}/dishonour", {"reason": " "}), "reason")
    dishonoured = post(collector, f"bills/{bill['id']}/dishonour", {"reason": "余额不足"})
    assert dishonoured.status_code == 200 and dishonoured.json()["status"] == "dishonoured"
    assert dishonoured.json()["settles"] is False
    assert post(collector, f"bills/{bill['id']}/paid").status_code == 409
    other = post(collector, "bills", body(number="CB-0002")).json()
    assert post(collector, f"bills/{other['id']}/paid").json()["status"] == "paid"


def test_the_api_names_what_is_wrong_with_a_bill(opened, sign_in):
    collector = sign_in("collector")
    assert "is not after the issue date" in refused(post(collector, "bills", body(
        maturity_date=str(day(40)))), "maturity_date")
    assert "check character" in refused(post(collector, "bills", body(acceptor_uscc=BAD_USCC)), "acceptor_uscc")
    assert "more than the customer owes" in refused(post(collector, "bills", body(amount="20000.00")), "amount")
    assert "has no invoice CL-ZZ" in refused(post(collector, "bills", body(invoices=["CL-ZZ"])), "invoices")
    assert post(collector, "bills", body()).status_code == 201
    assert "already recorded" in refused(post(collector, "bills", body(amount="100.00")), "number")
    assert post(collector, "bills", body(customer="C000202", number="CB-9")).status_code == 404
    assert AcceptanceBill.objects.count() == 1


def test_the_api_hides_another_portfolios_bills_and_refuses_other_roles(opened, users, sign_in, sc):
    theirs = record(users, sc, who="risk_manager", amount="1000.00")
    collector = sign_in("collector")
    assert collector.get(f"/api/v1/collections/bills/{theirs.pk}").status_code == 404
    assert post(collector, f"bills/{theirs.pk}/paid").status_code == 404
    assert collector.get("/api/v1/collections/bills").json()["items"] == []
    assert sign_in("sales").get("/api/v1/collections/bills").status_code == 403
    assert post(sign_in("auditor"), "bills", body()).status_code == 403
    assert post(sign_in("auditor"), f"bills/{theirs.pk}/paid").status_code == 403
    assert AcceptanceBill.objects.get(pk=theirs.pk).status == BillStatus.HELD


# --- the pages and the command -----------------------------------------------------------------------

def test_the_case_page_shows_the_bills_and_the_form_records_one(opened, users, sign_in, cq):
    collector = sign_in("collector")
    case = CollectionCase.objects.get(customer=cq)
    page = collector.get(f"/collections/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="bills"' in page and f"/collections/customers/{cq.code}/bills/new/" in page
    assert collector.get(f"/collections/customers/{cq.code}/bills/new/").status_code == 200
    form = {"number": "CB-0001", "acceptor_name": "长安", "amount": "12000.00", "issue_date": str(day(41)),
            "maturity_date": str(day(30)), "endorsers": "甲公司\n\n乙公司"}
    wrong = collector.post(f"/collections/customers/{cq.code}/bills/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "is not after the issue date" in wrong.content.decode()
    made = collector.post(f"/collections/customers/{cq.code}/bills/new/", {**form, "maturity_date": str(day(131))})
    bill = AcceptanceBill.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/collections/bills/{bill.pk}/"
    assert bill.endorsers == ["甲公司", "乙公司"]
    shown = collector.get(f"/collections/bills/{bill.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(f'id="{b}"' in shown for b in ("present-bill", "pay-bill", "dishonour-bill")) and "CL-A1" in shown
    assert collector.get(f"/collections/cases/{case.pk}/").content.decode().count(f"/collections/bills/{bill.pk}/")
    assert sign_in("sales").get(f"/collections/customers/{cq.code}/bills/new/").status_code in (403, 404)


def test_the_bill_page_buttons_move_the_bill(opened, users, sign_in, cq):
    bill = record(users, cq)
    collector = sign_in("collector")
    auditor_page = sign_in("auditor").get(f"/collections/bills/{bill.pk}/").content.decode()
    assert 'id="pay-bill"' not in auditor_page
    assert sign_in("auditor").post(f"/collections/bills/{bill.pk}/paid/").status_code == 403
    assert collector.post(f"/collections/bills/{bill.pk}/present/").status_code == 302
    no_reason = collector.post(f"/collections/bills/{bill.pk}/dishonour/", {"reason": ""})
    assert no_reason.status_code == 400
    assert collector.post(f"/collections/bills/{bill.pk}/dishonour/", {"reason": "拒付"}).status_code == 302
    again = collector.post(f"/collections/bills/{bill.pk}/paid/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "is dishonoured" in again.content.decode()
    listed = collector.get("/collections/bills/?status=dishonoured").content.decode()
    assert f"/collections/bills/{bill.pk}/" in listed


def test_another_portfolios_bill_page_is_not_found(opened, users, sign_in, sc):
    theirs = record(users, sc, who="risk_manager", amount="1000.00")
    assert sign_in("collector").get(f"/collections/bills/{theirs.pk}/").status_code == 404
    assert sign_in("collector").post(f"/collections/bills/{theirs.pk}/paid/").status_code == 404
    assert sign_in("collector").get(f"/collections/customers/{sc.code}/bills/new/").status_code == 404


def test_the_command_lists_the_bills_a_user_may_see(opened, users, cq, sc):
    record(users, cq)
    record(users, sc, who="risk_manager", number="CB-0002", amount="1000.00")
    runner = CliRunner()
    mine = runner.invoke(fengkong, ["collections", "bills", "--user", "collector"])
    assert mine.exit_code == 0, mine.output
    assert "CB-0001" in mine.output and "C000201" in mine.output and "CB-0002" not in mine.output
    assert "1 acceptance bill(s)." in mine.output
    everyone = runner.invoke(fengkong, ["collections", "bills", "--user", "risk_manager", "--status", "held"])
    assert "2 acceptance bill(s)." in everyone.output
    assert runner.invoke(fengkong, ["collections", "bills", "--user", "sales"]).exit_code != 0


def test_the_maturity_term_is_days_after_the_issue(opened, users, cq):
    bill = record(users, cq, issue=41, maturity=41 + 365)
    assert bill.maturity_date - bill.issue_date == timedelta(days=365)


def test_a_letter_asks_only_for_what_no_bill_settles(opened, users, cq):
    bill = record(users, cq)
    assert [(i["number"], i["open_amount"]) for i in dunning_items(cq, day(41))] == [("CL-A2", Decimal("2000.00"))]
    bills.dishonour_bill(actor=users["collector"], bill=bill, reason="拒付")
    assert [i["open_amount"] for i in dunning_items(cq, day(41))] == [Decimal("10000.00"), Decimal("4000.00")]
