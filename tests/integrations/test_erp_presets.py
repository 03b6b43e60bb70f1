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
