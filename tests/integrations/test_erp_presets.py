"""Issue 22: each ERP preset reads the export its users already have, with known truth (tests/fixtures/
erp_exports.py): the open items, the items 30/60/90 days overdue as the cycle zones them, and the credit
balances are the book's, read with the preset and detected without it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from tests.fixtures import erp_exports as erp

from fengkong.cycle.actions import run_cycle
from fengkong.cycle.choices import CycleStatus
from fengkong.integrations.importer import import_file
from fengkong.monitoring.models import ItemZone
from fengkong.receivables.models import CreditNote, Invoice, Payment

pytestmark = pytest.mark.django_db
ZONES = {1: "attention", 2: "warning", 3: "danger"}


def open_book() -> dict[str, Decimal]:
    return dict(Invoice.objects.open().values_list("number", "open_amount"))


def cycle_zones(book) -> dict[str, int]:
    assert run_cycle(as_of=book.as_of).status == CycleStatus.DONE
    counts = Counter(ZONES[z] for z in ItemZone.objects.values_list("zone", flat=True))
    return {zone: counts.get(zone, 0) for zone in ("attention", "warning", "danger")}


def credit_balances() -> dict[str, Decimal]:
    receipts = dict(Payment.objects.filter(allocations__isnull=True).values_list("number", "amount"))
    return receipts | dict(CreditNote.objects.filter(invoice__isnull=True).values_list("number", "amount"))


def imported(path, preset=None, **options):
    batch = import_file(path, "invoices", actor=None, preset=preset, create_customers=True, **options)
    assert batch.status == "done", (batch.message, batch.errors[:5])
    return batch


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_erpnext_accounts_receivable_report_loads_with_its_open_items_zones_and_credit_balances(tmp_path, xlsx):
    book = erp.make_book()
    path = erp.write_erpnext_ar(book, tmp_path / ("AR.xlsx" if xlsx else "AR.csv"), xlsx=xlsx)
    batch = imported(path, "erpnext-ar")
    assert open_book() == book.open_amounts
    assert credit_balances() == book.credit_balances
    assert cycle_zones(book) == book.zone_counts()
    assert "preset erpnext-ar (asked for)" in batch.message
    assert "1 total or heading row skipped" in batch.message
    assert "3 unallocated receipts kept as credit balances" in batch.message
    assert "3 credit notes kept as credit balances" in batch.message


def test_erpnext_accounts_receivable_report_is_detected_without_a_preset(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_erpnext_ar(book, tmp_path / "AR.csv"))
    assert batch.message.startswith("Read with detected preset erpnext-ar: headers Voucher No, Outstanding Amount, "
                                    "Party matched."), batch.message
    assert open_book() == book.open_amounts


def returns_only(book) -> dict[str, Decimal]:
    """Credit balances of a layout that lists credit notes but no receipts."""
    return {c.number: Decimal(c.cents) / 100 for c in book.credits if not c.receipt}


@pytest.mark.parametrize("layout", ["report", "data_export"])
def test_erpnext_sales_invoice_list_loads_without_drafts_and_cancellations(tmp_path, layout):
    book = erp.make_book()
    write = erp.write_sales_invoice_report if layout == "report" else erp.write_sales_invoice_data_export
    path = write(book, tmp_path / "Sales Invoice.csv")
    batch = imported(path, "erpnext-sales-invoice")
    assert open_book() == book.open_amounts
    assert not Invoice.objects.filter(number__in=["SINV-DRAFT-1", "SINV-CANC-1"]).exists()
    assert Invoice.objects.count() == len(book.items)          # the paid ones too, with nothing open
    assert credit_balances() == returns_only(book)
    assert cycle_zones(book) == book.zone_counts()
    assert "2 draft or cancelled rows skipped" in batch.message
    if layout == "data_export":
        assert "preamble rows skipped" in batch.message
        assert set(Invoice.objects.values_list("number", flat=True)) == {i.number for i in book.items}


@pytest.mark.parametrize("layout", ["report", "data_export"])
def test_erpnext_sales_invoice_list_is_detected(tmp_path, layout):
    book = erp.make_book()
    write = erp.write_sales_invoice_report if layout == "report" else erp.write_sales_invoice_data_export
    batch = imported(write(book, tmp_path / "Sales Invoice.csv"))
    assert "detected preset erpnext-sales-invoice" in batch.message
    assert open_book() == book.open_amounts


def test_sap_fbl5n_line_items_load_in_local_currency_without_cleared_items(tmp_path):
    book = erp.make_book(prefix="90000", party="{:07d}")
    batch = imported(erp.write_sap_fbl5n(book, tmp_path / "FBL5N.xlsx"), "sap-fbl5n")
    assert open_book() == book.open_amounts
    assert set(Invoice.objects.values_list("currency", flat=True)) == {"CNY"}
    assert not Invoice.objects.filter(number="1400000999").exists()
    assert credit_balances() == book.credit_balances
    assert cycle_zones(book) == book.zone_counts()
    assert "1 cleared item skipped" in batch.message and "1 total or heading row skipped" in batch.message


def test_sap_fbl5n_is_detected(tmp_path):
    book = erp.make_book(prefix="90000", party="{:07d}")
    batch = imported(erp.write_sap_fbl5n(book, tmp_path / "FBL5N.xlsx"))
    assert "detected preset sap-fbl5n" in batch.message
    assert open_book() == book.open_amounts


def odoo_truth(book) -> dict[str, Decimal]:
    return {erp.odoo_number(i): Decimal(i.open_cents) / 100 for i in book.open_items()}


def test_odoo_journal_items_merge_instalments_and_skip_exchange_differences(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_odoo_move_lines(book, tmp_path / "Journal Items.xlsx"), "odoo-move-lines")
    assert open_book() == odoo_truth(book)
    assert Invoice.objects.count() == len(book.items)
    split = [i for i in book.items if i.instalments == 2]
    assert split and {Invoice.objects.get(number=erp.odoo_number(i)).due_date for i in split} == {
        erp.odoo_instalment_due(i) for i in split}
    assert {Invoice.objects.get(number=erp.odoo_number(i)).amount for i in split} == {
        Decimal(i.cents) / 100 for i in split}
    assert set(Invoice.objects.values_list("currency", flat=True)) == {"CNY"}   # not the USD columns
    assert len(credit_balances()) == len(book.credits)
    assert cycle_zones(book) == book.zone_counts(erp.odoo_instalment_due)
    assert f"{len(split)} instalment lines merged" in batch.message
    assert "1 exchange-difference line skipped" in batch.message
    assert "3 unallocated receipts kept as credit balances" in batch.message


def test_odoo_journal_items_are_detected(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_odoo_move_lines(book, tmp_path / "Journal Items.xlsx"))
    assert "detected preset odoo-move-lines" in batch.message
    assert open_book() == odoo_truth(book)


def test_odoo_aged_partner_balance_loads_each_partners_open_items(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_odoo_aged_balance(book, tmp_path / "Aged Partner Balance.xlsx"), "odoo-aged-balance")
    assert open_book() == {erp.oca_number(i): Decimal(i.open_cents) / 100 for i in book.open_items()}
    assert len(credit_balances()) == len(book.credits)
    assert cycle_zones(book) == book.zone_counts()
    assert "total or heading rows skipped" in batch.message


def test_odoo_aged_partner_balance_is_detected(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_odoo_aged_balance(book, tmp_path / "Aged Partner Balance.xlsx"))
    assert "detected preset odoo-aged-balance" in batch.message


def test_kingdee_receivables_list_loads_with_customers_by_name(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_kingdee_ar(book, tmp_path / "应收单.csv"), "kingdee-ar")
    assert open_book() == book.open_amounts
    assert set(Invoice.objects.values_list("customer__code", flat=True)) == set(book.customers.values())
    assert credit_balances() == returns_only(book)
    assert cycle_zones(book) == book.zone_counts()
    assert "1 total or heading row skipped" in batch.message


def test_kingdee_receivables_list_is_detected(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_kingdee_ar(book, tmp_path / "应收单.csv"))
    assert "detected preset kingdee-ar" in batch.message


def test_yonyou_u8_receivables_in_gbk_load(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_yonyou_u8_ar(book, tmp_path / "应收单.csv"), "yonyou-u8-ar")
    assert batch.encoding == "gb18030"
    assert open_book() == book.open_amounts
    assert credit_balances() == returns_only(book)
    assert cycle_zones(book) == book.zone_counts()


def test_yonyou_u8_receivables_are_detected(tmp_path):
    book = erp.make_book()
    batch = imported(erp.write_yonyou_u8_ar(book, tmp_path / "应收单.csv"))
    assert "detected preset yonyou-u8-ar" in batch.message
