"""Importing a statistics release: the NBS's wide layout (GBK, preamble, footnotes), the long layout in a
workbook, every problem with its row, column and value and nothing written, re-imports, the CLI and the page."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fengkong.accounts.choices import Role
from fengkong.cli.commands import fengkong
from fengkong.core.models import AuditEvent
from fengkong.industry.exceptions import ImportInvalid
from fengkong.industry.importing import import_observations
from fengkong.industry.models import Observation
from fengkong.industry.periods import parse_period

from .conftest import client_of

pytestmark = pytest.mark.django_db

NBS = """数据库：月度数据
时间：最近3个月
指标,2024年10月,2024年9月,2024年8月
商品房销售面积累计增长(%),-15.8,-17.1,…
水泥产量(万吨),"1,950.3",1803.2,1650
注：商品房销售面积为累计值。
数据来源：国家统计局
"""


def wide(text: str = NBS) -> bytes:
    return text.encode("gbk")


def long_workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "region", "period", "value"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_periods_are_read_as_releases_write_them():
    assert parse_period("2024年10月") == (date(2024, 10, 31), "monthly")
    assert parse_period("2024年第三季度") == (date(2024, 9, 30), "quarterly")
    assert parse_period("2024Q1") == (date(2024, 3, 31), "quarterly")
    assert parse_period("2024年") == (date(2024, 12, 31), "yearly")
    assert parse_period("2024-02-10") == (date(2024, 2, 29), "monthly")
    assert parse_period("2024年13月") is None and parse_period("十月") is None


def test_an_nbs_release_in_gbk_is_imported_past_its_preamble_and_footnotes(library, analyst):
    done = import_observations(actor=analyst, data=wide(), file_name="月度数据.csv")
    assert (done.observations, done.added, done.revised, done.indicators) == (5, 5, 0, 2)
    sales = dict(Observation.objects.filter(indicator=library["sales"]).values_list("period", "value"))
    assert sales == {date(2024, 10, 31): Decimal("-15.8"), date(2024, 9, 30): Decimal("-17.1")}  # … is no value
    cement = Observation.objects.get(indicator=library["cement"], period=date(2024, 10, 31))
    assert cement.value == Decimal("1950.3") and cement.source == "import" and cement.file_name == "月度数据.csv"
    event = AuditEvent.objects.get(action="observations.imported")
    assert event.after["added"] == 5 and event.after["indicators"] == ["e-cement", "k-sales-area"]


def test_a_re_import_changes_nothing_and_a_revised_value_replaces_the_old(library, analyst):
    import_observations(actor=analyst, data=wide(), file_name="a.csv")
    again = import_observations(actor=analyst, data=wide(), file_name="a.csv")
    assert (again.added, again.revised) == (0, 0)
    revised = import_observations(actor=analyst, data=wide(NBS.replace("-17.1", "-17.4")), file_name="b.csv")
    assert (revised.added, revised.revised) == (0, 1)
    assert Observation.objects.get(indicator=library["sales"], period=date(2024, 9, 30)).value == Decimal("-17.4")
    change = AuditEvent.objects.filter(action="observations.imported").order_by("-seq").first().after["revisions"][0]
    assert change == {"indicator": "k-sales-area", "period": "2024-09-30", "before": "-17.1000", "after": "-17.4000"}


def test_the_long_layout_in_a_workbook_with_regions(library, analyst):
    data = long_workbook([["建筑业总产值增速", "重庆市", "2024年第三季度", 3.2], ["e-cq-output", "500000", "2024Q2", "4.1"]])
    done = import_observations(actor=analyst, data=data, file_name="建筑业.xlsx")
    assert done.added == 2
    assert sorted(Observation.objects.values_list("period", flat=True)) == [date(2024, 6, 30), date(2024, 9, 30)]


def test_every_problem_is_named_by_row_column_and_value_and_nothing_is_written(library, analyst):
    bad = NBS.replace("-17.1", "跌").replace("水泥产量(万吨)", "钢材产量(万吨)")
    with pytest.raises(ImportInvalid) as caught:
        import_observations(actor=analyst, data=wide(bad), file_name="bad.csv")
    problems = caught.value.problems
    assert "row 4, column 2024年9月: not a number ('跌')" in problems
    assert any(p.startswith("row 5, column 指标: no indicator") and "钢材产量" in p for p in problems)
    assert not Observation.objects.exists() and not AuditEvent.objects.filter(action="observations.imported").exists()


def test_a_period_of_another_frequency_or_twice_is_a_problem(library, analyst):
    data = long_workbook([["e-cq-output", "500000", "2024年9月", "1"], ["k-sales-area", "", "2024-10", "1"],
                          ["k-sales-area", "", "2024年10月", "2"], ["k-sales-area", "", "十月", "2"]])
    with pytest.raises(ImportInvalid) as caught:
        import_observations(actor=analyst, data=data, file_name="x.xlsx")
    problems = caught.value.problems
    assert any("row 2" in p and "is quarterly" in p for p in problems)
    assert any("row 4" in p and "already in row 3" in p for p in problems)
    assert any("row 5, column period: not a period" in p for p in problems)
    assert not Observation.objects.exists()


def test_a_file_that_is_no_release_is_refused_with_the_reason(library, analyst):
    for data, name, says in ((b"", "empty.csv", "empty"), (b"a,b\n1,2\n", "x.csv", "no indicator column"),
                             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", ".xls"),
                             ("指标,十月\n水泥产量,1\n".encode(), "y.csv", "not a period")):
        with pytest.raises(ImportInvalid, match=says):
            import_observations(actor=analyst, data=data, file_name=name)
    assert not Observation.objects.exists()


def test_only_the_industry_analyst_imports(library, users):
    with pytest.raises(PermissionDenied):
        import_observations(actor=users[Role.CREDIT_ANALYST], data=wide(), file_name="a.csv")
    assert not Observation.objects.exists()


def test_the_command_imports_a_release_and_lists_the_problems_of_a_bad_one(library, analyst, tmp_path):
    good, bad = tmp_path / "release.csv", tmp_path / "bad.csv"
    good.write_bytes(wide())
    bad.write_bytes(wide(NBS.replace("1803.2", "n/a?")))
    result = CliRunner().invoke(fengkong, ["--lang", "en", "industry", "import", str(good), "--user", analyst.username])
    assert result.exit_code == 0, result.output
    assert "5 observation(s) of 2 indicator(s): 5 added, 0 revised" in result.output
    result = CliRunner().invoke(fengkong, ["--lang", "en", "industry", "import", str(bad)])
    assert result.exit_code == 2 and "row 5, column 2024年9月: not a number" in result.output
    assert Observation.objects.count() == 5
    listed = CliRunner().invoke(fengkong, ["industry", "indicators", "--industry", "E"])
    assert listed.exit_code == 0 and "e-cement" in listed.output and "k-sales-area" not in listed.output


def test_the_upload_page_imports_or_shows_every_problem(library, analyst, users):
    client = client_of(analyst)
    page = client.post("/industry/import/", {"file": SimpleUploadedFile("月度数据.csv", wide())})
    assert page.status_code == 200 and "5 observations of 2 indicators read: 5 added" in page.content.decode()
    refused = client.post("/industry/import/", {"file": SimpleUploadedFile("bad.csv", wide(NBS.replace("1650", "x")))})
    assert refused.status_code == 400 and "Nothing was imported" in refused.content.decode()
    assert "column 2024年8月: not a number" in refused.content.decode()
    assert client_of(users[Role.RISK_MANAGER]).get("/industry/import/").status_code == 403
