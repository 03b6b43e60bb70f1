"""Choosing a preset (issue 22): by name on the command line, by the headers when none is named; an unknown
preset, a file the named preset does not fit and a preset for another kind are refused with a clear message;
--create-customers makes the file's unknown parties customers, and without it they stay row problems."""

from __future__ import annotations

from click.testing import CliRunner
from tests.fixtures import erp_exports as erp

from fengkong.cli.commands import fengkong
from fengkong.customers.models import Customer
from fengkong.integrations.importer import import_file
from fengkong.integrations.models import ImportBatch
from fengkong.receivables.models import Invoice

from .conftest import messages


def test_the_command_imports_with_a_preset_and_says_which_and_why(db, tmp_path):
    book = erp.make_book()
    path = erp.write_erpnext_ar(book, tmp_path / "AR.csv")
    result = CliRunner().invoke(fengkong, ["import", "invoices", str(path), "--preset", "erpnext-ar",
                                           "--create-customers"])
    assert result.exit_code == 0, result.output
    batch = ImportBatch.objects.get()
    assert batch.message.startswith("Read with preset erpnext-ar (asked for): headers Voucher No, Outstanding "
                                    "Amount, Party matched.")
    assert " ".join(batch.message.split()) in " ".join(result.output.split())
    assert Invoice.objects.open().count() == len(book.open_amounts)


def test_an_unknown_preset_is_refused_by_the_command_naming_the_presets(db, tmp_path):
    path = erp.write_erpnext_ar(erp.make_book(), tmp_path / "AR.csv")
    result = CliRunner().invoke(fengkong, ["import", "invoices", str(path), "--preset", "quickbooks"])
    assert result.exit_code == 2
    assert "erpnext-ar" in result.output and "yonyou-u8-ar" in result.output
    assert not ImportBatch.objects.exists()


def test_an_unknown_preset_is_refused_by_the_importer(db, tmp_path):
    batch = import_file(erp.write_erpnext_ar(erp.make_book(), tmp_path / "AR.csv"), "invoices", actor=None,
                        preset="quickbooks")
    assert batch.status == "rejected"
    assert batch.message.startswith("Unknown preset 'quickbooks'; the presets are erpnext-ar, erpnext-sales-invoice")


def test_a_file_the_named_preset_does_not_fit_is_refused_naming_the_missing_headers(db, write):
    path = write("other.csv", "Voucher No,Customer,Date,Amount\nV1,C1,2026-01-01,10.00\n")
    batch = import_file(path, "invoices", actor=None, preset="erpnext-ar")
    assert batch.status == "rejected"
    assert batch.message == ("The file does not match preset erpnext-ar (ERPNext: Accounts > Accounts Receivable "
                             "(report)): header(s) Outstanding Amount, Party not found in its first 40 rows. "
                             "Columns found: Voucher No, Customer, Date, Amount.")
    assert not Invoice.objects.exists()


def test_a_preset_for_another_kind_of_file_is_refused(db, tmp_path):
    path = erp.write_erpnext_ar(erp.make_book(), tmp_path / "AR.csv")
    batch = import_file(path, "payments", actor=None, preset="erpnext-ar")
    assert batch.message == "Preset erpnext-ar reads invoices files, not payments."


def test_a_file_matching_no_preset_is_read_as_before(db, write):
    path = write("plain.csv", "单据编号,客户编码,单据日期,到期日,金额\nD1,NOBODY,2026-01-01,2026-02-01,10.00\n")
    batch = import_file(path, "invoices", actor=None)
    assert "preset" not in batch.message
    assert messages(batch) == ["unknown customer code: import the customer first"]


def test_without_create_customers_unknown_parties_stay_row_problems(db, tmp_path):
    book = erp.make_book()
    batch = import_file(erp.write_erpnext_ar(book, tmp_path / "AR.csv"), "invoices", actor=None,
                        preset="erpnext-ar")
    assert batch.status == "rejected"
    assert set(messages(batch)) == {"unknown customer code: import the customer first"}
    assert {p["column"] for p in batch.errors} == {"Party"}
    assert not Customer.objects.exists()


def test_create_customers_uses_the_erps_customer_id_and_lists_them(db, tmp_path):
    book = erp.make_book()
    batch = import_file(erp.write_erpnext_ar(book, tmp_path / "AR.csv"), "invoices", actor=None,
                        preset="erpnext-ar", create_customers=True)
    assert set(Customer.objects.values_list("code", flat=True)) == set(book.customers)
    assert "6 customers created from the file (code: the file's customer ID): CUST-" in batch.message
    again = import_file(erp.write_erpnext_ar(book, tmp_path / "AR2.csv"), "invoices", actor=None,
                        preset="erpnext-ar", create_customers=True)
    assert "created from the file" not in again.message
    assert again.rows_total == batch.rows_total and again.rows_unchanged == again.rows_total   # re-import is safe


def test_a_dry_run_with_create_customers_checks_everything_and_creates_nobody(db, tmp_path):
    book = erp.make_book()
    batch = import_file(erp.write_erpnext_ar(book, tmp_path / "AR.csv"), "invoices", actor=None,
                        preset="erpnext-ar", create_customers=True, dry_run=True)
    assert (batch.status, batch.error_count) == ("dry_run", 0)
    assert not Customer.objects.exists() and not Invoice.objects.exists()


def test_a_users_mapping_adds_to_the_preset_and_wins(db, tmp_path, write):
    book = erp.make_book()
    path = erp.write_erpnext_ar(book, tmp_path / "AR.csv")
    mapping = write("mine.toml", '[columns]\n"Territory" = "contract_ref"\n')
    batch = import_file(path, "invoices", actor=None, preset="erpnext-ar", mapping=mapping, create_customers=True)
    assert batch.status == "done", batch.errors[:3]
    assert set(Invoice.objects.values_list("contract_ref", flat=True)) == {"China"}


def test_the_upload_page_offers_the_presets_and_imports_with_one(sign_in, users, huey_immediate, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase
    from django.urls import reverse

    from fengkong.accounts.choices import Role

    client = sign_in(Role.FINANCE)
    html = client.get(reverse("import-upload"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="preset"' in html and 'value="odoo-move-lines"' in html and 'name="create_customers"' in html
    book = erp.make_book()
    content = erp.write_erpnext_ar(book, tmp_path / "AR.csv").read_bytes()
    data = {"kind": "invoices", "mode": "all", "preset": "erpnext-ar", "create_customers": "on",
            "file": SimpleUploadedFile("AR.csv", content, "text/csv")}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("import-upload"), data, HTTP_ACCEPT_LANGUAGE="en")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == "done", batch.message
    assert batch.message.startswith("Read with preset erpnext-ar (asked for)")
    assert Invoice.objects.open().count() == len(book.open_amounts)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Read with preset erpnext-ar (asked for)" in page and "customers created from the file" in page
    bad = {**data, "preset": "quickbooks", "file": SimpleUploadedFile("AR.csv", content, "text/csv")}
    assert client.post(reverse("import-upload"), bad, HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert ImportBatch.objects.count() == 1
