"""Imports under dual review: a person's customers file from a source not marked trusted holds its changes
of sensitive master data (and a new customer's credit code) as pending changes, counted on the batch; a
trusted source and the system (the demo loader) write them at once; a re-import holds nothing twice."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from fengkong.core import uscc
from fengkong.core.models import AuditEvent
from fengkong.customers.models import Contact, Customer
from fengkong.integrations.importer import import_file
from fengkong.integrations.models import ImportSource
from fengkong.reviews.actions import confirm_change
from fengkong.reviews.choices import ChangeStatus
from fengkong.reviews.models import PendingChange

pytestmark = pytest.mark.django_db

HEADER = "客户编码,客户名称,统一社会信用代码,行政区划代码,业务员,联系人,联系电话,开户银行,银行账号"


@pytest.fixture
def trusted(db):
    return ImportSource.objects.create(code="kingdee", name="金蝶 K/3", trusted=True)


@pytest.fixture
def imported(tmp_path, users):
    """imported(*lines, actor=finance, source=None) -> the batch of a customers file."""

    def _imported(*lines: str, actor="finance", source=None, name="customers.csv"):
        path = tmp_path / name
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        return import_file(path, "customers", actor=users[actor] if actor else None, source=source)

    return _imported


def line(customer, **over) -> str:
    values = {"name": customer.name, "credit": customer.credit_code or "", "region": customer.region, "sales": "张三",
              "contact": "李强", "phone": "13800000000", "bank": "", "account": ""} | over
    return ",".join([customer.code, values["name"], values["credit"], values["region"], values["sales"],
                     values["contact"], values["phone"], values["bank"], values["account"]])


def test_an_untrusted_import_holds_the_new_name_and_writes_the_rest(book, imported):
    cq1 = book["customers"][0]
    imported(line(cq1))  # the first import sets the salesperson and the primary contact (not sensitive)
    batch = imported(line(cq1, name="重庆渝中精密机械集团有限公司", sales="王五"), name="again.csv")
    stored = Customer.objects.get(pk=cq1.pk)
    assert (stored.name, stored.salesperson) == (cq1.name, "王五")
    assert (batch.status, batch.rows_updated, batch.rows_held) == ("done", 1, 1)
    assert "1 with changes of sensitive master data held for review" in batch.message
    change = PendingChange.objects.get()
    assert (change.kind, change.old, change.new) == ("customer", {"name": cq1.name},
                                                     {"name": "重庆渝中精密机械集团有限公司"})
    assert change.requested_by.username == "finance" and change.via.startswith(f"import #{batch.pk}")
    assert AuditEvent.objects.filter(action="import.finished").order_by("seq").last().after["held"] == 1
    assert AuditEvent.objects.get(action="change.requested").actor_name == "finance"


def test_a_trusted_source_writes_the_new_name_at_once(book, imported, trusted):
    cq1 = book["customers"][0]
    batch = imported(line(cq1, name="重庆渝中精密机械集团有限公司"), source=trusted)
    assert Customer.objects.get(pk=cq1.pk).name == "重庆渝中精密机械集团有限公司"
    assert batch.rows_held == 0 and batch.source == trusted and not PendingChange.objects.exists()


def test_a_source_not_marked_trusted_is_held_like_none(book, imported):
    cq1 = book["customers"][0]
    erp = ImportSource.objects.create(code="yonyou", name="用友 U8")
    batch = imported(line(cq1, name="重庆渝中精密机械集团有限公司"), source=erp)
    assert batch.rows_held == 1 and Customer.objects.get(pk=cq1.pk).name == cq1.name


def test_the_system_import_is_trusted(book, imported):
    cq1 = book["customers"][0]
    imported(line(cq1, name="重庆渝中精密机械集团有限公司"), actor=None)
    assert Customer.objects.get(pk=cq1.pk).name == "重庆渝中精密机械集团有限公司"
    assert not PendingChange.objects.exists()


def test_reimporting_the_same_file_holds_nothing_twice(book, imported):
    cq1 = book["customers"][0]
    first = imported(line(cq1, name="重庆渝中精密机械集团有限公司"))
    again = imported(line(cq1, name="重庆渝中精密机械集团有限公司"), name="again.csv")
    assert (first.rows_held, again.rows_held) == (1, 1)
    assert PendingChange.objects.count() == 1 and AuditEvent.objects.filter(action="change.requested").count() == 1


def test_a_new_customers_credit_code_waits_and_is_confirmed_by_another(portfolios, users, imported):
    code = uscc.make("9", "1", "500103", "00000888")
    new = Customer(code="C000888", name="重庆新客户有限公司", credit_code=code, region="500103")
    batch = imported(line(new))
    customer = Customer.objects.get(code="C000888")
    assert (batch.rows_created, batch.rows_held, customer.credit_code) == (1, 1, None)
    change = PendingChange.objects.get()
    assert (change.object_id, change.old, change.new) == (customer.pk, {"credit_code": None}, {"credit_code": code})
    confirm_change(actor=users["risk_manager"], change=change)
    assert Customer.objects.get(code="C000888").credit_code == code


def test_a_changed_contact_phone_and_new_bank_details_wait(book, imported, users):
    cq1 = book["customers"][0]
    imported(line(cq1))
    contact = Contact.objects.get(customer=cq1, is_primary=True)
    batch = imported(line(cq1, phone="13999999999", bank="工商银行重庆分行", account="3100 0211 0902 4512 345"),
                     name="again.csv")
    assert batch.rows_held == 1 and Contact.objects.get(pk=contact.pk).phone == "13800000000"
    stored = Customer.objects.get(pk=cq1.pk)
    assert (stored.bank_name, stored.bank_account) == ("", "")
    held = {c.kind: c for c in PendingChange.objects.all()}
    assert held["contact"].object_id == contact.pk and held["contact"].new == {"phone": "13999999999"}
    assert held["customer"].new == {"bank_name": "工商银行重庆分行", "bank_account": "3100021109024512345"}
    for change in held.values():
        confirm_change(actor=users["admin"], change=change)
    assert Contact.objects.get(pk=contact.pk).phone == "13999999999"
    assert Customer.objects.get(pk=cq1.pk).bank_account == "3100021109024512345"
    assert set(PendingChange.objects.values_list("status", flat=True)) == {ChangeStatus.CONFIRMED}


def test_a_bank_account_that_is_not_digits_is_a_row_problem(book, imported):
    batch = imported(line(book["customers"][0], account="6222-ABCD-1234"))
    assert batch.status == "rejected" and "8 to 32 digits" in batch.errors[0]["message"]


def test_the_import_page_counts_the_rows_held(book, imported, users):
    batch = imported(line(book["customers"][0], name="重庆渝中精密机械集团有限公司"))
    client = Client()
    client.force_login(users["finance"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-count="held"' in page and "Held for review" in page


def test_only_the_admin_marks_a_source_trusted_and_it_is_audited(db, users):
    from django.core.exceptions import PermissionDenied

    from fengkong.integrations.actions import save_import_source

    source = ImportSource(code="sap", name="SAP ECC")
    with pytest.raises(PermissionDenied):
        save_import_source(actor=users["risk_manager"], source=source)
    save_import_source(actor=users["admin"], source=source)
    source.trusted = True
    save_import_source(actor=users["admin"], source=source)
    event = AuditEvent.objects.get(action="import_source.changed")
    assert (event.actor, event.before["trusted"], event.after["trusted"]) == (users["admin"], False, True)


def test_the_command_names_its_source_and_refuses_an_unknown_one(book, users, tmp_path, trusted):
    from click.testing import CliRunner

    from fengkong.integrations.cli import import_cmd

    path = tmp_path / "customers.csv"
    path.write_text("\n".join([HEADER, line(book["customers"][0], name="重庆渝中精密机械集团有限公司")]) + "\n",
                    encoding="utf-8")
    unknown = CliRunner().invoke(import_cmd, ["customers", str(path), "--user", "finance", "--source", "nope"])
    assert unknown.exit_code != 0 and "no import source 'nope'" in unknown.output
    held = CliRunner().invoke(import_cmd, ["customers", str(path), "--user", "finance"])
    assert held.exit_code == 0, held.output
    assert Customer.objects.get(pk=book["customers"][0].pk).name != "重庆渝中精密机械集团有限公司"
    applied = CliRunner().invoke(import_cmd, ["customers", str(path), "--user", "finance", "--source", "kingdee"])
    assert applied.exit_code == 0, applied.output
    assert Customer.objects.get(pk=book["customers"][0].pk).name == "重庆渝中精密机械集团有限公司"
