"""Who reads the AR reconciliation report, on the page, in its downloads, through the API and the command:
finance and the risk roles; a user bound to some portfolios sees only their customers, in rows and totals."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from click.testing import CliRunner
from django.contrib.auth.models import Group, Permission
from django.test import Client
from tests.conftest import make_user

from fengkong.cli.commands import fengkong

URLS = ["/reconciliation/", "/reconciliation/reconciliation.csv", "/reconciliation/reconciliation.xlsx",
        "/api/v1/reconciliation"]


@pytest.fixture
def cq_finance(portfolios, roles):
    """A finance clerk of the Chongqing portfolio only: may read the report, not the whole book."""
    group = Group.objects.create(name="cq-finance")
    group.permissions.set(Permission.objects.filter(
        content_type__app_label="receivables", codename__in=["view_invoice", "view_reconciliation"]))
    return _member(group, portfolios)


def _member(group, portfolios):
    user = make_user("cq-finance", None, {}, [portfolios["CQ"]])
    user.groups.add(group)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", URLS)
def test_finance_reads_the_report_everywhere(erp_book, users, url):
    assert signed_in(users["finance"]).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_a_collector_may_not_read_the_report(erp_book, users, url):
    assert signed_in(users["collector"]).get(url).status_code == 403


def test_the_page_shows_the_differences_and_the_summary(erp_book, users):
    body = signed_in(users["risk_manager"]).get("/reconciliation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-invoice="A1"' in body and 'data-invoice="A4"' in body and 'data-invoice="A2"' not in body
    assert "2 of 4 invoices" in body


def test_a_portfolio_bound_reader_sees_only_their_customers_in_rows_and_totals(erp_book, cq_finance):
    client = signed_in(cq_finance)
    body = client.get("/reconciliation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-invoice="A1"' in body and "A4" not in body and "成都锦江电子有限公司" not in body
    assert "1 of 2 invoices" in body
    answer = json.loads(client.get("/api/v1/reconciliation").content)
    assert [r["invoice"] for r in answer["items"]] == ["A1"]
    assert (answer["count"], answer["difference"], answer["invoices_checked"]) == (1, "1000.00", 2)
    assert [c["customer"] for c in answer["by_customer"]] == ["C000001"]
    csv = b"".join(client.get("/reconciliation/reconciliation.csv").streaming_content).decode("utf-8-sig")
    assert "A1" in csv and "A4" not in csv


def test_the_api_answers_the_report_with_its_sums(erp_book, users):
    answer = json.loads(signed_in(users["finance"]).get("/api/v1/reconciliation", {"as_of": "2026-11-28"}).content)
    assert answer["as_of"] == "2026-11-28"
    assert [(r["invoice"], r["erp_open"], r["derived_open"], r["difference"]) for r in answer["items"]] == [
        ("A1", "1000.00", "0.00", "1000.00"), ("A4", "200.00", "100.00", "100.00")]
    assert answer["difference"] == "1100.00"


def test_a_bad_date_is_a_clear_422_from_the_api_and_a_400_from_the_page(erp_book, users):
    client = signed_in(users["finance"])
    assert client.get("/api/v1/reconciliation", {"as_of": "28/11/2026"}).status_code == 422
    assert client.get("/reconciliation/", {"as_of": "yesterday"}).status_code == 400


def test_the_excel_download_holds_the_rows_and_the_sums_per_customer(erp_book, users):
    response = signed_in(users["finance"]).get("/reconciliation/reconciliation.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["A1", "A4"] and rows[1][7] == 1000.0
    assert list(book.worksheets[1].iter_rows(values_only=True))[-1][2:] == (2, 1100.0)


def test_the_command_prints_the_summary_and_writes_the_csv(erp_book, tmp_path):
    out = tmp_path / "rec.csv"
    result = CliRunner().invoke(fengkong, ["reconcile", "--as-of", "2026-11-28", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 invoices with an ERP open amount, 2 differ" in result.output
    assert out.read_text(encoding="utf-8-sig").count("\n") == 3


def test_a_customer_name_that_starts_like_a_formula_is_escaped_in_the_downloads(erp_book, users):
    from fengkong.customers.models import Customer

    Customer.objects.filter(code="C000001").update(name="=HYPERLINK(\"http://x\")")
    client = signed_in(users["finance"])
    csv = b"".join(client.get("/reconciliation/reconciliation.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/reconciliation/reconciliation.xlsx")
                                                      .streaming_content)))
    assert book.worksheets[0].cell(2, 3).value.startswith("'=")
