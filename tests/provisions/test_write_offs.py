"""Write-offs (issue 15 item 6): a request per invoice with the ground and evidence of 国家税务总局公告2011年第25号,
approved by others as the policy's level for its amount asks, posted against the provision; the written-off
amount leaves the open amount, the aging and the credit figures but stays in history; recoveries after."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation
from tests.conftest import make_user

from fengkong.accounts.choices import Role
from fengkong.cli.commands import fengkong
from fengkong.core.models import AuditEvent
from fengkong.credit import features
from fengkong.evidence.actions import Description, keep
from fengkong.monitoring.store import open_items
from fengkong.provisions import actions, write_offs
from fengkong.provisions.exceptions import (
    Conflict,
    PeriodLocked,
    PolicyInvalid,
    SelfApproval,
    WriteOffInvalid,
)
from fengkong.provisions.models import Recovery, WriteOffRequest
from fengkong.provisions.queries import journal_rows
from fengkong.receivables.ledger import derive_open_amounts, post_write_off
from fengkong.receivables.models import Invoice, Payment, WriteOff
from fengkong.receivables.queries import aging_of, exposure_of

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
POSTED_ON = date(2026, 4, 15)  # after March's month-end, inside April


def evidence(customer, source: str = "court_document", title: str = "民事判决书") -> int:
    return keep(actor=None, chunks=[f"%PDF-1.4 {title} {source}\n%%EOF\n".encode()], filename="doc.pdf",
                customer=customer, description=Description(title=title, source=source)).pk


@pytest.fixture
def third_finance(roles):
    return make_user("finance3", Role.FINANCE, roles)


def ask(maker, number="AR0002", amount="500.00", ground="court", ids=None, **kw):
    invoice = Invoice.objects.get(number=number)
    ids = [evidence(invoice.customer)] if ids is None else ids
    return write_offs.request_write_off(actor=maker, invoice=invoice, amount=amount, ground=ground,
                                        statement="判决后无可执行财产，法院终结执行。", evidence_ids=ids, **kw)


def test_a_write_off_passes_its_approval_and_leaves_aging_and_credit_figures(worked_book, policy, finance_pair):
    maker, checker = finance_pair
    customer, today = worked_book[1], date(2026, 12, 7)
    invoice = Invoice.objects.get(number="AR0002")
    before_aging = aging_of(Invoice.objects.filter(customer=customer), today)
    before_credit = features.compute([customer.pk], today).frame.row(0, named=True)["receivables_fen"]
    before_exposure = exposure_of(type(customer).objects.filter(pk=customer.pk), maker).open_receivables
    assert invoice.pk in open_items(today).get_column("invoice_id").to_list()

    made = ask(maker)
    assert made.approvers_needed == 1 and made.status == "proposed"
    assert Invoice.objects.get(pk=invoice.pk).open_amount == Decimal("500.00")  # nothing moves before approval
    write_offs.decide_write_off(actor=checker, request=made, approve=True, note="judgment seen", today=POSTED_ON)

    made.refresh_from_db()
    assert made.status == "posted" and made.posted.amount == Decimal("500.00")
    assert made.posted.written_off_on == POSTED_ON and made.posted.reference == made.reference
    assert Invoice.objects.get(pk=invoice.pk).open_amount == 0
    after_aging = aging_of(Invoice.objects.filter(customer=customer), today)
    assert before_aging.total_fen - after_aging.total_fen == 50000
    after_credit = features.compute([customer.pk], today).frame.row(0, named=True)["receivables_fen"]
    assert before_credit - after_credit == 50000
    after_exposure = exposure_of(type(customer).objects.filter(pk=customer.pk), maker).open_receivables
    assert before_exposure - after_exposure == Decimal("500.00")
    assert invoice.pk not in open_items(today).get_column("invoice_id").to_list()
    # ... but stays in history: the book as it stood before the write-off still has it open
    before = open_items(POSTED_ON - timedelta(days=1))
    assert before.filter(before["invoice_id"] == invoice.pk).get_column("open_fen").to_list() == [50000]
    assert {e.action for e in AuditEvent.objects.filter(object_id=str(made.pk))} >= {
        "write_off.requested", "write_off.approved", "write_off.posted"}


def test_a_receipts_import_keeps_a_derived_invoice_written_off(worked_book, policy, finance_pair):
    invoice = Invoice.objects.get(number="AR0004")  # 300.00, 100.00 paid, 200.00 open
    Invoice.objects.filter(pk=invoice.pk).update(open_basis="derived")
    post_write_off(invoice.pk, Decimal("150.00"), POSTED_ON, "WO-T1")
    derive_open_amounts(pl.Series([invoice.pk]))
    assert Invoice.objects.get(pk=invoice.pk).open_amount == Decimal("50.00")


def test_roll_rates_count_a_write_off_as_rolled_not_collected(worked_book, policy):
    # The worked book books invoice 3's 800.00 as a receipt; as a write-off it rolls (the engine's hand figures).
    Payment.objects.get(number="RC0002").delete()
    invoice = Invoice.objects.get(number="AR0003")
    Invoice.objects.filter(pk=invoice.pk).update(open_amount=Decimal("800.00"))
    post_write_off(invoice.pk, Decimal("800.00"), date(2026, 2, 20), "WO-T2")
    computed = actions.compute(AS_OF)
    assert list(computed.result.matrix.rolled_fen) == [130000, 10000, 80000, 100000, 0]
    assert list(computed.result.matrix.collected_fen) == [65000, 90000, 10000, 10000, 0]


def test_the_write_off_and_recovery_go_into_the_movement_and_journal(worked_book, policy, finance_pair):
    maker, checker = finance_pair
    actions.decide_run(actor=checker, run=actions.propose_run(actor=maker, as_of=AS_OF), approve=True)
    made = ask(maker)
    with pytest.raises(PeriodLocked):  # a day inside the approved March is refused, and nothing is kept
        write_offs.decide_write_off(actor=checker, request=made, approve=True, today=AS_OF)
    assert not made.approvals.exists() and not WriteOff.objects.exists()
    write_offs.decide_write_off(actor=checker, request=made, approve=True, today=POSTED_ON)
    write_offs.record_recovery(actor=maker, request=made, amount="120.00", received_on=date(2026, 4, 20),
                               today=date(2026, 4, 30))
    april = actions.propose_run(actor=maker, as_of=date(2026, 4, 30))
    assert (april.write_off, april.recoveries) == (Decimal("500.00"), Decimal("120.00"))
    assert april.opening + april.charge - april.reversal - april.write_off + april.recoveries == april.closing
    with translation.override("en"):
        accounts = [(r["description"], r["account"], r["debit"], r["credit"]) for r in journal_rows(april)]
    assert ("Bad debts written off to 2026-04-30", "Provision for bad debts", Decimal("500.00"), None) in accounts
    assert ("Bad debts written off to 2026-04-30", "Accounts receivable", None, Decimal("500.00")) in accounts
    assert ("Written-off debts recovered to 2026-04-30", "Accounts receivable", Decimal("120.00"), None) in accounts


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"amount": "500.01"}, "amount", "more than the 500.00 open"),
    ({"amount": "0"}, "amount", "more than 0"),
    ({"amount": "-5"}, "amount", "more than 0"),
    ({"amount": "1.234"}, "amount", "two decimals"),
    ({"amount": "abc"}, "amount", "not an amount"),
    ({"number": "AR0001", "amount": "1.00"}, "invoice", "settled"),
    ({"ground": "unlucky"}, "ground", "not one of"),
    ({"ids": []}, "evidence", "court document"),
    ({"ids": [999999]}, "evidence", "no evidence item #999999"),
    ({"ground": "overdue_3y"}, "ground", "less than three years ago"),
])
def test_bad_requests_are_refused_with_the_field_named(worked_book, policy, finance_pair, change, field, words):
    with pytest.raises(WriteOffInvalid) as refused:
        ask(finance_pair[0], **change)
    assert refused.value.field == field and words in str(refused.value), str(refused.value)
    assert not WriteOffRequest.objects.exists()


def test_the_evidence_must_be_the_customers_and_what_the_ground_needs(worked_book, policy, finance_pair):
    maker = finance_pair[0]
    other = evidence(worked_book[3])
    with pytest.raises(WriteOffInvalid, match="another customer"):
        ask(maker, ids=[other])
    letter = evidence(worked_book[1], "letter", "催款函")
    with pytest.raises(WriteOffInvalid, match="court document"):
        ask(maker, ids=[letter])
    old = Invoice.objects.create(number="AR0099", customer=worked_book[1], issue_date=date(2022, 1, 1),
                                 due_date=date(2022, 3, 1), amount=Decimal("900.00"), open_amount=Decimal("900.00"))
    with pytest.raises(WriteOffInvalid, match="collection evidence"):
        ask(maker, number=old.number, amount="900.00", ground="overdue_3y")
    made = ask(maker, number=old.number, amount="900.00", ground="overdue_3y", ids=[letter])
    assert made.get_ground_display() == "Over three years overdue, with collection evidence"
    with pytest.raises(WriteOffInvalid, match="statement"):
        write_offs.request_write_off(actor=maker, invoice=Invoice.objects.get(number="AR0002"), amount="1",
                                     ground="court", statement="  ", evidence_ids=[evidence(worked_book[1])])
    with pytest.raises(Conflict, match="already has a write-off request"):
        ask(maker, number=old.number, amount="1.00", ground="overdue_3y", ids=[letter])


def test_nobody_approves_their_own_and_one_of_two_approvers_wins(worked_book, policy, finance_pair,
                                                                  third_finance, users):
    maker, checker = finance_pair
    with pytest.raises(PermissionDenied):
        ask(users[Role.AUDITOR])
    made = ask(maker)
    with pytest.raises(SelfApproval):
        write_offs.decide_write_off(actor=maker, request=made, approve=True)
    with pytest.raises(PermissionDenied):
        write_offs.decide_write_off(actor=users[Role.RISK_MANAGER], request=made, approve=True)
    with pytest.raises(WriteOffInvalid, match="why you reject"):
        write_offs.decide_write_off(actor=checker, request=made, approve=False)
    stale = WriteOffRequest.objects.get(pk=made.pk)  # both opened the page while it awaited approval
    write_offs.decide_write_off(actor=checker, request=made, approve=True, today=POSTED_ON)
    with pytest.raises(Conflict, match="no longer awaits approval"):
        write_offs.decide_write_off(actor=third_finance, request=stale, approve=True, today=POSTED_ON)
    assert WriteOff.objects.count() == 1 and made.approvals.count() == 1


def test_approval_levels_by_amount_are_policy_data(worked_book, finance_pair, third_finance):
    maker, checker = finance_pair
    with pytest.raises(PolicyInvalid, match="last write-off level"):
        actions.publish_policy(actor=maker, config={"write_off_levels": [{"up_to": "100.00", "approvers": 1}]})
    actions.publish_policy(actor=maker, config={"write_off_levels": [
        {"up_to": "100.00", "approvers": 1}, {"up_to": None, "approvers": 2}]})
    small, large = ask(maker, number="AR0004", amount="100.00"), ask(maker, amount="500.00")
    assert (small.approvers_needed, large.approvers_needed) == (1, 2)
    write_offs.decide_write_off(actor=checker, request=large, approve=True, today=POSTED_ON)
    large.refresh_from_db()
    assert large.status == "proposed" and Invoice.objects.get(number="AR0002").open_amount == Decimal("500.00")
    with pytest.raises(Conflict, match="approved .* already"):
        write_offs.decide_write_off(actor=checker, request=large, approve=True, today=POSTED_ON)
    write_offs.decide_write_off(actor=third_finance, request=large, approve=True, today=POSTED_ON)
    large.refresh_from_db()
    assert large.status == "posted" and Invoice.objects.get(number="AR0002").open_amount == 0


def test_a_rejection_posts_nothing(worked_book, policy, finance_pair):
    made = ask(finance_pair[0])
    write_offs.decide_write_off(actor=finance_pair[1], request=made, approve=False, note="judgment under appeal")
    made.refresh_from_db()
    assert made.status == "rejected" and made.rejected_by == finance_pair[1] and not WriteOff.objects.exists()
    with pytest.raises(Conflict):
        write_offs.record_recovery(actor=finance_pair[0], request=made, amount="1", received_on=POSTED_ON)


def test_recoveries_are_at_most_what_was_written_off(worked_book, policy, finance_pair, users):
    maker, checker = finance_pair
    made = ask(maker)
    write_offs.decide_write_off(actor=checker, request=made, approve=True, today=POSTED_ON)
    today = date(2026, 5, 1)
    with pytest.raises(PermissionDenied):
        write_offs.record_recovery(actor=users[Role.AUDITOR], request=made, amount="1", received_on=today)
    with pytest.raises(WriteOffInvalid, match="from 2026-04-15"):
        write_offs.record_recovery(actor=maker, request=made, amount="1", received_on=date(2026, 4, 1), today=today)
    write_offs.record_recovery(actor=maker, request=made, amount="300.00", received_on=today, today=today)
    with pytest.raises(WriteOffInvalid, match="200.00 still written off"):
        write_offs.record_recovery(actor=maker, request=made, amount="200.01", received_on=today, today=today)
    assert Recovery.objects.count() == 1 and Invoice.objects.get(number="AR0002").open_amount == 0


# --- pages, API, command -----------------------------------------------------------------------------

def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_pages_request_decide_and_recover(worked_book, policy, finance_pair, users):
    maker, checker = client_of(finance_pair[0]), client_of(finance_pair[1])
    ruling = evidence(worked_book[1])
    page = maker.get("/provisions/write-offs/")
    assert page.status_code == 200 and 'id="write-off-form"' in page.content.decode()
    bad = maker.post("/provisions/write-offs/new/", {"invoice": "AR0002", "amount": "9999.00", "ground": "court",
                                                     "evidence": str(ruling), "statement": "x"})
    assert bad.status_code == 400 and "more than the 500.00 open on AR0002" in bad.content.decode()
    missing = maker.post("/provisions/write-offs/new/", {"invoice": "AR9999", "amount": "1", "ground": "court",
                                                         "evidence": str(ruling), "statement": "x"})
    assert missing.status_code == 400 and "No invoice AR9999" in missing.content.decode()
    made = maker.post("/provisions/write-offs/new/", {"invoice": "AR0002", "amount": "500.00", "ground": "court",
                                                      "evidence": f"#{ruling}", "statement": "终结执行"})
    assert made.status_code == 302
    item = WriteOffRequest.objects.get()
    own = maker.get(f"/provisions/write-offs/{item.pk}/").content.decode()
    assert "other people approve it" in own and 'id="write-off-decide-form"' not in own
    assert maker.post(f"/provisions/write-offs/{item.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert WriteOffRequest.objects.get().status == "proposed"  # refused: their own
    assert checker.post(f"/provisions/write-offs/{item.pk}/decide/", {"decision": "reject"}).status_code == 400
    done = checker.post(f"/provisions/write-offs/{item.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "Written off." in done.content.decode() and WriteOffRequest.objects.get().status == "posted"
    day = WriteOffRequest.objects.get().posted.written_off_on.isoformat()
    wrong = maker.post(f"/provisions/write-offs/{item.pk}/recovery/", {"amount": "600", "received_on": day})
    assert wrong.status_code == 400 and "still written off" in wrong.content.decode()
    back = maker.post(f"/provisions/write-offs/{item.pk}/recovery/", {"amount": "60", "received_on": day}, follow=True)
    assert "The recovery is recorded." in back.content.decode() and Recovery.objects.get().amount == 60
    assert client_of(users[Role.AUDITOR]).get(f"/provisions/write-offs/{item.pk}/").status_code == 200
    assert client_of(users[Role.SALES]).get("/provisions/write-offs/").status_code == 403
    assert client_of(users[Role.AUDITOR]).post("/provisions/write-offs/new/", {}).status_code == 403


def test_the_api_requests_and_another_approves(worked_book, policy, finance_pair, users):
    maker, checker = client_of(finance_pair[0]), client_of(finance_pair[1])
    body = {"invoice": "AR0002", "amount": "500.00", "ground": "court", "statement": "终结执行",
            "evidence": [evidence(worked_book[1])]}
    too_much = maker.post("/api/v1/provisions/write-offs", {**body, "amount": "500.01"},
                          content_type="application/json")
    assert too_much.status_code == 422 and "more than the 500.00 open" in too_much.json()["detail"]
    made = maker.post("/api/v1/provisions/write-offs", body, content_type="application/json")
    assert made.status_code == 201, made.content
    item = made.json()
    assert item["status"] == "proposed" and item["approvers_needed"] == 1 and item["written_off_on"] is None
    own = maker.post(f"/api/v1/provisions/write-offs/{item['id']}/decision", {"approve": True},
                     content_type="application/json")
    assert own.status_code == 403
    done = checker.post(f"/api/v1/provisions/write-offs/{item['id']}/decision", {"approve": True},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "posted", done.content
    again = checker.post(f"/api/v1/provisions/write-offs/{item['id']}/decision", {"approve": True},
                         content_type="application/json")
    assert again.status_code == 409
    back = maker.post(f"/api/v1/provisions/write-offs/{item['id']}/recoveries",
                      {"amount": "50.00", "received_on": done.json()["written_off_on"]}, content_type="application/json")
    assert back.status_code == 201 and back.json()["recoveries"][0]["amount"] == "50.00"
    listed = client_of(users[Role.AUDITOR]).get("/api/v1/provisions/write-offs?status=posted").json()
    assert listed["count"] == 1 and listed["items"][0]["reference"] == item["reference"]
    assert client_of(users[Role.COLLECTOR]).get("/api/v1/provisions/write-offs").status_code == 403


def test_the_commands_request_decide_and_recover(worked_book, policy, finance_pair):
    ruling = evidence(worked_book[1])
    runner = CliRunner()
    made = runner.invoke(fengkong, ["provisions", "write-off", "--invoice", "AR0002", "--amount", "500.00",
                                    "--ground", "bankruptcy", "--evidence", str(ruling), "--statement", "破产清算",
                                    "--user", finance_pair[0].username])
    assert made.exit_code == 0, made.output
    item = WriteOffRequest.objects.get()
    own = runner.invoke(fengkong, ["provisions", "write-off-decide", str(item.pk), "--approve",
                                   "--user", finance_pair[0].username])
    assert own.exit_code != 0 and "Nobody approves" in own.output
    done = runner.invoke(fengkong, ["provisions", "write-off-decide", str(item.pk), "--approve",
                                    "--user", finance_pair[1].username])
    assert done.exit_code == 0 and "Written off" in done.output, done.output
    day = WriteOffRequest.objects.get().posted.written_off_on.isoformat()
    back = runner.invoke(fengkong, ["provisions", "recovery", str(item.pk), "--amount", "10", "--on", day,
                                    "--user", finance_pair[0].username])
    assert back.exit_code == 0 and "Recovered 10" in back.output, back.output
    bad = runner.invoke(fengkong, ["provisions", "write-off", "--invoice", "AR0001", "--amount", "1",
                                   "--ground", "court", "--evidence", "x", "--statement", "s",
                                   "--user", finance_pair[0].username])
    assert bad.exit_code != 0 and "evidence" in bad.output
