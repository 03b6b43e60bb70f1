"""An unreadable date says which mapping setting reads it: [dates] formats, with the format that fits."""

from __future__ import annotations

from .conftest import invoices_csv, messages


def test_a_month_first_date_names_the_format_to_set_in_the_mapping_file(db, write, run, book):
    batch = run("invoices", write("us.csv", invoices_csv("AR9001,C000001,3/15/2025,4/14/2025,100,100,CNY")))
    assert batch.status == "rejected"
    assert 'set [dates] formats = ["%m/%d/%Y"] in the mapping file (docs/import.md)' in messages(batch)[0]
    assert batch.errors[0]["row"] == 2 and batch.errors[0]["value"] == "3/15/2025"


def test_a_date_that_reads_both_ways_round_offers_both_formats(db, write, run, book):
    batch = run("invoices", write("eu.csv", invoices_csv("AR9001,C000001,03/05/2025,2025-06-01,100,100,CNY")))
    assert '["%m/%d/%Y"] or ["%d/%m/%Y"]' in messages(batch)[0]


def test_the_format_it_names_does_read_the_file(db, write, run, book):
    path = write("us.csv", invoices_csv("AR9001,C000001,3/15/2025,4/14/2025,100,100,CNY"))
    batch = run("invoices", path, mapping={"dates": {"formats": ["%m/%d/%Y"]}})
    assert batch.status == "done", batch.errors


def test_a_value_that_is_no_date_in_any_format_says_to_add_its_format(db, write, run, book):
    batch = run("invoices", write("x.csv", invoices_csv("AR9001,C000001,soon,2025-06-01,100,100,CNY")))
    assert "add its format to [dates] formats in the mapping file" in messages(batch)[0]
