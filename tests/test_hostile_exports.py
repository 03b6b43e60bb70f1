"""Hostile names through every spreadsheet the product writes: nothing a person opens in Excel runs as a formula.

Customer names and codes, portfolio codes and imported values such as `=cmd|' /C calc'!A0` go through the
import problems file (the web download and `fengkong import --errors`), the aging workbook (the web
download and `fengkong export aging`) and the model commands' CSVs (`model predict --out`, `model dataset
--out`). Every text cell must come out escaped (core.spreadsheets), every amount still a number.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from django.urls import reverse
from django.utils import translation
from tests.conftest import AS_OF, make_customer, make_invoice
from tests.modelling.conftest import borrowers

from fengkong.accounts.models import Portfolio
from fengkong.cli.commands import fengkong
from fengkong.customers.models import Customer
from fengkong.cycle.actions import run_cycle
from fengkong.integrations.importer import import_file
from fengkong.integrations.models import ImportBatch
from fengkong.receivables.models import Invoice

HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","click")', "@SUM(1+1)", "+1+1", "-1+1", "\t=1", "\r=1",
           "＝1", "＠SUM(1)", "－1+1"]
STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r", "\n")


def runs_as_formula(cell) -> bool:
    """Whether a spreadsheet could take this text cell for a formula (written independently of the product's
    rule: a trigger first, possibly after spaces, and not a number)."""
    if not isinstance(cell, str) or not cell.lstrip(" \u3000").startswith(STARTS):
        return False
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return True
    return False


def escaped(values) -> set[str]:
    return {"'" + v for v in values}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the import problems file --------------------------------------------------------------------

@pytest.fixture
def hostile_import(book, users, tmp_path):
    """An invoice file whose unknown customer codes and unreadable amounts are the hostile values."""
    path = tmp_path / "应收.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(["单据编号", "客户编码", "单据日期", "到期日", "金额", "未核销金额", "币种"])
        for i, value in enumerate(HOSTILE):
            rows.writerow([f"X{i}", value, "2025-01-05", "2025-02-04", "100", "100", "CNY"])
            rows.writerow([f"Y{i}", "C000001", "2025-01-05", "2025-02-04", value, "100", "CNY"])
    return path


def problems_values(rows: list[list[str]]) -> set[str]:
    assert rows[0] == ["row", "column", "value", "problem"]
    return {r[2] for r in rows[1:]}


def test_the_import_problems_download_escapes_every_hostile_value(hostile_import, users, sign_in):
    batch = import_file(hostile_import, "invoices", actor=users["finance"])
    assert batch.status == "rejected" and batch.errors_file
    response = sign_in("finance").get(reverse("import-problems", args=[batch.pk]))
    rows = read_csv(b"".join(response.streaming_content))
    assert not [cell for row in rows for cell in row if runs_as_formula(cell)]
    stored = {p["value"] for p in batch.errors}
    assert escaped(v for v in stored if v.lstrip().startswith(STARTS)) <= problems_values(rows)


def test_the_import_command_writes_an_escaped_problems_file(hostile_import, users, tmp_path):
    out = tmp_path / "problems.csv"
    result = CliRunner().invoke(fengkong, ["import", "invoices", str(hostile_import), "--errors", str(out),
                                           "--user", "finance"])
    assert result.exit_code == 1, result.output
    rows = read_csv(out.read_bytes())
    assert not [cell for row in rows for cell in row if runs_as_formula(cell)]
    assert escaped(["=cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1", "＝1"]) <= problems_values(rows)
    assert ImportBatch.objects.get().error_count == len(rows) - 1


# --- the aging workbook --------------------------------------------------------------------------

@pytest.fixture
def hostile_book(book, users, portfolios):
    """The shared book plus one overdue customer per hostile value, named and coded with it; the Sichuan
    portfolio's code is hostile too; then the risk cycle of AS_OF."""
    for i, value in enumerate(HOSTILE):
        customer = make_customer(f"C{900 + i:06d}", "500103", portfolios["CQ"], name=value)
        make_invoice(customer, f"H{i}", "1000.00", days_overdue=40 + i)
        Customer.objects.filter(pk=customer.pk).update(code=value)
    Portfolio.objects.filter(code="SC").update(code="-1+1")
    run_cycle(as_of=AS_OF)


