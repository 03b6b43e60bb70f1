"""The Excel aging report: three sheets, a native stacked column chart, scoped rows, the CLI command."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from django.utils import translation

from fengkong.customers.models import Customer
from fengkong.monitoring.exports import write_aging_workbook

pytestmark = pytest.mark.django_db
URL = "/monitoring/aging.xlsx"


def download(client, **params) -> bytes:
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return b"".join(response.streaming_content)


def test_the_workbook_opens_and_has_a_native_chart(monitored, sign_in):
    data = download(sign_in("risk_manager"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/charts/chart1.xml" in names
    chart = zipfile.ZipFile(io.BytesIO(data)).read("xl/charts/chart1.xml").decode()
    assert '<c:grouping val="stacked"/>' in chart and "<c:barChart>" in chart
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 3


def test_the_summary_adds_up_to_the_book(monitored, sign_in):
    book = openpyxl.load_workbook(io.BytesIO(download(sign_in("risk_manager"))))
    summary = book.worksheets[0]
    amounts = [summary.cell(row=r, column=2).value for r in range(5, 12)]
    assert amounts == [12000, 20000, 3000, 30000, 50000, 0, 0]
    assert summary.cell(row=12, column=2).value == 115000


def test_the_customer_sheet_has_chinese_headers_formats_a_frozen_header_and_a_filter(monitored, sign_in):
    book = openpyxl.load_workbook(io.BytesIO(download(sign_in("risk_manager"))))
    sheet = book.worksheets[1]
    assert sheet.cell(row=1, column=1).value == "客户编码"
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:S4"
    assert [sheet.cell(row=r, column=1).value for r in range(2, 5)] == ["C000002", "C000003", "C000001"]
    assert sheet.cell(row=2, column=19).number_format == "#,##0.00"


def test_headers_follow_the_active_language(monitored, users, tmp_path):
    with translation.override("en"):
        write_aging_workbook(tmp_path / "en.xlsx", user=users["risk_manager"], as_of=monitored["runs"][1].as_of)
    sheet = openpyxl.load_workbook(tmp_path / "en.xlsx").worksheets[1]
    assert sheet.cell(row=1, column=1).value == "Customer code"


def test_a_collectors_workbook_holds_their_portfolio_only(monitored, sign_in):
    data = download(sign_in("collector"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    codes = {book.worksheets[1].cell(row=r, column=1).value for r in range(2, book.worksheets[1].max_row + 1)}
    assert codes == {"C000001", "C000002"}
    groups = [c.value for c in book.worksheets[2]["A"] if c.value]
    assert "SC" not in groups and "四川省" not in groups


def test_an_earlier_cycle_can_be_exported_and_a_bad_date_is_not_found(monitored, sign_in):
    client = sign_in("risk_manager")
    book = openpyxl.load_workbook(io.BytesIO(download(client, as_of="2026-11-21")))
    assert "2026-11-21" in book.worksheets[0].cell(row=1, column=1).value
    assert client.get(URL, {"as_of": "2026-11-27"}).status_code == 404
    assert client.get(URL, {"as_of": "not a date"}).status_code == 404


def test_the_export_is_forbidden_without_a_role(monitored, sign_in):
    assert sign_in("nobody").get(URL).status_code == 403


def test_a_formula_in_a_customer_name_stays_escaped_text(monitored, sign_in):
    Customer.objects.filter(code="C000001").update(name='=HYPERLINK("http://x","y")')
    sheet = openpyxl.load_workbook(io.BytesIO(download(sign_in("risk_manager")))).worksheets[1]
    names = [sheet.cell(row=r, column=2).value for r in range(2, 5)]
    assert '\'=HYPERLINK("http://x","y")' in names
    assert sheet.cell(row=4, column=2).data_type == "s"


def test_the_cli_writes_the_whole_book(monitored, tmp_path):
    from fengkong.cli.commands import fengkong

    out = tmp_path / "aging.xlsx"
    result = CliRunner().invoke(fengkong, ["export", "aging", "--as-of", "2026-11-28", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 customers" in result.output
    sheet = openpyxl.load_workbook(out).worksheets[1]
    assert sheet.max_row == 4
    assert Decimal(str(openpyxl.load_workbook(out).worksheets[0].cell(row=12, column=2).value)) == 115000


def test_the_cli_refuses_a_day_without_a_cycle(monitored, tmp_path):
    from fengkong.cli.commands import fengkong

    result = CliRunner().invoke(fengkong, ["export", "aging", "--as-of", "2026-11-27", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0 and "2026-11-27" in result.output
