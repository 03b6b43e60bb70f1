"""A mapping file may send one column to two fields; a field mapped twice, or a column the file lacks, is refused."""

from __future__ import annotations

import pytest

from fengkong.customers.models import Customer
from fengkong.integrations.exceptions import FileRejected
from fengkong.integrations.mapping import load_mapping

TWO_FIELDS = """
[columns]
"Customer" = ["code", "name"]
"Region" = "region"
"""


def test_one_column_fills_both_the_customer_code_and_the_customer_name(db, write, run, book):
    text = "Customer,Region\nACME-01,500103\n"
    batch = run("customers", write("customers.csv", text), mapping=write("m.toml", TWO_FIELDS))
    assert batch.status == "done", (batch.message, batch.errors)
    customer = Customer.objects.get(code="ACME-01")
    assert customer.name == "ACME-01"


def test_the_single_field_spelling_still_reads_as_before():
    assert load_mapping({"columns": {"Kunde": "customer_code"}}, "invoices").columns == {"Kunde": ("customer_code",)}


def test_a_field_mapped_twice_is_refused_naming_both_columns():
    with pytest.raises(FileRejected, match=r"field name is mapped twice, from column 'Customer' and from column 'Firm'"):
        load_mapping({"columns": {"Customer": ["code", "name"], "Firm": "name"}}, "customers")


def test_a_list_with_an_unknown_field_is_refused_naming_it():
    with pytest.raises(FileRejected, match=r"column 'Customer' maps to 'nom', which is not a field of customers"):
        load_mapping({"columns": {"Customer": ["code", "nom"]}}, "customers")


def test_a_mapping_that_names_a_column_the_file_does_not_have_is_refused_naming_the_file_columns(db, write, run, book):
    mapping = write("m.toml", TWO_FIELDS + '"Tel" = "contact_phone"\n')
    batch = run("customers", write("customers.csv", "Customer,Region\nACME-02,500103\n"), mapping=mapping)
    assert batch.status == "rejected"
    assert "column 'Tel' is not in the file (it would fill contact_phone). Columns found in the file: Customer, Region." \
        in batch.message
    assert not Customer.objects.filter(code="ACME-02").exists()