def workbook_cells(data) -> list:
    book = openpyxl.load_workbook(data)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_safe_workbook(data) -> None:
    cells = workbook_cells(data)
    assert not [c.value for c in cells if c.data_type == "f" or runs_as_formula(c.value)]
    texts = {c.value.replace("_x000D_", "\r") for c in cells if c.data_type == "s"}
    assert escaped(HOSTILE) <= texts and "'-1+1" in texts
    customers = openpyxl.load_workbook(data).worksheets[1]
    amounts = [customers.cell(row=r, column=19).value for r in range(2, customers.max_row + 1)]
    assert amounts and all(isinstance(a, int | float) for a in amounts)


def test_the_aging_workbook_download_escapes_hostile_names_codes_and_portfolios(hostile_book, sign_in):
    response = sign_in("risk_manager").get(reverse("monitoring-aging-xlsx"))
    assert response.status_code == 200
    assert_safe_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_aging_export_command_escapes_them_too(hostile_book, tmp_path):
    out = tmp_path / "aging.xlsx"
    result = CliRunner().invoke(fengkong, ["export", "aging", "--as-of", AS_OF.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_safe_workbook(out)


# --- the model commands' CSVs --------------------------------------------------------------------

def test_model_predict_writes_hostile_customer_ids_escaped(tmp_path):
    frame = borrowers()
    ids = [*HOSTILE, *frame["客户编号"].to_list()[len(HOSTILE):]]
    frame.with_columns(pl.Series("客户编号", ids)).write_parquet(tmp_path / "data.parquet")
    runner = CliRunner()
    trained = runner.invoke(fengkong, ["model", "train", "--data", str(tmp_path / "data.parquet"), "--target", "违约",
                                       "--model", "scorecard", "--out", str(tmp_path / "m")])
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "scored.csv"
    scored = runner.invoke(fengkong, ["model", "predict", "--model", str(tmp_path / "m"), "--data",
                                      str(tmp_path / "data.parquet"), "--out", str(out)])
    assert scored.exit_code == 0, scored.output
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert not [cell for row in rows for cell in row if runs_as_formula(cell)]
    column = rows[0].index("客户编号")
    assert [r[column] for r in rows[1:len(HOSTILE) + 1]] == ["'" + v for v in HOSTILE]
    assert all(float(r[rows[0].index("score")]) > 0 for r in rows[1:])   # numbers stay numbers


def test_model_dataset_writes_hostile_customer_codes_escaped(db, portfolios, tmp_path):
    for i, value in enumerate(HOSTILE[:4]):
        customer = make_customer(f"C{800 + i:06d}", "500103", portfolios["CQ"], cooperation_start=date(2021, 1, 1))
        Customer.objects.filter(pk=customer.pk).update(code=value)
        Invoice.objects.create(number=f"D{i}", customer=customer, issue_date=date(2025, 5, 1),
                               due_date=date(2025, 6, 15), amount=Decimal("1000.00"), open_amount=Decimal("1000.00"))
    Invoice.objects.create(number="END", customer=customer, issue_date=date(2026, 12, 1),   # the ledger's end
                           due_date=date(2026, 12, 31), amount=Decimal("1.00"), open_amount=Decimal("1.00"))
    out = tmp_path / "训练.csv"
    result = CliRunner().invoke(fengkong, ["model", "dataset", "--as-of", "2025-06-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert not [cell for row in rows for cell in row if runs_as_formula(cell)]
    codes = {r[rows[0].index("customer_code")] for r in rows[1:]}
    assert codes == escaped(HOSTILE[:4])
