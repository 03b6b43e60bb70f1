"""The call-record import: a call centre's CSV (UTF-8 or GBK, English or Chinese headers) becomes contacts; any bad
row (an unknown customer, another portfolio's, a bad time) is reported by row, column and value and nothing is
written; importing the same file again writes nothing twice."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fengkong.cli.commands import fengkong
from fengkong.collections.call_records import import_call_records
from fengkong.collections.exceptions import ImportInvalid
from fengkong.collections.models import CollectionCase, Contact
from fengkong.core.models import AuditEvent

from .conftest import day, night

pytestmark = pytest.mark.django_db

GOOD = ("customer,time,channel,outcome,duration,person,notes,record_id\n"
        f"C000201,{day(39)} 09:15,phone,no_answer,0,,,CC-1\n"
        f"C000201,{day(39)} 10:40:05,phone,promised,184,王会计,will pay Friday,CC-2\n")
CHINESE = ("客户编码,通话时间,渠道,结果,通话时长,联系人,备注,通话编号\n"
           f"C000201,{day(39)} 14:00,电话,已接通,60,王会计,对账中,CC-3\n")


def test_a_call_record_file_becomes_contacts_on_the_case(ledger, users):
    night(day(40))
    done = import_call_records(actor=users["collector"], data=GOOD.encode(), file_name="calls.csv")
    assert (done.rows, done.imported, done.skipped) == (2, 2, 0)
    case = CollectionCase.objects.get(customer__code="C000201").pk
    rows = sorted(Contact.objects.values_list("external_id", "outcome", "duration_seconds", "source", "case_id"))
    assert rows == [("CC-1", "no_answer", 0, "import", case), ("CC-2", "promised", 184, "import", case)]
    assert AuditEvent.objects.filter(action="call_records.imported").count() == 1


def test_a_gbk_file_with_chinese_headers_and_words(ledger, users):
    done = import_call_records(actor=users["collector"], data=CHINESE.encode("gbk"), file_name="通话记录.csv")
    assert done.imported == 1
    assert Contact.objects.get().outcome == "reached" and Contact.objects.get().person == "王会计"


def test_importing_the_same_file_again_writes_nothing_twice(ledger, users):
    import_call_records(actor=users["collector"], data=GOOD.encode(), file_name="calls.csv")
    again = import_call_records(actor=users["collector"], data=GOOD.encode(), file_name="calls.csv")
    assert (again.imported, again.skipped) == (0, 2) and Contact.objects.count() == 2


def test_every_bad_row_is_named_and_nothing_is_written(ledger, users):
    bad = ("customer,time,channel,outcome,duration,record_id\n"
           f"C000201,{day(39)} 09:15,phone,reached,10,R1\n"
           f"C999999,{day(39)} 09:20,phone,reached,10,R2\n"
           f"C000202,{day(39)} 09:25,phone,reached,10,R3\n"
           f"C000201,yesterday,phone,reached,10,R4\n"
           f"C000201,{day(39)} 25:00,fax,maybe,-3,R1\n"
           "C000201,2099-01-01 09:00,phone,reached,10,R6\n")
    with pytest.raises(ImportInvalid) as refused:
        import_call_records(actor=users["collector"], data=bad.encode(), file_name="calls.csv")
    assert refused.value.errors == [
        "row 3, column customer: unknown customer, or not in your portfolio ('C999999')",
        "row 4, column customer: unknown customer, or not in your portfolio ('C000202')",  # Sichuan's
        "row 5, column time: not a time like 2026-07-10 10:15 ('yesterday')",
        "row 6, column time: not a time like 2026-07-10 10:15 ('2026-07-10 25:00')",
        "row 6, column channel: unknown channel (one of phone, visit, email, wecom, dingtalk, letter) ('fax')",
        "row 6, column outcome: unknown outcome (one of reached, no_answer, wrong_number, promised, disputed, "
        "refused, call_back, paid) ('maybe')",
        "row 6, column duration: not a whole number of seconds ('-3')",
        "row 6, column record_id: the same record id as row 2 ('R1')",
        "row 7: the contact's time 2099-01-01 09:00 is in the future",
    ]
    assert not Contact.objects.exists() and not AuditEvent.objects.filter(action="call_records.imported").exists()


def test_a_file_without_the_needed_columns_says_which(ledger, users):
    with pytest.raises(ImportInvalid, match="no outcome column"):
        import_call_records(actor=users["collector"], data=b"customer,time\nC000201,2026-07-10 09:00\n",
                            file_name="calls.csv")


def test_the_command_imports_and_refuses_with_every_problem(ledger, users, tmp_path):
    good, bad = tmp_path / "calls.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD.replace("C000201,", "C999999,", 1), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(fengkong, ["collections", "import-calls", str(bad), "--user", "collector"])
    assert result.exit_code == 2 and "row 2, column customer" in result.output and "nothing was imported" in result.output
    assert not Contact.objects.exists()
    result = runner.invoke(fengkong, ["collections", "import-calls", str(good), "--user", "collector"])
    assert result.exit_code == 0 and "2 contact(s) logged" in result.output
    listed = runner.invoke(fengkong, ["collections", "worklist", "--user", "collector"])
    assert listed.exit_code == 0 and "open case(s)" in listed.output
