"""A foreign ERP's book without open amounts: after customers, invoices and receipts, exactly the unpaid
invoices stay open, with the right amounts, and the import says where the open amounts came from."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from tests.fixtures.foreign_book import write_foreign_book

from fengkong.integrations.importer import import_file
from fengkong.monitoring.store import open_items
from fengkong.receivables.choices import OpenBasis
from fengkong.receivables.models import FxRate, Invoice


@pytest.fixture
def loaded(db, tmp_path):
    book = write_foreign_book(tmp_path / "foreign")
    # a rate of 1 keeps the cycle's functional-currency fen equal to the invoices' USD cents (what is compared here)
    FxRate.objects.create(date=book.as_of - timedelta(days=800), currency="USD", rate=Decimal("1"))
    batches = {kind: import_file(book.files[kind], kind, actor=None, mapping=book.mappings[kind])
               for kind in ("customers", "invoices", "payments")}
    return book, batches


def test_every_file_of_the_foreign_book_imports_with_its_mapping_alone(loaded):
    _book, batches = loaded
    assert {kind: (b.status, b.error_count) for kind, b in batches.items()} == {
        kind: ("done", 0) for kind in batches}, [b.errors[:3] for b in batches.values()]


def test_exactly_the_unpaid_invoices_stay_open_with_the_right_amounts(loaded):
    book, _batches = loaded
    stored = dict(Invoice.objects.open().values_list("number", "open_amount"))
    assert stored == book.open_amounts
    assert 0 < len(stored) < book.invoices / 4


def test_invoices_without_an_open_amount_are_derived(loaded):
    book, _batches = loaded
    assert Invoice.objects.filter(open_basis=OpenBasis.DERIVED).count() == book.invoices


def test_the_receipts_import_says_how_many_allocations_the_open_amounts_come_from(loaded):
    book, batches = loaded
    assert (f"Open amounts derived from {book.allocations:,} allocations for" in batches["payments"].message)


def test_the_cycle_sees_the_open_items_of_the_derived_book(loaded):
    book, _batches = loaded
    items = open_items(book.as_of)
    assert items.height == len(book.open_amounts)
    assert items.get_column("open_fen").sum() == int(sum(book.open_amounts.values()) * 100)


def test_a_past_as_of_date_adds_back_what_was_paid_after_it(loaded):
    book, _batches = loaded
    first = Invoice.objects.order_by("issue_date").first()
    paid_day = (first.allocations.order_by("payment__payment_date")
                .values_list("payment__payment_date", flat=True).first())
    if paid_day is None:
        pytest.skip("the first invoice of this seed was never paid")
    before = open_items(paid_day - timedelta(days=1))
    row = before.filter(before.get_column("invoice_id") == first.pk)
    assert row.get_column("open_fen").to_list() == [int(first.amount * 100)]
    assert Decimal(0) <= first.open_amount < first.amount
