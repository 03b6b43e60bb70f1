"""The demo company generator: the ERP-export contract, the books balance, the hidden logic shows."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fengkong.core import uscc
from fengkong.demo.draws import Draws, Purpose
from fengkong.demo.erp_files import HEADERS
from fengkong.demo.generator import DemoSummary, customer_chunks, generate
from fengkong.demo.ledger import instalment_amounts, simulate_ledger
from fengkong.demo.population import Calendar, build_customer_book

AS_OF = dt.date(2025, 6, 30)
SMALL = {"customers": 200, "years": 2, "seed": 7, "as_of": AS_OF}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, **SMALL)


@pytest.fixture(scope="module")
def files(demo) -> dict[str, pl.DataFrame]:
    out, _ = demo
    return {name: read(out / name) for name in HEADERS}


def read(path: Path) -> pl.DataFrame:
    """Every column as text, the way an importer first sees it."""
    encoding = "gbk" if path.name == "customers.csv" else "utf-8-sig"
    text = path.read_bytes().decode(encoding)
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def fen(column: str) -> pl.Expr:
    """A two-decimal amount column as integer fen."""
    return pl.col(column).str.replace(".", "", literal=True).cast(pl.Int64)


def day(column: str) -> pl.Expr:
    return pl.col(column).str.to_date("%Y-%m-%d")


def all_hold(df: pl.DataFrame, *conditions: pl.Expr) -> bool:
    """Whether every condition holds on every row."""
    return all(df.select(c.all().alias(f"c{i}") for i, c in enumerate(conditions)).row(0))


def file_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in HEADERS}


# --- determinism ---------------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files(demo, tmp_path):
    out, _ = demo
    generate(tmp_path, **SMALL)
    assert file_bytes(tmp_path) == file_bytes(out)


def test_different_seed_gives_different_files(demo, tmp_path):
    out, _ = demo
    generate(tmp_path, **{**SMALL, "seed": 8})
    assert all(file_bytes(tmp_path)[name] != file_bytes(out)[name] for name in HEADERS)


def test_chunk_size_does_not_change_the_output(demo, tmp_path):
    out, _ = demo
    generate(tmp_path, **SMALL, chunk_rows=250)
    assert file_bytes(tmp_path) == file_bytes(out)


def test_no_temporary_files_are_left_behind(demo):
    out, summary = demo
    assert sorted(p.name for p in out.iterdir()) == sorted(HEADERS)
    assert sorted(p.name for p in summary.paths) == sorted(HEADERS)


# --- the export contract -------------------------------------------------------------------------

def test_every_file_has_the_contract_header(files):
    for name, df in files.items():
        assert tuple(df.columns) == HEADERS[name], name


def test_customers_file_is_gbk_with_chinese_names(demo):
    out, _ = demo
    raw = (out / "customers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert text.startswith("客户编码,客户名称,统一社会信用代码")
    assert "有限公司" in text and "重庆" in text


def test_only_invoices_file_starts_with_a_bom(demo):
    out, _ = demo
    for name in HEADERS:
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf") == (name == "invoices.csv"), name


def test_amounts_have_exactly_two_decimals_and_dates_are_iso(demo):
    out, _ = demo
    lines = (out / "invoices.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    shape = re.compile(r"^AR\d{4}\d{6},C\d{6},\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d,\d+\.\d\d,\d+\.\d\d,CNY,"
                       r"HT-C\d{6}-\d{4}-\d\d,(是)?$")
    assert all(shape.match(line) for line in lines)


def test_every_credit_code_is_valid_unique_and_registered_in_the_customers_region(files):
    customers = files["customers.csv"]
    codes = customers["统一社会信用代码"].to_list()
    assert all(uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(code[2:8] == region for code, region in zip(codes, customers["行政区划代码"], strict=True))


def test_customer_codes_names_and_invoice_numbers_are_unique(files):
    customers, invoices = files["customers.csv"], files["invoices.csv"]
    assert customers["客户编码"].is_unique().all()
    assert customers["客户名称"].is_unique().all()
    assert invoices["单据编号"].is_unique().all()


def test_customer_master_data_looks_like_an_erp_export(files):
    customers = files["customers.csv"]
    assert customers["联系电话"].str.contains(r"^1[3-9]\d{9}$").all()
    assert customers["电子邮箱"].str.contains(r"^ar@c\d{6}\.example\.cn$").all()
    assert set(customers["状态"]) <= {"正常", "停用"}
    assert customers["客户名称"].str.contains("(有限公司|有限责任公司|股份有限公司)$").all()
    grouped = customers.filter(pl.col("所属集团编码").is_not_null())
    assert grouped["所属集团"].str.ends_with("集团有限公司").all()
    assert 0 < len(grouped) < len(customers) * 0.2


def test_regions_favour_chongqing_and_sichuan(files):
    province = files["customers.csv"]["行政区划代码"].str.slice(0, 2)
    assert (province == "50").mean() > 0.3
    assert (province == "51").mean() > 0.2


# --- the books balance ---------------------------------------------------------------------------

def test_allocations_credit_notes_and_open_amount_add_up_to_each_invoice(files):
    paid = files["payments.csv"].group_by("核销单据号").agg(fen("核销金额").sum().alias("paid"))
    credited = files["credit_notes.csv"].group_by("原单据号").agg(fen("金额").sum().alias("credited"))
    invoices = (files["invoices.csv"]
                .join(paid, left_on="单据编号", right_on="核销单据号", how="left")
                .join(credited, left_on="单据编号", right_on="原单据号", how="left")
                .fill_null(0))
    balance = invoices.select(fen("金额") - pl.col("paid") - pl.col("credited") - fen("未核销金额"))
    assert (balance.to_series() == 0).all()
    assert invoices.select((fen("未核销金额") >= 0).all()).item()


def test_a_payment_total_is_the_sum_of_its_allocations(files):
    payments = files["payments.csv"].group_by("收款单号").agg(
        fen("收款金额").n_unique().alias("totals"), fen("收款金额").first().alias("total"),
        fen("核销金额").sum().alias("allocated"), pl.col("客户编码").n_unique().alias("payers"))
    assert (payments["totals"] == 1).all() and (payments["payers"] == 1).all()
    assert (payments["total"] == payments["allocated"]).all()


def test_no_payment_before_its_invoice_or_after_as_of(files):
    joined = files["payments.csv"].join(files["invoices.csv"], left_on="核销单据号", right_on="单据编号")
    assert joined.select((day("收款日期") >= day("单据日期")).all()).item()
    assert joined.select((day("收款日期") <= AS_OF).all()).item()
    assert (joined["客户编码"] == joined["客户编码_right"]).all()


def test_no_invoice_is_dated_in_the_future_or_before_the_history(files):
    issued = files["invoices.csv"].select(day("单据日期")).to_series()
    assert issued.max() <= AS_OF
    assert issued.min() >= AS_OF - dt.timedelta(days=round(365.25 * SMALL["years"]))


def test_credit_notes_are_positive_and_after_their_invoice(files):
    notes = files["credit_notes.csv"].join(files["invoices.csv"], left_on="原单据号", right_on="单据编号")
    assert len(notes) == len(files["credit_notes.csv"]) > 0
    assert all_hold(notes, fen("金额") > 0, fen("金额") <= fen("金额_right"),
                    day("单据日期") >= day("单据日期_right"), day("单据日期") <= AS_OF)


def test_some_invoices_are_paid_in_instalments(files):
    per_invoice = files["payments.csv"].group_by("核销单据号").len()
    assert (per_invoice["len"] >= 2).sum() > 0


def test_financial_statements_add_up(files):
    fin = files["financials.csv"]
    assert all_hold(fin, fen("资产总计") == fen("负债合计") + fen("所有者权益"), fen("流动资产") <= fen("资产总计"),
                    fen("流动负债") <= fen("负债合计"), pl.col("报告期").str.ends_with("-12-31"))
    assert fin.select((fen("净利润") < 0).any()).item()


def test_orders_are_recent_and_not_fully_shipped(files):
    orders = files["orders.csv"]
    assert all_hold(orders, day("订单日期") > AS_OF - dt.timedelta(days=60), day("订单日期") <= AS_OF,
                    fen("未发货金额") <= fen("订单金额"))
    assert set(orders["状态"]) == {"未发货", "部分发货"}
    assert set(orders["客户编码"]) <= set(files["customers.csv"]["客户编码"])


def test_summary_counts_and_totals_match_the_files(demo, files):
    _, summary = demo
    for name, rows in summary.rows_per_file().items():
        assert len(files[name]) == rows, name
    invoices = files["invoices.csv"]
    assert summary.invoiced == invoices.select(pl.col("金额").cast(pl.Decimal(38, 2)).sum()).item()
    assert summary.open_amount == invoices.select(pl.col("未核销金额").cast(pl.Decimal(38, 2)).sum()).item()
    assert summary.payments == files["payments.csv"]["收款单号"].n_unique()


def test_book_holds_about_twenty_invoices_per_customer_year(demo):
    _, summary = demo
    assert 0.9 < summary.invoices / (SMALL["customers"] * SMALL["years"] * 20) < 1.1


# --- the hidden logic ----------------------------------------------------------------------------

def overdue_by_customer(files) -> pl.DataFrame:
    invoices = files["invoices.csv"].with_columns(
        overdue=pl.when(day("到期日") < AS_OF).then(fen("未核销金额")).otherwise(0), amount=fen("金额"))
    per_customer = invoices.group_by("客户编码").agg(pl.col("overdue").sum(), pl.col("amount").sum())
    return per_customer.join(files["truth.csv"], left_on="客户编码", right_on="customer_code")


def test_a_few_percent_of_customers_default(files):
    share = (files["truth.csv"]["defaulted"] == "1").mean()
    assert 0.01 <= share <= 0.12


def test_defaulted_customers_carry_much_more_overdue_money(files):
    book = overdue_by_customer(files).group_by("defaulted").agg(
        (pl.col("overdue").sum() / pl.col("amount").sum()).alias("overdue_share"))
    share = dict(book.iter_rows())
    assert share["1"] > 5 * share["0"]


def test_defaulters_pay_nothing_after_their_default_date(files):
    truth = files["truth.csv"].filter(pl.col("defaulted") == "1").select("customer_code", day("default_date"))
    paid = files["payments.csv"].join(truth, left_on="客户编码", right_on="customer_code")
    assert len(truth) > 0
    assert paid.select((day("收款日期") < pl.col("default_date")).all()).item()


def test_downturn_industries_pay_later_in_the_last_year(files):
    downturn = (pl.col("industry").is_in(["E", "K"]) & pl.col("region").str.slice(0, 2).is_in(["50", "51"]))
    last_year = day("到期日") >= AS_OF - dt.timedelta(days=365)
    days_late = (files["payments.csv"]
                 .join(files["invoices.csv"], left_on="核销单据号", right_on="单据编号")
                 .join(files["truth.csv"], left_on="客户编码", right_on="customer_code")
                 .filter(pl.col("defaulted") == "0")
                 .group_by(downturn.alias("downturn"), last_year.alias("last_year"))
                 .agg((day("收款日期") - day("到期日")).dt.total_days().mean().alias("days_late")))
    late = {(d, y): v for d, y, v in days_late.iter_rows()}
    assert late[(True, True)] > late[(False, True)] + 10
    assert late[(True, True)] > late[(True, False)] + 10


def test_riskier_customers_have_weaker_balance_sheets(files):
    fin = files["financials.csv"].join(files["truth.csv"], left_on="客户编码", right_on="customer_code")
    ratios = fin.select(
        pl.col("hidden_risk").cast(pl.Float64), (fen("负债合计") / fen("资产总计")).alias("debt_ratio"))
    assert ratios.select(pl.corr("hidden_risk", "debt_ratio")).item() > 0.3


def test_most_open_money_is_current_with_a_tail_beyond_ninety_days(files):
    invoices = files["invoices.csv"].with_columns(
        days_overdue=(pl.lit(AS_OF) - day("到期日")).dt.total_days(), open=fen("未核销金额"))
    total = invoices["open"].sum()
    current = invoices.filter(pl.col("days_overdue") <= 0)["open"].sum() / total
    beyond_90 = invoices.filter(pl.col("days_overdue") > 90)["open"].sum() / total
    assert current > 0.4
    assert 0.01 < beyond_90 < 0.4


# --- properties ----------------------------------------------------------------------------------

@given(st.lists(st.integers(0, 2_000_000_000), min_size=1, max_size=50), st.integers(0, 2**31))
def test_instalments_always_sum_to_the_payable_amount(payable, seed):
    payable = np.array(payable, dtype=np.int64)
    draws = Draws(seed, np.arange(len(payable)))
    count = np.array([1, 2, 3] * 17)[: len(payable)]
    parts = instalment_amounts(draws, count, payable)
    assert (parts.sum(axis=1) == payable).all()
    assert (parts >= 0).all()
    assert (parts[count == 1][:, 1:] == 0).all() and (parts[count == 2][:, 2] == 0).all()


@given(st.lists(st.integers(0, 30), min_size=1, max_size=40), st.integers(1, 100))
def test_customer_chunks_cover_every_customer_once_in_order(counts, chunk_rows):
    offset = np.concatenate([[0], np.cumsum(counts)])
    chunks = list(customer_chunks(offset, chunk_rows))
    assert chunks[0][0] == 0 and chunks[-1][1] == len(counts)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:], strict=False))


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 59))
def test_a_ledger_split_anywhere_equals_the_whole(split):
    calendar = Calendar(AS_OF, 1)
    book = build_customer_book(60, calendar, seed=3)
    whole = simulate_ledger(book, calendar, 3, 0, 60)
    left, right = simulate_ledger(book, calendar, 3, 0, split), simulate_ledger(book, calendar, 3, split, 60)
    for field in ("issue_day", "amount", "open_amount", "disputed"):
        joined = np.concatenate([getattr(left.invoices, field), getattr(right.invoices, field)])
        assert (joined == getattr(whole.invoices, field)).all()
    assert len(left.payments.day) + len(right.payments.day) == len(whole.payments.day)


def test_draws_are_uniform_on_the_open_interval():
    u = Draws(7, np.arange(200_000)).uniform(Purpose.AMOUNT)
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005
    assert not np.array_equal(u, Draws(7, np.arange(200_000)).uniform(Purpose.LATE))


def test_summary_reads_as_one_line(demo):
    _, summary = demo
    text = str(summary)
    assert "\n" not in text and "200 customers" in text and "as of 2025-06-30" in text
